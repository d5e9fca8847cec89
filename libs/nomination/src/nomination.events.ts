import type { RouteStage } from './stage-route';
import type {
  ActorRef,
  DocumentRef,
  LocalizedText,
  NominationRules,
  Nominee,
  RejectionReasonCode,
  RevocationGround,
} from './nomination.types';
import type { AwardKind } from './reference-data/reference-data.types';

/**
 * Events of one nomination stream. The `type` strings and payload shapes are persisted contract:
 * never rename or change the meaning of a field; add a new `schemaVersion` with an upcaster instead.
 * Each command produces exactly one event, so every revision of the stream is a complete state.
 *
 * Common fields: `schemaVersion`; `at` = ISO-8601 UTC instant the command was decided (the command's
 * `now`); `by` = the actor whose command produced the event.
 */

interface EventFields {
  /** The payload's shape version; the codec (nomination.codec.ts) upcasts older ones. */
  readonly schemaVersion: 1;
  readonly at: string;
  readonly by: ActorRef;
}

/** A stage the nomination has just arrived at. */
export interface StageEntry extends RouteStage {
  /** Position in `route` (0 = the proposing unit). */
  readonly index: number;
  /** Working days the stage has, copied from the rules. */
  readonly deadlineWorkingDays: number;
  /** Vietnam calendar date by which the stage should finish: `deadlineWorkingDays` after arrival. */
  readonly dueOn: string;
}

/**
 * Schema version 2 added `ancestry` (version 1 is frozen in nomination.codec.ts, which upcasts it with
 * the recorded route as its ancestry).
 */
export interface NominationCreatedData extends Omit<EventFields, 'schemaVersion'> {
  readonly schemaVersion: 2;
  readonly nominationId: string;
  /** Rule set pinned for the nomination's life. */
  readonly ruleSet: string;
  /** Code set in which every unit code of this nomination is to be read. */
  readonly codeSet: string;
  readonly awardCode: string;
  readonly awardName: LocalizedText;
  readonly awardKind: AwardKind;
  /** The year whose achievements are nominated (not the year of creation). */
  readonly year: number;
  readonly proposingUnit: string;
  readonly nominee: Nominee;
  readonly achievements: string;
  readonly documents: readonly DocumentRef[];
  /** Every stage from the proposing unit to the deciding unit, with names and levels as of creation. */
  readonly route: readonly RouteStage[];
  /** Index in `route` of the deciding stage; always the last. */
  readonly decidingStageIndex: number;
  readonly rules: NominationRules;
  /**
   * Every unit from the proposing unit up to the root of the code set, lowest first, as the unit tree
   * stood at creation; `route` is its first `decidingStageIndex + 1` entries. Jurisdiction: the
   * nomination's readers are these units for its whole life, so re-parenting a unit later never
   * widens (nor narrows) who reads it (issue 12.14). Events of version 1, which did not record it,
   * read as their route.
   */
  readonly ancestry: readonly RouteStage[];
}

/** The fields a PATCH may replace. */
export interface NominationChanges {
  readonly nominee?: Nominee;
  readonly achievements?: string;
  readonly documents?: readonly DocumentRef[];
  readonly year?: number;
}

/**
 * A PATCH in draft or returned: only the fields present were replaced (whole values, not merged).
 * Schema version 2 added `previous` (version 1 is frozen in nomination.codec.ts).
 */
export interface NominationUpdatedData extends Omit<EventFields, 'schemaVersion'> {
  readonly schemaVersion: 2;
  readonly changes: NominationChanges;
  /**
   * The values the changes replaced, key for key, so the history shows what an edit undid without
   * refolding the stream. Null on events recorded before version 2, which did not keep them.
   */
  readonly previous: NominationChanges | null;
}

export interface NominationSubmittedData extends EventFields {
  /** The stage the dossier arrived at: the first for a draft, the returning stage for a resubmission. */
  readonly stage: StageEntry;
  readonly resubmission: boolean;
}

export interface NominationReturnedData extends EventFields {
  readonly stageIndex: number;
  readonly unit: string;
  readonly reason: string;
  /** What the dossier lacks, usually document kinds (`council_minutes`), free text allowed. */
  readonly missing: readonly string[];
  /** 1 for the first return at this stage, counted over the nomination's whole life. */
  readonly returnNumber: number;
}

