import { escapeIdentifier } from 'pg';
import type { ConsumedEvent } from '@app/platform';
import { bulkOf, type Projection } from '../projection';
import { type RowMapping, saveRows } from '../sql';
import { isUuid } from '../uuid';
import { DECISIONS_TABLES, type DecisionRow, type DecisionsTables } from './decisions.row';

const ROWS: RowMapping<DecisionRow> = {
  key: 'id',
  columns: {
    id: 'uuid', code_set: 'text', issuing_unit: 'text', issuer_ancestry: 'text[]', number: 'text', signed_on: 'date', year: 'integer',
    issued_at: 'timestamptz', row: 'jsonb',
  },
  columnsOf: (id, row) => ({
    id, code_set: row.codeSet, issuing_unit: row.issuingUnit, issuer_ancestry: row.issuerAncestry ?? [row.issuingUnit], number: row.number, signed_on: row.signedOn, year: Number(row.signedOn.slice(0, 4)),
    issued_at: row.issuedAt, row,
  }),
};

export function evolveDecisionRow(row: DecisionRow | null, e: ConsumedEvent): DecisionRow | null {
  if (e.category !== 'decision') return row;
  const event = e.event;
  switch (event.type) {
    case 'DecisionIssued': {
      if (row !== null) return row;
      const d = event.data;
      return {
        id: d.decisionId, number: d.number, signedOn: d.signedOn, signer: d.signer, codeSet: d.codeSet, issuingUnit: d.issuingUnit,
        issuerAncestry: d.issuerAncestry, reason: d.reason, nominationCount: d.nominations.length, bonusTotal: d.nominations.reduce((sum, n) => sum + n.bonusAmount, 0), revokedNominationIds: [],
        issuedAt: d.at, issuedBy: d.by, position: e.position.toString(),
      };
    }
    case 'DecisionRevoked': {
      if (row === null) return null;
      const revoked = [...new Set([...row.revokedNominationIds, ...event.data.nominationIds])];
      return { ...row, revokedNominationIds: revoked, position: e.position.toString() };
    }
  }
}

/** Award decisions, for GET /decisions?unit=&year= (each decision's lines are read from its stream). */
export const decisionsProjection: Projection<DecisionRow, DecisionsTables> = {
  name: 'decisions',
  categories: ['decision'],
  tables: DECISIONS_TABLES,
  keyOf: (e) => (e.category === 'decision' && isUuid(e.entityId) ? e.entityId : null),
  evolve: (row, e) => evolveDecisionRow(row, e),
  async load(tx, tables, keys) {
    const { rows } = await tx.query<{ id: string; row: DecisionRow }>(`SELECT id, row FROM ${escapeIdentifier(tables.decisions)} WHERE id = ANY($1::uuid[])`, [keys]);
    return new Map(rows.map((r) => [r.id, r.row]));
  },
  save: (tx, tables, changes) => saveRows(tx, tables.decisions, ROWS, changes),
  bulk: [bulkOf('decisions', ROWS)],
};
