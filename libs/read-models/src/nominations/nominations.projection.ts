import { escapeIdentifier } from 'pg';
import type { ConsumedEvent, ConsumerTransaction } from '@app/platform';
import { ancestryOf, evolve, type ExistingNomination, initialNominationState, searchKey } from '@app/nomination';
import { bulkOf, type Projection, type TableNames } from '../projection';
import { type RowMapping, saveRows } from '../sql';
import { isUuid } from '../uuid';
import { NOMINATIONS_TABLES, type NominationRow, type NominationsTables, summaryOf } from './nominations.row';

const COLUMNS = {
  id: 'uuid', code_set: 'text', rule_set: 'text', award_code: 'text', year: 'integer', status: 'text', proposing_unit: 'text',
  ancestry_units: 'text[]', current_unit: 'text', current_level: 'text', deciding_unit: 'text', deciding_level: 'text', due_on: 'date',
  nominee_kind: 'text', nominee_name: 'text', search_key: 'text', created_at: 'timestamptz', updated_at: 'timestamptz',
  revision: 'integer', position: 'numeric', state: 'jsonb', summary: 'jsonb',
};

function columnsOf(id: string, row: NominationRow): Record<string, unknown> {
  const s = row.state;
  const deciding = s.route[s.decidingStageIndex]!;
  const current = s.status === 'in_review' ? s.currentStage : null;
  return {
    id, code_set: s.codeSet, rule_set: s.ruleSet, award_code: s.awardCode, year: s.year, status: s.status, proposing_unit: s.proposingUnit,
    ancestry_units: ancestryOf(s).map((unit) => unit.unit), current_unit: current?.unit ?? null, current_level: current?.level ?? null,
    deciding_unit: deciding.unit, deciding_level: deciding.level, due_on: current?.dueOn ?? null, nominee_kind: s.nominee.kind,
    nominee_name: s.nominee.name, search_key: searchKey(s.nominee.name), created_at: s.createdAt, updated_at: s.updatedAt,
    revision: row.revision, position: row.position, state: s, summary: summaryOf(id, row),
  };
}

const ROWS: RowMapping<NominationRow> = { key: 'id', columns: COLUMNS, columnsOf };

/**
 * Nominations, folded with the domain's own `evolve`, so the read model's state is by construction the
 * state the command path decides on. `search_key` is the nominee's name without case or diacritics
 * (`searchKey`), indexed by pg_trgm for substring search.
 */
export const nominationsProjection: Projection<NominationRow, NominationsTables> = {
  name: 'nominations',
  categories: ['nomination'],
  tables: NOMINATIONS_TABLES,
  keyOf: (e: ConsumedEvent) => (e.category === 'nomination' && isUuid(e.entityId) ? e.entityId : null),
  evolve(row, e) {
    if (e.category !== 'nomination') return row;
    const state = evolve(row?.state ?? initialNominationState, e.event);
    if (state.status === 'none') return null;
    return { state, revision: e.revision, position: e.position.toString() };
  },
  async load(tx: ConsumerTransaction, tables: TableNames<NominationsTables>, keys) {
    const { rows } = await tx.query<{ id: string; state: ExistingNomination; revision: number; position: string }>(
      `SELECT id, state, revision, position FROM ${escapeIdentifier(tables.nominations)} WHERE id = ANY($1::uuid[])`,
      [keys],
    );
    return new Map(rows.map((r) => [r.id, { state: r.state, revision: r.revision, position: r.position }]));
  },
  save: (tx, tables, changes) => saveRows(tx, tables.nominations, ROWS, changes),
  bulk: [bulkOf('nominations', ROWS)],
};
