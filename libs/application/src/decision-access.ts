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
 * The unit that stands today for `unit` of `codeSet`: once that code set is no longer in force, the
 * successor named in the unit data (Huyện Mường La → Tỉnh Sơn La); undefined while it is in force or
 * when the unit names none.
 */
export function successorOfAbolished(
  reference: ReferenceDataService,
  codeSet: string,
  unit: string,
  directory: UnitDirectory,
  now: Date,
): { codeSet: string; unit: string } | undefined {
  const definition = reference.data.codeSets.find((c) => c.id === codeSet);
  if (definition?.validUntil === null || definition === undefined || vietnamDate(now) <= definition.validUntil) return undefined;
  const successor = directory.successorOf(codeSet, unit);
  return successor ? { codeSet: successor.codeSet, unit: successor.code } : undefined;
}

/**
 * Who may revoke a decision today: its issuing unit while that unit's code set is in force; after
 * the 2025 reform abolished it, the successor named in the unit data (successorOfAbolished).
 */
export function revokingUnitOf(
  reference: ReferenceDataService,
  state: DecisionState,
  directory: UnitDirectory,
  now: Date,
): { codeSet: string; unit: string } | undefined {
  if (state.status === 'none') return undefined;
  return successorOfAbolished(reference, state.codeSet, state.issuingUnit, directory, now);
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