export interface CouncilVoteRecordedData extends EventFields {
  readonly stageIndex: number;
  readonly unit: string;
  readonly sessionDate: string;
  readonly minutesNumber: string;
  readonly members: number;
  readonly present: number;
  readonly inFavour: number;
  readonly against: number;
  /** Written opinions of absent members; they count toward approval, not quorum. Absent in older events (= 0). */
  readonly writtenInFavour?: number;
  readonly writtenAgainst?: number;
  /** Thresholds applied, from the pinned rules: minimum present, minimum in favour (present + written, of all members). */
  readonly quorumRequired: number;
  readonly approvalRequired: number;
  readonly passed: boolean;
}

/** Approved at a stage below the deciding one and forwarded to the next stage. */
export interface StageApprovedData extends EventFields {
  readonly stageIndex: number;
  readonly unit: string;
  readonly comment: string | null;
  readonly next: StageEntry;
}

/** Approved at the deciding stage: recommended to the deciding unit's chairman, awaiting a decision. */
export interface NominationApprovedData extends EventFields {
  readonly stageIndex: number;
  readonly unit: string;
  readonly comment: string | null;
}

export interface NominationRejectedData extends EventFields {
  /** `approved` when the decider refused a nomination already recommended at the deciding stage. */
  readonly fromStatus: 'in_review' | 'approved';
  readonly stageIndex: number;
  readonly unit: string;
  readonly reasonCode: RejectionReasonCode;
  readonly reason: string;
}

export interface NominationWithdrawnData extends EventFields {
  readonly fromStatus: 'draft' | 'in_review' | 'returned' | 'approved';
  /** Stage the dossier was at (in review, returned by, or approved at); null for a draft. */
  readonly stageIndex: number | null;
  readonly reason: string;
}

export interface NominationAwardedData extends EventFields {
  /** Id of the decision stream (DecisionIssued) this award comes from. */
  readonly decisionId: string;
  /** The decision's number as written on it, e.g. `125/QĐ-UBND`. */
  readonly decisionNumber: string;
  readonly signedOn: string;
  readonly issuingUnit: string;
  /** VND, rounded up to the next 10,000. */
  readonly bonusAmount: number;
  /** VND per month: the base salary in force on `signedOn` that the amount multiplies. */
  readonly baseSalary: number;
}

export interface AwardRevokedData extends EventFields {
  /** Id of the revocation recorded on the decision stream (DecisionRevoked.revocationId). */
  readonly revocationId: string;
  readonly decisionId: string;
  readonly ground: RevocationGround;
  readonly reason: string;
  /** VND to be recovered from the nominee: the bonus paid with the award. */
  readonly bonusToRecover: number;
  /** Number and signing date of the revoking decision. */
  readonly number: string;
  readonly signedOn: string;
  /** Who revoked: the issuing unit, or its successor after the 2025 reform. */
  readonly revokingUnit: { readonly codeSet: string; readonly unit: string };
  /** Items to be handed back besides the bonus. */
  readonly itemsRecovered: readonly ('certificate' | 'flag')[];
}

export type NominationEvent =
  | { readonly type: 'NominationCreated'; readonly data: NominationCreatedData }
  | { readonly type: 'NominationUpdated'; readonly data: NominationUpdatedData }
  | { readonly type: 'NominationSubmitted'; readonly data: NominationSubmittedData }
  | { readonly type: 'NominationReturned'; readonly data: NominationReturnedData }
  | { readonly type: 'CouncilVoteRecorded'; readonly data: CouncilVoteRecordedData }
  | { readonly type: 'StageApproved'; readonly data: StageApprovedData }
  | { readonly type: 'NominationApproved'; readonly data: NominationApprovedData }
  | { readonly type: 'NominationRejected'; readonly data: NominationRejectedData }
  | { readonly type: 'NominationWithdrawn'; readonly data: NominationWithdrawnData }
  | { readonly type: 'NominationAwarded'; readonly data: NominationAwardedData }
  | { readonly type: 'AwardRevoked'; readonly data: AwardRevokedData };

export type NominationEventType = NominationEvent['type'];
