import type { EventStore, RecordedEvent } from '@app/event-store';
import {
  decisionCodec,
  decisionNumberWarnings,
  decisionStreamId,
  evolveDecision,
  initialDecisionState,
  NotFoundError,
  type DecisionRevokedData,
  type DecisionState,
} from '@app/nomination';
import { readOrEmpty } from './stream-command';
import type { DecisionView } from './views';

export const decisionStream = decisionStreamId;

type IssuedDecision = Exclude<DecisionState, { status: 'none' }>;

/** `revoker`: whose deciders may revoke it today (revocableBy in decision-access). */
export function toDecisionView(
  state: IssuedDecision,
  revocations: readonly DecisionRevokedData[],
  revoker: (state: IssuedDecision) => { codeSet: string; unit: string },
): DecisionView {
  return {
    id: state.decisionId,
    number: state.number,
    warnings: decisionNumberWarnings(state.number),
    signedOn: state.signedOn,
    signer: state.signer,
    codeSet: state.codeSet,
    issuingUnit: state.issuingUnit,
    revocableBy: revoker(state),
    reason: state.reason,
    baseSalary: state.baseSalary,
    nominations: state.nominations.map((n) => (state.revoked[n.nominationId] ? { ...n, revoked: state.revoked[n.nominationId]! } : n)),
    bonusTotal: state.nominations.reduce((sum, n) => sum + n.bonusAmount, 0),
    revocations: revocations.map((r) => ({
      revocationId: r.revocationId, number: r.number, signedOn: r.signedOn, revokingUnit: r.revokingUnit, ground: r.ground,
      reason: r.reason, nominationIds: r.nominationIds, bonusToRecover: r.bonusToRecover, recovery: r.recovery, at: r.at, by: r.by,
    })),
    issuedAt: state.at,
    issuedBy: state.by,
  };
}

export function foldDecision(events: readonly RecordedEvent[]): DecisionState {
  return events.reduce((s, e) => evolveDecision(s, decisionCodec.decode(e)), initialDecisionState);
}

export function revocationsOf(events: readonly RecordedEvent[]): DecisionRevokedData[] {
  return events.map((e) => decisionCodec.decode(e)).flatMap((e) => (e.type === 'DecisionRevoked' ? [e.data] : []));
}

/** The decision as the log now holds it, with its revocations. */
export async function readDecisionView(
  store: EventStore,
  decisionId: string,
  revoker: (state: IssuedDecision) => { codeSet: string; unit: string },
): Promise<DecisionView> {
  const events = await readOrEmpty(store, decisionStream(decisionId));
  const state = foldDecision(events);
  if (state.status === 'none') throw new NotFoundError(`Decision ${decisionId} not found`);
  return toDecisionView(state, revocationsOf(events), revoker);
}
