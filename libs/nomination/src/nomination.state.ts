import type { NominationEvent, StageEntry } from './nomination.events';
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
import type { RouteStage } from './stage-route';

export type StageStatus = 'pending' | 'in_review' | 'returned' | 'approved' | 'rejected' | 'withdrawn';

/** A stage of the route with its progress; times are ISO instants, `dueOn` a Vietnam date. */
export interface StageProgress extends RouteStage {
  readonly status: StageStatus;
  /** Latest arrival (a resubmission restarts the stage). */
  readonly enteredAt: string | null;
  readonly leftAt: string | null;
  readonly dueOn: string | null;
}

export interface ReturnRecord {
  readonly stageIndex: number;
  readonly unit: string;
  readonly reason: string;
  readonly missing: readonly string[];
  readonly at: string;
  readonly by: ActorRef;
}

export interface CouncilVoteRecord {
  readonly stageIndex: number;
  readonly unit: string;
  readonly sessionDate: string;
  readonly minutesNumber: string;
  readonly members: number;
  readonly present: number;
  readonly inFavour: number;
  readonly against: number;
  readonly writtenInFavour: number;
  readonly writtenAgainst: number;
  readonly quorumRequired: number;
  readonly approvalRequired: number;
  readonly passed: boolean;
  readonly at: string;
  readonly by: ActorRef;
}

export interface StageApprovalRecord {
  readonly stageIndex: number;
  readonly unit: string;
  readonly comment: string | null;
  readonly at: string;
  readonly by: ActorRef;
}

/** What every existing nomination has, whatever its status. */
export interface NominationRecord {
  readonly id: string;
  readonly ruleSet: string;
  readonly codeSet: string;
  readonly awardCode: string;
  readonly awardName: LocalizedText;
  readonly awardKind: AwardKind;
  readonly year: number;
  readonly proposingUnit: string;
  readonly nominee: Nominee;
  readonly achievements: string;
  readonly documents: readonly DocumentRef[];
  readonly route: readonly StageProgress[];
  readonly decidingStageIndex: number;
  /** The units from the proposing unit to the root as recorded at creation: the nomination's readers (NominationCreatedData.ancestry). */
  readonly ancestry: readonly RouteStage[];
  readonly rules: NominationRules;
  readonly createdBy: ActorRef;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Everyone who ever submitted it, first submitter first; barred from approving and deciding. */
  readonly submitters: readonly ActorRef[];
  /** Everyone who ever edited it (PATCH), first editor first; barred like the submitters (issue 12.4). */
  readonly editors: readonly ActorRef[];
  readonly returns: readonly ReturnRecord[];
  readonly councilVotes: readonly CouncilVoteRecord[];
  readonly approvals: readonly StageApprovalRecord[];
}

export interface CurrentStage extends RouteStage {
  readonly index: number;
  readonly enteredAt: string;
  readonly dueOn: string;
}

export interface AwardRecord {
  readonly decisionId: string;
  readonly decisionNumber: string;
  readonly signedOn: string;
  readonly issuingUnit: string;
  readonly bonusAmount: number;
  /** VND per month, the base salary the bonus multiplies. */
  readonly baseSalary: number;
  readonly at: string;
  readonly by: ActorRef;
}

export interface RejectionRecord {
  readonly fromStatus: 'in_review' | 'approved';
  readonly stageIndex: number;
  readonly unit: string;
  readonly reasonCode: RejectionReasonCode;
  readonly reason: string;
  readonly at: string;
  readonly by: ActorRef;
}

export interface WithdrawalRecord {
  readonly fromStatus: 'draft' | 'in_review' | 'returned' | 'approved';
  readonly stageIndex: number | null;
  readonly reason: string;
  readonly at: string;
  readonly by: ActorRef;
}

export interface RevocationRecord {
  readonly revocationId: string;
  readonly decisionId: string;
  readonly ground: RevocationGround;
  readonly reason: string;
  readonly bonusToRecover: number;
  readonly number: string;
  readonly signedOn: string;
  readonly revokingUnit: { readonly codeSet: string; readonly unit: string };
  readonly itemsRecovered: readonly ('certificate' | 'flag')[];
  readonly at: string;
  readonly by: ActorRef;
}

