import type { ExistingNomination, Gender, NomineeKind } from '@app/nomination';

/** One nomination as the list, search and GET /nominations/{id} read it: the folded state and where it stands. */
export interface NominationRow {
  readonly state: ExistingNomination;
  readonly revision: number;
  /** Log position of the stream's last event, decimal. */
  readonly position: string;
}

export const NOMINATIONS_TABLES = { nominations: 'rm_nominations' } as const;
export type NominationsTables = keyof typeof NOMINATIONS_TABLES;

/** An item of GET /nominations. */
export interface NominationSummary {
  readonly id: string;
  readonly revision: number;
  readonly position: string;
  readonly ruleSet: string;
  readonly codeSet: string;
  readonly awardCode: string;
  readonly awardName: string;
  readonly year: number;
  readonly nominee: { readonly kind: NomineeKind; readonly name: string; readonly gender?: Gender; readonly organization?: string };
  readonly proposingUnit: string;
  readonly status: string;
  readonly currentStage: { readonly unit: string; readonly unitName: string; readonly level: string; readonly enteredAt: string; readonly dueOn: string } | null;
  readonly deciding: { readonly unit: string; readonly unitName: string; readonly level: string };
  /** In review past the current stage's due date (Vietnam calendar). */
  readonly overdue: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/**
 * The list item as stored in `rm_nominations.summary`: everything but `overdue`, which the list query
 * adds for the day it answers on. (Migration 1765100000000 computes the same in SQL for rows written
 * before the column existed.)
 */
export function summaryOf(id: string, row: NominationRow): Omit<NominationSummary, 'overdue'> {
  const s = row.state;
  const deciding = s.route[s.decidingStageIndex]!;
  const n = s.nominee;
  return {
    id, revision: row.revision, position: row.position, ruleSet: s.ruleSet, codeSet: s.codeSet, awardCode: s.awardCode, awardName: s.awardName.vi,
    year: s.year,
    nominee: { kind: n.kind, name: n.name, ...(n.kind === 'individual' ? { gender: n.gender } : {}), ...(n.organization !== undefined ? { organization: n.organization } : {}) },
    proposingUnit: s.proposingUnit, status: s.status,
    currentStage: s.status === 'in_review'
      ? { unit: s.currentStage.unit, unitName: s.currentStage.unitName, level: s.currentStage.level, enteredAt: s.currentStage.enteredAt, dueOn: s.currentStage.dueOn }
      : null,
    deciding: { unit: deciding.unit, unitName: deciding.unitName, level: deciding.level },
    createdAt: s.createdAt, updatedAt: s.updatedAt,
  };
}
