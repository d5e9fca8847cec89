import type { DecisionEvent, DecisionIssuedData, DecisionNomination, DecisionRevokedData, Signer } from './decision';
import type { ActorRef } from './nomination.types';
import { defineCodec, type EventCodec, expectShape, type Payload, unsupportedVersion } from './event-codec';

export const DECISION_CATEGORY = 'decision';

export const decisionStreamId = (decisionId: string): string => `${DECISION_CATEGORY}-${decisionId}`;

const COMMON = { at: 'string', by: 'object' } as const;

/** Version 1 of DecisionIssued, frozen: written until `issuerAncestry` was added. */
interface DecisionIssuedDataV1 {
  readonly schemaVersion: 1;
  readonly at: string;
  readonly by: ActorRef;
  readonly decisionId: string;
  readonly number: string;
  readonly signedOn: string;
  readonly signer: Signer;
  readonly codeSet: string;
  readonly issuingUnit: string;
  readonly reason: string;
  readonly baseSalary: number;
  readonly nominations: readonly DecisionNomination[];
}

const ISSUED_FIELDS = {
  ...COMMON, decisionId: 'string', number: 'string', signedOn: 'string', signer: 'object', codeSet: 'string', issuingUnit: 'string',
  reason: 'string', nominations: 'array',
} as const;

function decisionIssued(payload: Payload, version: number): DecisionIssuedData {
  switch (version) {
    case 1: {
      // The units above the issuer were not recorded; its readers are the issuing unit alone (fails closed).
      const v1 = expectShape<DecisionIssuedDataV1>(payload, ISSUED_FIELDS);
      return { ...v1, schemaVersion: 2, issuerAncestry: [v1.issuingUnit] };
    }
    case 2:
      return expectShape<DecisionIssuedData>(payload, { ...ISSUED_FIELDS, issuerAncestry: 'array' });
    default:
      return unsupportedVersion(version);
  }
}

/** The decision stream's codec: every path that reads a decision stream decodes through it. */
export const decisionCodec: EventCodec<DecisionEvent> = defineCodec<DecisionEvent>(DECISION_CATEGORY, {
  DecisionIssued: decisionIssued,
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