export interface NoNomination {
  readonly status: 'none';
}
export interface DraftNomination extends NominationRecord {
  readonly status: 'draft';
}
export interface InReviewNomination extends NominationRecord {
  readonly status: 'in_review';
  readonly currentStage: CurrentStage;
}
export interface ReturnedNomination extends NominationRecord {
  readonly status: 'returned';
  /** The stage that asked for supplementation; resubmission goes back to it. */
  readonly returnedFrom: RouteStage & { readonly index: number };
}
export interface ApprovedNomination extends NominationRecord {
  readonly status: 'approved';
  readonly approvedAt: string;
}
export interface NotAwardedNomination extends NominationRecord {
  readonly status: 'not_awarded';
  readonly rejection: RejectionRecord;
}
export interface WithdrawnNomination extends NominationRecord {
  readonly status: 'withdrawn';
  readonly withdrawal: WithdrawalRecord;
}
export interface AwardedNomination extends NominationRecord {
  readonly status: 'awarded';
  readonly award: AwardRecord;
}
export interface RevokedNomination extends NominationRecord {
  readonly status: 'revoked';
  readonly award: AwardRecord;
  readonly revocation: RevocationRecord;
}

export type NominationState =
  | NoNomination
  | DraftNomination
  | InReviewNomination
  | ReturnedNomination
  | ApprovedNomination
  | NotAwardedNomination
  | WithdrawnNomination
  | AwardedNomination
  | RevokedNomination;

export type NominationStatus = Exclude<NominationState['status'], 'none'>;
export type ExistingNomination = Exclude<NominationState, NoNomination>;

export const initialNominationState: NominationState = { status: 'none' };

export function assertNever(value: never): never {
  throw new Error(`Unhandled case: ${JSON.stringify(value)}`);
}

/** The common part of a state, without its status-specific fields, as last updated at `updatedAt`. */
export function nominationRecord(state: ExistingNomination, updatedAt = state.updatedAt): NominationRecord {
  const {
    id, ruleSet, codeSet, awardCode, awardName, awardKind, year, proposingUnit, nominee, achievements, documents, route,
    decidingStageIndex, rules, createdBy, createdAt, submitters, returns, councilVotes, approvals,
  } = state;
  // States stored by read models before editors were kept have none.
  const editors = (state as { editors?: readonly ActorRef[] }).editors ?? [];
  return {
    id, ruleSet, codeSet, awardCode, awardName, awardKind, year, proposingUnit, nominee, achievements, documents, route,
    decidingStageIndex, ancestry: ancestryOf(state), rules, createdBy, createdAt, updatedAt, submitters, editors, returns, councilVotes, approvals,
  };
}

/**
 * The recorded ancestry; a state stored by a read model before it was kept reads as its route, as
 * the codec upcasts a version-1 NominationCreated.
 */
export function ancestryOf(state: ExistingNomination): readonly RouteStage[] {
  const recorded = (state as { ancestry?: readonly RouteStage[] }).ancestry;
  return recorded ?? state.route.map(({ unit, unitName, level }) => ({ unit, unitName, level }));
}

export function decidingStage(state: ExistingNomination): StageProgress {
  return state.route[state.decidingStageIndex]!;
}

function setStage(route: readonly StageProgress[], index: number, change: Partial<StageProgress>): StageProgress[] {
  return route.map((stage, i) => (i === index ? { ...stage, ...change } : stage));
}

function enter(route: readonly StageProgress[], entry: StageEntry, at: string): StageProgress[] {
  return setStage(route, entry.index, { status: 'in_review', enteredAt: at, leftAt: null, dueOn: entry.dueOn });
}

function currentStageOf(entry: StageEntry, at: string): CurrentStage {
  return { index: entry.index, unit: entry.unit, unitName: entry.unitName, level: entry.level, enteredAt: at, dueOn: entry.dueOn };
}

/**
 * Applies one recorded event. Total and never throwing: an event that does not fit the state (which
 * `decide` never produces) leaves the state unchanged, so a projection can always replay the log.
 */
