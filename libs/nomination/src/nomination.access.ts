import type { Actor } from './nomination.types';
import { ancestryOf, type NominationState } from './nomination.state';

/**
 * Jurisdiction: a nomination is visible to anyone (any role, auditors and admins included) acting for
 * one of the units recorded as its ancestry at creation (the proposing unit and every unit above it,
 * which includes every unit of its route), in the nomination's own code set. The unit tree as it is
 * today plays no part: re-parenting a unit later neither gives its new parents the older nominations
 * nor takes them from the old ones (issue 12.14). Unit codes mean different areas in different code
 * sets, so a caller acting in `gso-2025` sees only `gso-2025` nominations; staff reviewing older ones
 * act with `codeSet: gso-2004`.
 *
 * The api answers 404 when this is false, so existence is not leaked outside the jurisdiction.
 */
export function canView(actor: Pick<Actor, 'codeSet' | 'unit'>, state: NominationState): boolean {
  if (state.status === 'none' || actor.codeSet !== state.codeSet) return false;
  return ancestryOf(state).some((unit) => unit.unit === actor.unit);
}

/**
 * The unit where the nomination waits for someone to act: the current stage while in review, the
 * deciding unit once approved (its chairman decides), the issuing unit once awarded (it may revoke).
 * Null when no unit acts on it (draft and returned wait for the proposer; final states for nobody).
 */
export function actingUnit(state: NominationState): string | null {
  switch (state.status) {
    case 'in_review':
      return state.currentStage.unit;
    case 'approved':
      return state.route[state.decidingStageIndex]?.unit ?? null;
    case 'awarded':
      return state.award.issuingUnit;
    default:
      return null;
  }
}

/**
 * Whether the caller acts for the unit where the nomination currently waits (see `actingUnit`). Inside
 * the jurisdiction but not here, the api answers 403 to a stage command.
 */
export function isAtCurrentStage(actor: Actor, state: NominationState): boolean {
  return state.status !== 'none' && actor.codeSet === state.codeSet && actingUnit(state) === actor.unit;
}

/** Separation of duties: whoever created or submitted a nomination may not approve, reject or decide it. */
export function isParticipant(actor: Actor, state: NominationState): boolean {
  if (state.status === 'none') return false;
  return state.createdBy.id === actor.id || state.submitters.some((submitter) => submitter.id === actor.id);
}

/** Why a person may not act on a nomination (issue 12.4): what they did to it before. */
export type DutyConflict = 'created' | 'edited' | 'submitted' | 'approved_at_another_stage';

/**
 * Separation of duties by person, across the whole life of a nomination, whatever unit or role their
 * token carries today: whoever created, edited or submitted it, or approved it at one stage, may not
 * approve it (or reject it, or record its council vote) at another stage, nor sign or revoke its
 * decision. `stageIndex` is the stage acted at, or null for the decision (every approval counts).
 * The person is the token's `sub`: someone moved to another unit, or given another role, is the same person.
 */
export function dutyConflict(actor: Actor, state: NominationState, stageIndex: number | null): DutyConflict | null {
  if (state.status === 'none') return null;
  const same = (ref: { readonly id: string }): boolean => ref.id === actor.id;
  if (same(state.createdBy)) return 'created';
  if (((state as { editors?: readonly { id: string }[] }).editors ?? []).some(same)) return 'edited';
  if (state.submitters.some(same)) return 'submitted';
  if (state.approvals.some((a) => same(a.by) && (stageIndex === null || a.stageIndex !== stageIndex))) return 'approved_at_another_stage';
  return null;
}
