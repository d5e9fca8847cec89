import { defineCodec, type EventCodec, type Payload, shapeOf, unsupportedVersion } from './event-codec';
import type {
  AwardRevokedData,
  CouncilVoteRecordedData,
  NominationApprovedData,
  NominationAwardedData,
  NominationChanges,
  NominationCreatedData,
  NominationEvent,
  NominationEventType,
  NominationRejectedData,
  NominationReturnedData,
  NominationSubmittedData,
  NominationUpdatedData,
  NominationWithdrawnData,
  StageApprovedData,
} from './nomination.events';
import type { ActorRef } from './nomination.types';

export const NOMINATION_CATEGORY = 'nomination';

export const nominationStreamId = (nominationId: string): string => `${NOMINATION_CATEGORY}-${nominationId}`;

const COMMON = { at: 'string', by: 'object' } as const;

/** Version 1 of NominationUpdated, frozen: written until `previous` was added. */
interface NominationUpdatedDataV1 {
  readonly schemaVersion: 1;
  readonly at: string;
  readonly by: ActorRef;
  readonly changes: NominationChanges;
}

const updatedV1 = shapeOf<NominationUpdatedDataV1>({ ...COMMON, changes: 'object' });
const updatedV2 = shapeOf<NominationUpdatedData>({ ...COMMON, changes: 'object', previous: 'object|null' });

function nominationUpdated(payload: Payload, version: number): NominationUpdatedData {
  switch (version) {
    case 1: {
      const v1 = updatedV1(payload);
      return { schemaVersion: 2, at: v1.at, by: v1.by, changes: v1.changes, previous: null };
    }
    case 2:
      return updatedV2(payload);
    default:
      return unsupportedVersion(version);
  }
}

/** An event type with only one schema version so far: its fields checked, returned as is. */
function v1<Data>(fields: Parameters<typeof shapeOf>[0]): (payload: Payload, version: number) => Data {
  const check = shapeOf<Data>({ ...COMMON, ...fields });
  return (payload, version) => (version === 1 ? check(payload) : unsupportedVersion(version));
}

/** The nomination stream's codec: every path that reads a nomination stream decodes through it. */
export const nominationCodec: EventCodec<NominationEvent> = defineCodec<NominationEvent>(NOMINATION_CATEGORY, {
  NominationCreated: v1<NominationCreatedData>({
    nominationId: 'string', ruleSet: 'string', codeSet: 'string', awardCode: 'string', awardName: 'object', awardKind: 'string',
    year: 'number', proposingUnit: 'string', nominee: 'object', achievements: 'string', documents: 'array', route: 'array',
    decidingStageIndex: 'number', rules: 'object',
  }),
  NominationUpdated: nominationUpdated,
  NominationSubmitted: v1<NominationSubmittedData>({ stage: 'object', resubmission: 'boolean' }),
  NominationReturned: v1<NominationReturnedData>({ stageIndex: 'number', unit: 'string', reason: 'string', missing: 'array', returnNumber: 'number' }),
  CouncilVoteRecorded: v1<CouncilVoteRecordedData>({
    stageIndex: 'number', unit: 'string', sessionDate: 'string', minutesNumber: 'string', members: 'number', present: 'number',
    inFavour: 'number', against: 'number', quorumRequired: 'number', approvalRequired: 'number', passed: 'boolean',
  }),
  StageApproved: v1<StageApprovedData>({ stageIndex: 'number', unit: 'string', comment: 'string|null', next: 'object' }),
  NominationApproved: v1<NominationApprovedData>({ stageIndex: 'number', unit: 'string', comment: 'string|null' }),
  NominationRejected: v1<NominationRejectedData>({ fromStatus: 'string', stageIndex: 'number', unit: 'string', reasonCode: 'string', reason: 'string' }),
  NominationWithdrawn: v1<NominationWithdrawnData>({ fromStatus: 'string', stageIndex: 'number|null', reason: 'string' }),
  NominationAwarded: v1<NominationAwardedData>({
    decisionId: 'string', decisionNumber: 'string', signedOn: 'string', issuingUnit: 'string', bonusAmount: 'number',
  }),
  AwardRevoked: v1<AwardRevokedData>({ revocationId: 'string', decisionId: 'string', ground: 'string', reason: 'string', bonusToRecover: 'number' }),
});

export const NOMINATION_EVENT_TYPES: readonly NominationEventType[] = nominationCodec.eventTypes;

export function isNominationEventType(type: string): type is NominationEventType {
  return nominationCodec.isEventType(type);
}

/**
 * Decodes one stored nomination event (see `nominationCodec`).
 * @throws EventDecodeError for an unknown type or version or a malformed payload.
 */
export function toNominationEvent(type: string, data: unknown): NominationEvent {
  return nominationCodec.decode({ type, data });
}
