import type {
  CouncilVoteInput,
  DocumentRef,
  Nominee,
  RejectionReasonCode,
  RevocationGround,
} from './nomination.types';

/** Commands on one nomination stream. Input strings are NFC-normalised by `decide`, not by the caller. */

export interface CreateNomination {
  readonly type: 'CreateNomination';
  /** Chosen by the caller (the api), e.g. a UUID; becomes the stream id. */
  readonly nominationId: string;
  readonly awardCode: string;
  readonly year: number;
  readonly proposingUnit: string;
  readonly nominee: Nominee;
  readonly achievements: string;
  readonly documents: readonly DocumentRef[];
}

/** PATCH: each present field replaces the stored value as a whole (a nominee is not merged field by field). */
export interface UpdateNomination {
  readonly type: 'UpdateNomination';
  readonly nominee?: Nominee;
  readonly achievements?: string;
  readonly documents?: readonly DocumentRef[];
  readonly year?: number;
}

export interface SubmitNomination {
  readonly type: 'SubmitNomination';
}

export interface ReturnNomination {
  readonly type: 'ReturnNomination';
  readonly reason: string;
  readonly missing: readonly string[];
}

export interface RecordCouncilVote extends CouncilVoteInput {
  readonly type: 'RecordCouncilVote';
}

export interface ApproveNomination {
  readonly type: 'ApproveNomination';
  readonly comment?: string | null;
}

export interface RejectNomination {
  readonly type: 'RejectNomination';
  readonly reasonCode: RejectionReasonCode;
  readonly reason: string;
}

export interface WithdrawNomination {
  readonly type: 'WithdrawNomination';
  readonly reason: string;
}

/** Issued by the decision process for each nomination listed on a DecisionIssued event. */
export interface AwardNomination {
  readonly type: 'AwardNomination';
  readonly decisionId: string;
  readonly decisionNumber: string;
  readonly signedOn: string;
  readonly issuingUnit: string;
  /** VND, as computed for the decision (see `computeBonus`). */
  readonly bonusAmount: number;
  /** VND per month, the base salary on the signing date that `bonusAmount` multiplies. */
  readonly baseSalary: number;
}

/** Issued by the decision process for each nomination listed on a DecisionRevoked event. */
export interface RevokeAward {
  readonly type: 'RevokeAward';
  readonly revocationId: string;
  readonly decisionId: string;
  readonly ground: RevocationGround;
  readonly reason: string;
  /** Number and signing date of the revoking decision. */
  readonly number: string;
  readonly signedOn: string;
  /** The unit the decision stream authorised to revoke (the issuing unit, or its successor). */
  readonly revokingUnit: { readonly codeSet: string; readonly unit: string };
}

export type NominationCommand =
  | CreateNomination
  | UpdateNomination
  | SubmitNomination
  | ReturnNomination
  | RecordCouncilVote
  | ApproveNomination
  | RejectNomination
  | WithdrawNomination
  | AwardNomination
  | RevokeAward;

export type NominationCommandType = NominationCommand['type'];
