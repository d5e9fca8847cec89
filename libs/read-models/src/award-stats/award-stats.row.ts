import type { Gender, NomineeKind } from '@app/nomination';

/** One nomination as the award statistics count it; rejected and withdrawn ones have no row. */
export interface AwardFactRow {
  readonly codeSet: string;
  readonly ruleSet: string;
  readonly year: number;
  readonly proposingUnit: string;
  /** Level of the proposing unit (commune, district, …) as recorded on the route. */
  readonly level: string;
  readonly awardCode: string;
  readonly awardName: string;
  readonly nomineeKind: NomineeKind;
  readonly gender: Gender | null;
  readonly status: 'open' | 'awarded' | 'revoked';
  /** VND, from the award event. */
  readonly bonusAmount: number;
  readonly decisionId: string | null;
  readonly signedOn: string | null;
  /**
   * The proposing unit and every unit above it as NominationCreated recorded them (lowest first): who
   * counts the nomination (libs/read-models/src/jurisdiction.ts), so a report needs no other read model.
   */
  readonly ancestry: readonly string[];
}

export const AWARD_STATS_TABLES = { facts: 'rm_award_facts' } as const;
export type AwardStatsTables = keyof typeof AWARD_STATS_TABLES;
