import {
  canViewDecision,
  NotFoundError,
  vietnamDate,
  type Actor,
  type DecisionState,
  type UnitDirectory,
} from '@app/nomination';
import type { ReferenceDataService } from './reference-data.service';

/**
 * Who may revoke a decision today: its issuing unit while that unit's code set is in force; after
 * the 2025 reform abolished it, the successor named in the unit data (Huyện Mường La → Tỉnh Sơn La).
 */
export function revokingUnitOf(
  reference: ReferenceDataService,
  state: DecisionState,
  directory: UnitDirectory,
  now: Date,
): { codeSet: string; unit: string } | undefined {
  if (state.status === 'none') return undefined;
  const today = vietnamDate(now);
  const definition = reference.data.codeSets.find((c) => c.id === state.codeSet);
  if (definition?.validUntil === null || definition === undefined || today <= definition.validUntil) return undefined;
  const successor = directory.successorOf(state.codeSet, state.issuingUnit);
  return successor ? { codeSet: successor.codeSet, unit: successor.code } : undefined;
}

/** Whose deciders may revoke the decision today: the successor of an abolished issuing unit, else the issuing unit. */
export function revocableBy(
  reference: ReferenceDataService,
  state: Exclude<DecisionState, { status: 'none' }>,
  directory: UnitDirectory,
  now: Date,
): { codeSet: string; unit: string } {
  return revokingUnitOf(reference, state, directory, now) ?? { codeSet: state.codeSet, unit: state.issuingUnit };
}

/**
 * A decision is visible in its code set to staff of the units recorded as its issuer's ancestry (its
 * issuing unit and the units above it when it was issued; canViewDecision), never by the unit tree of
 * today (issue 12.14); and to the successor of an abolished issuing unit (which revokes it) and the
 * units above that successor now.
 */
export function assertDecisionVisible(
  actor: Actor,
  state: DecisionState,
  decisionId: string,
  directory: UnitDirectory,
  successor?: { readonly codeSet: string; readonly unit: string },
): void {
  if (state.status === 'none') throw new NotFoundError(`Decision ${decisionId} not found`);
  if (successor !== undefined && actor.codeSet === successor.codeSet && directory.isAtOrUnder(successor.codeSet, successor.unit, actor.unit)) return;
  if (!canViewDecision(actor, state)) throw new NotFoundError(`Decision ${decisionId} not found`);
}
