import type {
  ActorRef,
  AwardRecord,
  CouncilVoteRecord,
  DocumentRef,
  Nominee,
  NominationRules,
  RejectionRecord,
  ReturnRecord,
  RevocationEntry,
  RevocationRecord,
  Signer,
  StageApprovalRecord,
  StageStatus,
  WithdrawalRecord,
  DecisionNomination,
  RecoveryLine,
} from '@app/nomination';

/** GET /nominations/{id} (API.md, Reading). */
export interface NominationView {
  readonly id: string;
  readonly revision: number;
  /**
   * Log position of the last event of the nomination as shown (decimal string: positions are 64-bit).
   * After a command, the position it wrote: pass it back as `minPosition` to read your own write.
   */
  readonly position?: string;
  readonly ruleSet: string;
  readonly codeSet: string;
  readonly awardCode: string;
  readonly awardName: string;
  readonly awardNames: { readonly vi: string; readonly en: string };
  readonly year: number;
  readonly nominee: Nominee;
  readonly achievements: string;
  readonly documents: readonly DocumentRef[];
  readonly proposingUnit: string;
  readonly status: string;
  readonly currentStage: { readonly unit: string; readonly unitName: string; readonly level: string; readonly enteredAt: string; readonly dueOn: string } | null;
  readonly route: readonly {
    readonly unit: string;
    readonly unitName: string;
    readonly level: string;
    readonly status: StageStatus;
    readonly enteredAt: string | null;
    readonly leftAt: string | null;
    readonly dueOn: string | null;
  }[];
  readonly deciding: { readonly unit: string; readonly unitName: string; readonly level: string };
  readonly rules: NominationRules;
  readonly councilVotes: readonly CouncilVoteRecord[];
  readonly returns: readonly ReturnRecord[];
  readonly approvals: readonly StageApprovalRecord[];
  readonly rejection?: RejectionRecord;
  readonly withdrawal?: WithdrawalRecord;
  readonly decision?: AwardRecord;
  readonly revocation?: RevocationRecord;
  readonly createdBy: ActorRef;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** GET /nominations/{id}/history. */
export interface HistoryEntry {
  readonly revision: number;
  readonly type: string;
  readonly at: string;
  readonly actor: ActorRef | null;
  readonly data: unknown;
  readonly hash: string;
  /** Log position of the event (decimal string). */
  readonly position?: string;
}

/** GET /decisions/{id}. */
export interface DecisionView {
  readonly id: string;
  /** After a command: the log position it left behind (decimal string), for minPosition. */
  readonly position?: string;
  /** As written (NFC, spacing tidied); uniqueness compares a folded key (decisionNumberComparisonKey). */
  readonly number: string;
  /** `decision_number_format` when the number does not look like `n/QĐ-…`; the decision is still valid. */
  readonly warnings: readonly { readonly code: string; readonly message: string }[];
  readonly signedOn: string;
  readonly signer: Signer;
  readonly codeSet: string;
  readonly issuingUnit: string;
  /**
   * Whose deciders may revoke it today: its issuing unit, or that unit's successor once the 2025 reform
   * abolished it (revocableBy in decision-access), so a client offers revocation to exactly them.
   */
  readonly revocableBy: { readonly codeSet: string; readonly unit: string };
  readonly reason: string;
  /** VND per month, the base salary in force on `signedOn` that every line multiplies. */
  readonly baseSalary: number;
  readonly nominations: readonly (DecisionNomination & { readonly revoked?: RevocationEntry })[];
  /** VND, the sum of the lines' bonusAmount. */
  readonly bonusTotal: number;
  /** Revocation decisions (hủy bỏ) recorded against this decision, oldest first. */
  readonly revocations: readonly {
    readonly revocationId: string;
    readonly number: string;
    readonly signedOn: string;
    readonly revokingUnit: { readonly codeSet: string; readonly unit: string };
    readonly ground: string;
    readonly reason: string;
    readonly nominationIds: readonly string[];
    readonly bonusToRecover: number;
    readonly recovery: readonly RecoveryLine[];
    readonly at: string;
    readonly by: ActorRef;
  }[];
  readonly issuedAt: string;
  readonly issuedBy: ActorRef;
}