export function evolve(state: NominationState, event: NominationEvent): NominationState {
  if (event.type === 'NominationCreated') {
    if (state.status !== 'none') return state;
    const e = event.data;
    return {
      status: 'draft',
      id: e.nominationId, ruleSet: e.ruleSet, codeSet: e.codeSet, awardCode: e.awardCode, awardName: e.awardName,
      awardKind: e.awardKind, year: e.year, proposingUnit: e.proposingUnit, nominee: e.nominee, achievements: e.achievements,
      documents: e.documents,
      route: e.route.map((stage) => ({ ...stage, status: 'pending', enteredAt: null, leftAt: null, dueOn: null })),
      decidingStageIndex: e.decidingStageIndex, ancestry: e.ancestry, rules: e.rules, createdBy: e.by, createdAt: e.at, updatedAt: e.at,
      submitters: [], editors: [], returns: [], councilVotes: [], approvals: [],
    };
  }
  if (state.status === 'none') return state;
  const record = nominationRecord(state, event.data.at);

  switch (event.type) {
    case 'NominationUpdated': {
      if (state.status !== 'draft' && state.status !== 'returned') return state;
      const by = event.data.by;
      const editors = record.editors.some((e) => e.id === by.id) ? record.editors : [...record.editors, by];
      return { ...state, ...event.data.changes, editors, updatedAt: event.data.at };
    }
    case 'NominationSubmitted': {
      const e = event.data;
      const submitters = record.submitters.some((s) => s.id === e.by.id) ? record.submitters : [...record.submitters, e.by];
      return {
        ...record, status: 'in_review', submitters,
        route: enter(record.route, e.stage, e.at),
        currentStage: currentStageOf(e.stage, e.at),
      };
    }
    case 'NominationReturned': {
      const e = event.data;
      const stage = record.route[e.stageIndex];
      if (!stage) return state;
      return {
        ...record, status: 'returned',
        route: setStage(record.route, e.stageIndex, { status: 'returned', leftAt: e.at }),
        returns: [...record.returns, { stageIndex: e.stageIndex, unit: e.unit, reason: e.reason, missing: e.missing, at: e.at, by: e.by }],
        returnedFrom: { index: e.stageIndex, unit: stage.unit, unitName: stage.unitName, level: stage.level },
      };
    }
    case 'CouncilVoteRecorded': {
      const { schemaVersion: _v, ...vote } = event.data;
      // Votes recorded before written opinions were recorded had none.
      const withWritten = { ...vote, writtenInFavour: vote.writtenInFavour ?? 0, writtenAgainst: vote.writtenAgainst ?? 0 };
      return { ...state, updatedAt: event.data.at, councilVotes: [...record.councilVotes, withWritten] };
    }
    case 'StageApproved': {
      const e = event.data;
      const route = enter(setStage(record.route, e.stageIndex, { status: 'approved', leftAt: e.at }), e.next, e.at);
      return {
        ...record, status: 'in_review', route,
        approvals: [...record.approvals, { stageIndex: e.stageIndex, unit: e.unit, comment: e.comment, at: e.at, by: e.by }],
        currentStage: currentStageOf(e.next, e.at),
      };
    }
    case 'NominationApproved': {
      const e = event.data;
      return {
        ...record, status: 'approved', approvedAt: e.at,
        route: setStage(record.route, e.stageIndex, { status: 'approved', leftAt: e.at }),
        approvals: [...record.approvals, { stageIndex: e.stageIndex, unit: e.unit, comment: e.comment, at: e.at, by: e.by }],
      };
    }
    case 'NominationRejected': {
      const { schemaVersion: _v, ...rejection } = event.data;
      const route = rejection.fromStatus === 'in_review'
        ? setStage(record.route, rejection.stageIndex, { status: 'rejected', leftAt: rejection.at })
        : record.route;
      return { ...record, status: 'not_awarded', route, rejection };
    }
    case 'NominationWithdrawn': {
      const { schemaVersion: _v, ...withdrawal } = event.data;
      const route = withdrawal.fromStatus === 'in_review' && withdrawal.stageIndex !== null
        ? setStage(record.route, withdrawal.stageIndex, { status: 'withdrawn', leftAt: withdrawal.at })
        : record.route;
      return { ...record, status: 'withdrawn', route, withdrawal };
    }
    case 'NominationAwarded': {
      const { schemaVersion: _v, ...award } = event.data;
      return { ...record, status: 'awarded', award };
    }
    case 'AwardRevoked': {
      if (state.status !== 'awarded') return state;
      const { schemaVersion: _v, ...revocation } = event.data;
      return { ...record, status: 'revoked', award: state.award, revocation };
    }
    default:
      return assertNever(event);
  }
}

export function foldNomination(events: readonly NominationEvent[], from: NominationState = initialNominationState): NominationState {
  return events.reduce(evolve, from);
}
