import type { NomineeKind } from '@app/nomination';

/** Who a nomination waits for: the officers of its current stage, the deciders of its deciding unit, or its proposer. */
export type WaitingFor = 'officer' | 'decider' | 'proposer';

/** A nomination that can wait for someone (drafts are kept: they will). Final states have no row. */
export interface InboxRow {
  readonly codeSet: string;
  readonly proposingUnit: string;
  readonly decidingUnit: string;
  readonly awardCode: string;
  readonly awardName: string;
  readonly nomineeKind: NomineeKind;
  readonly nomineeName: string;
  readonly year: number;
  readonly status: 'draft' | 'in_review' | 'returned' | 'approved';
  readonly waitingFor: WaitingFor | null;
  /** The unit where it waits (stage unit, deciding unit, or the proposing unit). */
  readonly unit: string | null;
  readonly unitName: string | null;
  readonly level: string | null;
  /** The stage's due date; null where no deadline runs (returned, awaiting the decision). */
  readonly dueOn: string | null;
  /** When it started waiting there. */
  readonly since: string | null;
  readonly revision: number;
  readonly position: string;
}

export const INBOX_TABLES = { inbox: 'rm_inbox' } as const;
export type InboxTables = keyof typeof INBOX_TABLES;
