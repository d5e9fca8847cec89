import { escapeIdentifier } from 'pg';
import type { ConsumedEvent } from '@app/platform';
import { type StageEntry, vietnamDate, type WorkingDayCalendar } from '@app/nomination';
import { bulkOf, type Projection, type ProjectionContext } from '../projection';
import { deleteKeys, type RowMapping, saveRows, upsertRows } from '../sql';
import { isUuid } from '../uuid';
import { STAGE_TIMINGS_TABLES, type StageTimingsRow, type StageTimingsTables, type StageVisit } from './stage-timings.row';

const VISIT_COLUMNS = {
  nomination_id: 'uuid', visit_no: 'integer', code_set: 'text', stage_index: 'integer', unit: 'text', unit_name: 'text', level: 'text',
  entered_at: 'timestamptz', due_on: 'date', deadline_working_days: 'integer', left_at: 'timestamptz', outcome: 'text',
  working_days_spent: 'integer', late: 'boolean',
};

const HEADS: RowMapping<StageTimingsRow> = {
  key: 'nomination_id',
  columns: { nomination_id: 'uuid', code_set: 'text', ancestry_units: 'text[]', visits: 'jsonb' },
  columnsOf: (id, row) => ({ nomination_id: id, code_set: row.codeSet, ancestry_units: row.ancestry, visits: row.visits }),
};

function visitColumns(id: string, visitNo: number, codeSet: string, v: StageVisit): Record<string, unknown> {
  return {
    nomination_id: id, visit_no: visitNo, code_set: codeSet, stage_index: v.stageIndex, unit: v.unit, unit_name: v.unitName, level: v.level,
    entered_at: v.enteredAt, due_on: v.dueOn, deadline_working_days: v.deadlineWorkingDays, left_at: v.leftAt, outcome: v.outcome,
    working_days_spent: v.workingDaysSpent, late: v.late,
  };
}

function arrive(stage: StageEntry, at: string): StageVisit {
  return {
    stageIndex: stage.index, unit: stage.unit, unitName: stage.unitName, level: stage.level, enteredAt: at, dueOn: stage.dueOn,
    deadlineWorkingDays: stage.deadlineWorkingDays, leftAt: null, outcome: 'in_review', workingDaysSpent: null, late: null,
  };
}

/** Closes the open visit (if any) with the outcome, counting the working days it took. */
function leave(row: StageTimingsRow, outcome: StageVisit['outcome'], at: string, calendar: WorkingDayCalendar): StageTimingsRow {
  const last = row.visits[row.visits.length - 1];
  if (last === undefined || last.leftAt !== null) return row;
  const arrived = vietnamDate(new Date(last.enteredAt));
  const left = vietnamDate(new Date(at));
  const closed: StageVisit = { ...last, leftAt: at, outcome, workingDaysSpent: calendar.workingDaysBetween(arrived, left), late: left > last.dueOn };
  return { ...row, visits: [...row.visits.slice(0, -1), closed] };
}

export function evolveStageTimings(row: StageTimingsRow | null, e: ConsumedEvent, { calendar }: ProjectionContext): StageTimingsRow | null {
  if (e.category !== 'nomination') return row;
  const event = e.event;
  if (event.type === 'NominationCreated') return row ?? { codeSet: event.data.codeSet, ancestry: event.data.ancestry.map((unit) => unit.unit), visits: [] };
  if (row === null) return null;
  switch (event.type) {
    case 'NominationSubmitted':
      return { ...row, visits: [...row.visits, arrive(event.data.stage, event.data.at)] };
    case 'StageApproved': {
      const left = leave(row, 'approved', event.data.at, calendar);
      return { ...left, visits: [...left.visits, arrive(event.data.next, event.data.at)] };
    }
    case 'NominationApproved':
      return leave(row, 'approved', event.data.at, calendar);
    case 'NominationReturned':
      return leave(row, 'returned', event.data.at, calendar);
    case 'NominationRejected':
      return event.data.fromStatus === 'in_review' ? leave(row, 'rejected', event.data.at, calendar) : row;
    case 'NominationWithdrawn':
      return leave(row, 'withdrawn', event.data.at, calendar);
    default:
      return row;
  }
}

/**
 * Time spent per stage against its deadline: one row per stay at a stage, closed with the working
 * days it took (the domain's working-day calendar, so Tết and swapped Saturdays count as they should).
 */
export const stageTimingsProjection: Projection<StageTimingsRow, StageTimingsTables> = {
  name: 'stage-timings',
  categories: ['nomination'],
  tables: STAGE_TIMINGS_TABLES,
  keyOf: (e) => (e.category === 'nomination' && isUuid(e.entityId) ? e.entityId : null),
  evolve: evolveStageTimings,
  async load(tx, tables, keys) {
    const { rows } = await tx.query<{ nomination_id: string; code_set: string; ancestry_units: string[]; visits: StageVisit[] | null }>(
      `SELECT n.nomination_id, n.code_set, n.ancestry_units, n.visits FROM ${escapeIdentifier(tables.nominations)} n WHERE n.nomination_id = ANY($1::uuid[])`,
      [keys],
    );
    return new Map(rows.map((r) => [r.nomination_id, { codeSet: r.code_set, ancestry: r.ancestry_units, visits: r.visits ?? [] }]));
  },
  async save(tx, tables, changes) {
    // A stay, once closed, never changes again and stays are only ever appended: only the stays that
    // differ from what the table holds are written (evolve keeps an unchanged stay's object).
    const visits: Record<string, unknown>[] = [];
    const cleared: string[] = [];
    for (const [id, { before, after }] of changes) {
      const held = before?.visits ?? [];
      if (after === null || after.visits.length < held.length) {
        if (held.length > 0) cleared.push(id);
        if (after === null) continue;
      }
      const rewriteAll = after.visits.length < held.length;
      after.visits.forEach((v, i) => {
        if (!rewriteAll && held[i] === v) return;
        visits.push(visitColumns(id, i, after.codeSet, v));
      });
    }
    await saveRows(tx, tables.nominations, HEADS, changes);
    await deleteKeys(tx, tables.visits, 'nomination_id', cleared);
    await upsertRows(tx, tables.visits, VISIT_COLUMNS, ['nomination_id', 'visit_no'], visits);
  },
  bulk: [
    bulkOf('nominations', HEADS),
    { table: 'visits', columns: VISIT_COLUMNS, rowsOf: (id, row) => row.visits.map((v, i) => visitColumns(id, i, row.codeSet, v)) },
  ],
};
