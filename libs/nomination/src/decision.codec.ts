import type { DecisionEvent, DecisionIssuedData, DecisionRevokedData } from './decision';
import { defineCodec, type EventCodec, expectShape, type Payload, unsupportedVersion } from './event-codec';

export const DECISION_CATEGORY = 'decision';

export const decisionStreamId = (decisionId: string): string => `${DECISION_CATEGORY}-${decisionId}`;

const COMMON = { at: 'string', by: 'object' } as const;

/** The decision stream's codec: every path that reads a decision stream decodes through it. */
export const decisionCodec: EventCodec<DecisionEvent> = defineCodec<DecisionEvent>(DECISION_CATEGORY, {
  DecisionIssued: (payload: Payload, version: number) => version === 1
    ? expectShape<DecisionIssuedData>(payload, {
        ...COMMON, decisionId: 'string', number: 'string', signedOn: 'string', signer: 'object', codeSet: 'string', issuingUnit: 'string',
        reason: 'string', nominations: 'array',
      })
    : unsupportedVersion(version),
  DecisionRevoked: (payload: Payload, version: number) => version === 1
    ? expectShape<DecisionRevokedData>(payload, {
        ...COMMON, revocationId: 'string', nominationIds: 'array', ground: 'string', reason: 'string', number: 'string|null',
        signedOn: 'string|null', bonusToRecover: 'number',
      })
    : unsupportedVersion(version),
});

export const DECISION_EVENT_TYPES: readonly DecisionEvent['type'][] = decisionCodec.eventTypes;

/** @throws EventDecodeError */
export function toDecisionEvent(type: string, data: unknown): DecisionEvent {
  return decisionCodec.decode({ type, data });
}
