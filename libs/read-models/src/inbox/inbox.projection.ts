import { escapeIdentifier } from 'pg';
import type { ConsumedEvent } from '@app/platform';
import { bulkOf, type Projection } from '../projection';
import { type RowMapping, saveRows } from '../sql';
import { isUuid } from '../uuid';
import { INBOX_TABLES, type InboxRow, type InboxTables } from './inbox.row';

const ROWS: RowMapping<InboxRow> = {
  key: 'nomination_id',
  columns: {
    nomination_id: 'uuid', code_set: 'text', waiting_for: 'text', unit: 'text', due_on: 'date', since: 'timestamptz', sort_key: 'text',
    status: 'text', row: 'jsonb',
  },
  columnsOf: (id, row) => ({
    nomination_id: id, code_set: row.codeSet, waiting_for: row.waitingFor, unit: row.unit, due_on: row.dueOn, since: row.since,
    sort_key: inboxSortKey(row, id), status: row.status, row,
  }),
};

/** Oldest due date first, nominations without a deadline after, then by how long they have waited. */
export function inboxSortKey(row: Pick<InboxRow, 'dueOn' | 'since'>, id: string): string {
  return `${row.dueOn ?? '9999-12-31'}|${row.since ?? ''}|${id}`;
}

/** What waits for whom: one row per open nomination, moved along as the nomination moves. */
export function evolveInbox(row: InboxRow | null, e: ConsumedEvent): InboxRow | null {
  if (e.category !== 'nomination') return row;
  const event = e.event;
  const at = { revision: e.revision, position: e.position.toString() };
  if (event.type === 'NominationCreated') {
    if (row !== null) return row;
    const d = event.data;
    const deciding = d.route[d.decidingStageIndex]!;
    return {
      codeSet: d.codeSet, proposingUnit: d.proposingUnit, decidingUnit: deciding.unit, awardCode: d.awardCode, awardName: d.awardName.vi,
      nomineeKind: d.nominee.kind, nomineeName: d.nominee.name, year: d.year, status: 'draft', waitingFor: null, unit: null, unitName: null,
      level: null, dueOn: null, since: null, ...at,
    };
  }
  if (row === null) return null;
  switch (event.type) {
    case 'NominationUpdated': {
      const { nominee, year } = event.data.changes;
      return { ...row, ...(nominee ? { nomineeName: nominee.name, nomineeKind: nominee.kind } : {}), ...(year !== undefined ? { year } : {}), ...at };
    }
    case 'NominationSubmitted': {
      const { stage } = event.data;
      return { ...row, status: 'in_review', waitingFor: 'officer', unit: stage.unit, unitName: stage.unitName, level: stage.level, dueOn: stage.dueOn, since: event.data.at, ...at };
    }
    case 'StageApproved': {
      const { next } = event.data;
      return { ...row, status: 'in_review', waitingFor: 'officer', unit: next.unit, unitName: next.unitName, level: next.level, dueOn: next.dueOn, since: event.data.at, ...at };
    }
    case 'NominationReturned':
      return { ...row, status: 'returned', waitingFor: 'proposer', unit: row.proposingUnit, unitName: null, level: null, dueOn: null, since: event.data.at, ...at };
    case 'NominationApproved':
      return { ...row, status: 'approved', waitingFor: 'decider', unit: row.decidingUnit, unitName: null, level: null, dueOn: null, since: event.data.at, ...at };
    case 'NominationRejected':
    case 'NominationWithdrawn':
    case 'NominationAwarded':
      return null;
    case 'CouncilVoteRecorded':
    case 'AwardRevoked':
      return { ...row, ...at };
  }
}

export const inboxProjection: Projection<InboxRow, InboxTables> = {
  name: 'inbox',
  categories: ['nomination'],
  tables: INBOX_TABLES,
  keyOf: (e) => (e.category === 'nomination' && isUuid(e.entityId) ? e.entityId : null),
  evolve: (row, e) => evolveInbox(row, e),
  async load(tx, tables, keys) {
    const { rows } = await tx.query<{ nomination_id: string; row: InboxRow }>(
      `SELECT nomination_id, row FROM ${escapeIdentifier(tables.inbox)} WHERE nomination_id = ANY($1::uuid[])`, [keys],
    );
    return new Map(rows.map((r) => [r.nomination_id, r.row]));
  },
  save: (tx, tables, changes) => saveRows(tx, tables.inbox, ROWS, changes),
  bulk: [bulkOf('inbox', ROWS)],
};
