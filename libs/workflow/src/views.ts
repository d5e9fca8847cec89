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
} from '@app/nomination';

/** GET /nominations/{id} (API.md, Reading). */
export interface NominationView {
  readonly id: string;
  readonly revision: number;
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
}

/** GET /decisions/{id}. */
export interface DecisionView {
  readonly id: string;
  readonly number: string;
  readonly signedOn: string;
  readonly signer: Signer;
  readonly codeSet: string;
  readonly issuingUnit: string;
  readonly reason: string;
  readonly nominations: readonly (DecisionNomination & { readonly revoked?: RevocationEntry })[];
  readonly bonusTotal: number;
  readonly issuedAt: string;
  readonly issuedBy: ActorRef;
}
