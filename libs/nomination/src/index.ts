// Public surface of @app/nomination: the framework-free domain. Import nothing else from this lib.

export { normalizeName, normalizeText, searchKey } from './text';

export {
  AwardNotOfferedError,
  CouncilVoteRequiredError,
  DomainError,
  DOMAIN_ERROR_CODES,
  type DomainErrorCode,
  NOMINATION_ERROR_CODES,
  type NominationErrorCode,
  type FieldIssue,
  ForbiddenError,
  InvalidTransitionError,
  isDomainError,
  NoUnitAtLevelError,
  NotFoundError,
  SupplementLimitReachedError,
  UnknownUnitError,
  ValidationFailedError,
} from './nomination.errors';

export type {
  AwardKind,
  AwardType,
  BaseSalaryEntry,
  BonusMultiples,
  CodeSetDefinition,
  DayOff,
  DayOffKind,
  DocumentKind,
  HolidayCalendarData,
  HolidayYear,
  LevelDefinition,
  LocalizedText,
  NomineeKind,
  ReferenceData,
  RuleSet,
  Share,
  UnitRecord,
  UnitRef,
} from './reference-data/reference-data.types';
export { DOCUMENT_KINDS, NOMINEE_KINDS } from './reference-data/reference-data.types';
export {
  bundledReferenceData,
  findAward,
  findRuleSet,
  loadReferenceData,
  type RawReferenceData,
  ReferenceDataError,
  ruleSetInForce,
  validateReferenceData,
} from './reference-data/reference-data';

export { mergeUnitRecords, UnitDirectory, UnitDirectoryError, validateUnitRecords } from './unit-directory';
export { resolveRoute, type RouteStage } from './stage-route';
export { type IsoDate, vietnamDate, WorkingDayCalendar } from './working-day-calendar';
export {
  type CouncilVoteCounts,
  type CouncilVoteOutcome,
  type CouncilVoteThresholds,
  evaluateCouncilVote,
  parseShare,
  shareOf,
  validateCouncilVoteCounts,
} from './council-vote';

export {
  type Actor,
  type ActorRef,
  type CollectiveNominee,
  type CouncilVoteInput,
  type DocumentRef,
  type Gender,
  GENDERS,
  type HouseholdNominee,
  type IndividualNominee,
  type NominationRules,
  type Nominee,
  REJECTION_REASON_CODES,
  type RejectionReasonCode,
  REVOCATION_GROUNDS,
  type RevocationGround,
  type Role,
  ROLES,
} from './nomination.types';
export type * from './nomination.commands';
export {
  type AwardRevokedData,
  type CouncilVoteRecordedData,
  type NominationApprovedData,
  type NominationChanges,
  type NominationAwardedData,
  type NominationCreatedData,
  type NominationEvent,
  type NominationEventType,
  type NominationRejectedData,
  type NominationReturnedData,
  type NominationSubmittedData,
  type NominationUpdatedData,
  type NominationWithdrawnData,
  type StageApprovedData,
  type StageEntry,
} from './nomination.events';
export {
  defineCodec,
  type Decoders,
  type EventCodec,
  EventDecodeError,
  type StoredEvent,
  streamCategory,
  streamEntityId,
} from './event-codec';
export {
  isNominationEventType,
  NOMINATION_CATEGORY,
  NOMINATION_EVENT_TYPES,
  nominationCodec,
  nominationStreamId,
  toNominationEvent,
} from './nomination.codec';
export { DECISION_CATEGORY, DECISION_EVENT_TYPES, decisionCodec, decisionStreamId, toDecisionEvent } from './decision.codec';
export { decodeServiceEvent, EVENT_CATEGORIES, type EventCategory, isEventCategory, type ServiceEvent } from './service-events';
export {
  type ApprovedNomination,
  type AwardedNomination,
  type AwardRecord,
  type CouncilVoteRecord,
  type CurrentStage,
  decidingStage,
  type DraftNomination,
  evolve,
  type ExistingNomination,
  foldNomination,
  initialNominationState,
  type InReviewNomination,
  type NoNomination,
  type NominationRecord,
  type NominationState,
  type NominationStatus,
  type NotAwardedNomination,
  type RejectionRecord,
  type ReturnedNomination,
  type ReturnRecord,
  type RevocationRecord,
  type RevokedNomination,
  type StageApprovalRecord,
  type StageProgress,
  type StageStatus,
  type WithdrawalRecord,
  type WithdrawnNomination,
} from './nomination.state';
export { decide, type NominationContext } from './nomination.decide';
export { actingUnit, canView, dutyConflict, isAtCurrentStage, isParticipant } from './nomination.access';
export type { DutyConflict } from './nomination.access';

export { bonusMultipleFor, BONUS_ROUNDING_VND, computeBonus, HOUSEHOLD_FACTOR } from './bonus';
export { baseSalaryOn, BaseSalaryUnknownError, withBaseSalaryOverride } from './base-salary';
export { decisionNumberComparisonKey, decisionNumberKey, decisionNumberWarnings, normalizeDecisionNumber } from './decision-number';
export {
  awardCommandsFor,
  type DecisionCommand,
  type DecisionContext,
  decideDecision,
  type DecisionEvent,
  type DecisionIssuedData,
  type DecisionNomination,
  type DecisionOffenceReason,
  type DecisionRevokedData,
  type DecisionState,
  type DecisionValidation,
  type DecisionValidationContext,
  evolveDecision,
  foldDecision,
  initialDecisionState,
  type IssueDecision,
  type RecoveredItem,
  recoveredItemsFor,
  type RecoveryLine,
  revokeCommandsFor,
  type RevocationEntry,
  type RevokeDecision,
  type Signer,
  validateDecision,
} from './decision';
