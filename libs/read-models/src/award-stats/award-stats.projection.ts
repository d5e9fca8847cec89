import { escapeIdentifier } from 'pg';
import type { ConsumedEvent } from '@app/platform';
import type { NominationEvent, Nominee } from '@app/nomination';
import { bulkOf, type Projection } from '../projection';
import { type RowMapping, saveRows } from '../sql';
import { isUuid } from '../uuid';
import { AWARD_STATS_TABLES, type AwardFactRow, type AwardStatsTables } from './award-stats.row';

const ROWS: RowMapping<AwardFactRow> = {
  key: 'nomination_id',
  columns: {
    nomination_id: 'uuid', code_set: 'text', rule_set: 'text', year: 'integer', proposing_unit: 'text', level: 'text', award_code: 'text',
    award_name: 'text', nominee_kind: 'text', gender: 'text', status: 'text', bonus_amount: 'bigint', decision_id: 'text', signed_on: 'date',
    ancestry_units: 'text[]',
  },
  columnsOf: (id, r) => ({
    nomination_id: id, code_set: r.codeSet, rule_set: r.ruleSet, year: r.year, proposing_unit: r.proposingUnit, level: r.level,
    award_code: r.awardCode, award_name: r.awardName, nominee_kind: r.nomineeKind, gender: r.gender, status: r.status,
    bonus_amount: r.bonusAmount, decision_id: r.decisionId, signed_on: r.signedOn, ancestry_units: r.ancestry,
  }),
};

/**
 * The events that can change a fact row (evolveAwardFact leaves it as it is for every other one): a
 * batch of submissions and approvals loads and writes nothing.
 */
const FACT_EVENTS: ReadonlySet<string> = new Set<NominationEvent['type']>([
  'NominationCreated', 'NominationUpdated', 'NominationAwarded', 'AwardRevoked', 'NominationRejected', 'NominationWithdrawn',
]);

const genderOf = (nominee: Nominee): AwardFactRow['gender'] => (nominee.kind === 'individual' ? nominee.gender : null);

export function evolveAwardFact(row: AwardFactRow | null, e: ConsumedEvent): AwardFactRow | null {
  if (e.category !== 'nomination') return row;
  const event = e.event;
  if (event.type === 'NominationCreated') {
    if (row !== null) return row;
    const d = event.data;
    return {
      codeSet: d.codeSet, ruleSet: d.ruleSet, year: d.year, proposingUnit: d.proposingUnit, level: d.route[0]?.level ?? '', awardCode: d.awardCode,
      awardName: d.awardName.vi, nomineeKind: d.nominee.kind, gender: genderOf(d.nominee), status: 'open', bonusAmount: 0, decisionId: null, signedOn: null,
      ancestry: d.ancestry.map((unit) => unit.unit),
    };
  }
  if (row === null) return null;
  switch (event.type) {
    case 'NominationUpdated': {
      const { nominee, year } = event.data.changes;
      if (row.status !== 'open') return row;
      return { ...row, ...(nominee ? { nomineeKind: nominee.kind, gender: genderOf(nominee) } : {}), ...(year !== undefined ? { year } : {}) };
    }
    case 'NominationAwarded':
      return { ...row, status: 'awarded', bonusAmount: event.data.bonusAmount, decisionId: event.data.decisionId, signedOn: event.data.signedOn };
    case 'AwardRevoked':
      return row.status === 'awarded' ? { ...row, status: 'revoked' } : row;
    case 'NominationRejected':
    case 'NominationWithdrawn':
      return null;
    default:
      return row;
  }
}

/**
 * Award statistics (DOMAIN.md, Statistics): a fact row per nomination with every dimension the
 * reports group by (award, nominee kind, gender, unit, level, year); counts and bonus totals are sums
 * over the rows, so nothing is incremented and nothing can drift.
 */
export const awardStatsProjection: Projection<AwardFactRow, AwardStatsTables> = {
  name: 'award-stats',
  categories: ['nomination'],
  tables: AWARD_STATS_TABLES,
  keyOf: (e) => (e.category === 'nomination' && FACT_EVENTS.has(e.event.type) && isUuid(e.entityId) ? e.entityId : null),
  evolve: (row, e) => evolveAwardFact(row, e),
  async load(tx, tables, keys) {
    const { rows } = await tx.query<Record<string, unknown>>(
      `SELECT nomination_id, code_set, rule_set, year, proposing_unit, level, award_code, award_name, nominee_kind, gender, status,
              bonus_amount::text, decision_id, to_char(signed_on, 'YYYY-MM-DD') AS signed_on, ancestry_units
       FROM ${escapeIdentifier(tables.facts)} WHERE nomination_id = ANY($1::uuid[])`,
      [keys],
    );
    return new Map(rows.map((r) => [r['nomination_id'] as string, {
      codeSet: r['code_set'] as string, ruleSet: r['rule_set'] as string, year: r['year'] as number, proposingUnit: r['proposing_unit'] as string,
      level: r['level'] as string, awardCode: r['award_code'] as string, awardName: r['award_name'] as string,
      nomineeKind: r['nominee_kind'] as AwardFactRow['nomineeKind'], gender: r['gender'] as AwardFactRow['gender'],
      status: r['status'] as AwardFactRow['status'], bonusAmount: Number(r['bonus_amount']), decisionId: r['decision_id'] as string | null,
      signedOn: r['signed_on'] as string | null, ancestry: r['ancestry_units'] as string[],
    }]));
  },
  save: (tx, tables, changes) => saveRows(tx, tables.facts, ROWS, changes),
  bulk: [bulkOf('facts', ROWS)],
};
