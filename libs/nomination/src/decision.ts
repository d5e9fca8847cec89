import { bonusMultipleFor, computeBonus } from './bonus';
import { normalizeDecisionNumber } from './decision-number';
import type { AwardNomination, RevokeAward } from './nomination.commands';
import {
  type FieldIssue,
  ForbiddenError,
  InvalidTransitionError,
  NotFoundError,
  ValidationFailedError,
} from './nomination.errors';
import { assertNever, type NominationState } from './nomination.state';
import { type Actor, type ActorRef, type NomineeKind, REVOCATION_GROUNDS, type RevocationGround } from './nomination.types';
import { optionalText, requiredText, throwIfIssues, validatePastDate } from './nomination.validation';
import { vietnamDate } from './working-day-calendar';

/** One nomination covered by a decision, with the bonus fixed when the decision was issued. */
export interface DecisionNomination {
  readonly nominationId: string;
  readonly awardCode: string;
  readonly nomineeKind: NomineeKind;
  readonly nomineeName: string;
  /** VND, rounded up to the thousand; 0 when no amount is configured. */
  readonly bonusAmount: number;
}

export interface Signer {
  readonly name: string;
  /** e.g. `Chủ tịch UBND huyện`, or `KT. Chủ tịch – Phó Chủ tịch` when signing on delegation. */
  readonly title: string;
}

interface DecisionEventFields {
  readonly schemaVersion: 1;
  readonly at: string;
  readonly by: ActorRef;
}

export interface DecisionIssuedData extends DecisionEventFields {
  readonly decisionId: string;
  /** Normalised (see `normalizeDecisionNumber`); uniqueness per unit is the caller's index's job. */
  readonly number: string;
  readonly signedOn: string;
  readonly signer: Signer;
  readonly codeSet: string;
  readonly issuingUnit: string;
  readonly reason: string;
  readonly nominations: readonly DecisionNomination[];
}

/**
 * A revocation decision (hủy bỏ) pointing at this one, for some or all of its nominations. Nothing is
 * deleted: the nominations move to `revoked` through their own AwardRevoked events.
 */
export interface DecisionRevokedData extends DecisionEventFields {
  readonly revocationId: string;
  readonly nominationIds: readonly string[];
  readonly ground: RevocationGround;
  readonly reason: string;
  /** Number and date of the revoking decision, when it has its own document. */
  readonly number: string | null;
  readonly signedOn: string | null;
  /** VND to recover across the listed nominations. */
  readonly bonusToRecover: number;
}

export type DecisionEvent =
  | { readonly type: 'DecisionIssued'; readonly data: DecisionIssuedData }
  | { readonly type: 'DecisionRevoked'; readonly data: DecisionRevokedData };

export const DECISION_EVENT_TYPES: readonly DecisionEvent['type'][] = ['DecisionIssued', 'DecisionRevoked'];

export function toDecisionEvent(type: string, data: unknown): DecisionEvent {
  if (!(DECISION_EVENT_TYPES as readonly string[]).includes(type)) throw new Error(`Unknown decision event type ${type}`);
  const version = (data as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (version !== 1) throw new Error(`Unsupported schemaVersion ${String(version)} for ${type}`);
  return { type, data } as DecisionEvent;
}

export interface IssueDecision {
  readonly type: 'IssueDecision';
  readonly decisionId: string;
  readonly number: string;
  readonly signedOn: string;
  readonly signer: Signer;
  readonly reason: string;
  /** From a successful `validateDecision`. */
  readonly nominations: readonly DecisionNomination[];
}

export interface RevokeDecision {
  readonly type: 'RevokeDecision';
  readonly revocationId: string;
  readonly nominationIds: readonly string[];
  readonly ground: RevocationGround;
  readonly reason: string;
  readonly number?: string | null;
  readonly signedOn?: string | null;
}

export type DecisionCommand = IssueDecision | RevokeDecision;

export interface RevocationEntry {
  readonly revocationId: string;
  readonly ground: RevocationGround;
  readonly at: string;
}

export type DecisionState =
  | { readonly status: 'none' }
  | (Omit<DecisionIssuedData, 'schemaVersion'> & {
      readonly status: 'issued';
      /** Revoked nominations by id. When every nomination is revoked the decision stays `issued`, fully revoked. */
      readonly revoked: Readonly<Record<string, RevocationEntry>>;
    });

export const initialDecisionState: DecisionState = { status: 'none' };

export interface DecisionContext {
  readonly now: Date;
  readonly actor: Actor;
}

function actorRef(actor: Actor): ActorRef {
  return { id: actor.id, name: actor.name, unit: actor.unit, roles: [...actor.roles] };
}

export function decideDecision(state: DecisionState, command: DecisionCommand, ctx: DecisionContext): DecisionEvent[] {
  const { actor } = ctx;
  if (!actor.roles.includes('decider')) throw new ForbiddenError('Only a decider may issue or revoke decisions', { reason: 'role' });
  const today = vietnamDate(ctx.now);
  const base = { schemaVersion: 1 as const, at: ctx.now.toISOString(), by: actorRef(actor) };
  switch (command.type) {
    case 'IssueDecision': {
      if (state.status !== 'none') throw new InvalidTransitionError('Decision already issued', { decisionId: state.decisionId });
      const issues: FieldIssue[] = [];
      const decisionId = requiredText(issues, 'decisionId', command.decisionId, 100);
      const number = requiredText(issues, 'number', command.number, 100);
      const signedOn = validatePastDate(issues, 'signedOn', command.signedOn, today);
      const signerName = requiredText(issues, 'signer.name', command.signer?.name, 300);
      const signerTitle = requiredText(issues, 'signer.title', command.signer?.title, 300);
      const reason = requiredText(issues, 'reason', command.reason, 4000, { multiline: true });
      const ids = command.nominations.map((n) => n.nominationId);
      if (ids.length === 0) issues.push({ field: 'nominationIds', message: 'must list at least one nomination' });
      if (new Set(ids).size !== ids.length) issues.push({ field: 'nominationIds', message: 'lists a nomination twice' });
      throwIfIssues(issues, 'Invalid decision');
      return [{
        type: 'DecisionIssued',
        data: {
          ...base, decisionId: decisionId!, number: normalizeDecisionNumber(number!), signedOn: signedOn!,
          signer: { name: signerName!, title: signerTitle! }, codeSet: actor.codeSet, issuingUnit: actor.unit, reason: reason!,
          nominations: command.nominations.map((n) => ({ ...n })),
        },
      }];
    }
    case 'RevokeDecision': {
      if (state.status === 'none') throw new NotFoundError('Decision not found');
      if (actor.codeSet !== state.codeSet || actor.unit !== state.issuingUnit) {
        throw new ForbiddenError('Only a decider of the issuing unit may revoke its decisions', { reason: 'not_at_current_stage', unit: state.issuingUnit });
      }
      const issues: FieldIssue[] = [];
      const revocationId = requiredText(issues, 'revocationId', command.revocationId, 100);
      if (!REVOCATION_GROUNDS.includes(command.ground)) issues.push({ field: 'ground', message: `must be one of ${REVOCATION_GROUNDS.join(', ')}` });
      const reason = requiredText(issues, 'reason', command.reason, 4000, { multiline: true });
      const number = optionalText(issues, 'number', command.number, 100);
      const signedOn = command.signedOn === undefined || command.signedOn === null ? null : validatePastDate(issues, 'signedOn', command.signedOn, today) ?? null;
      const ids = command.nominationIds ?? [];
      if (ids.length === 0) issues.push({ field: 'nominationIds', message: 'must list at least one nomination' });
      if (new Set(ids).size !== ids.length) issues.push({ field: 'nominationIds', message: 'lists a nomination twice' });
      const covered = new Map(state.nominations.map((n) => [n.nominationId, n]));
      const notOnDecision = ids.filter((id) => !covered.has(id));
      if (notOnDecision.length > 0) issues.push({ field: 'nominationIds', message: `not on this decision: ${notOnDecision.join(', ')}` });
      throwIfIssues(issues, 'Invalid revocation');
      const already = ids.filter((id) => id in state.revoked);
      if (already.length > 0) throw new InvalidTransitionError('Some nominations are already revoked', { nominationIds: already });
      return [{
        type: 'DecisionRevoked',
        data: {
          ...base, revocationId: revocationId!, nominationIds: [...ids], ground: command.ground, reason: reason!,
          number: number === null ? null : normalizeDecisionNumber(number), signedOn,
          bonusToRecover: ids.reduce((sum, id) => sum + covered.get(id)!.bonusAmount, 0),
        },
      }];
    }
    default:
      return assertNever(command);
  }
}

export function evolveDecision(state: DecisionState, event: DecisionEvent): DecisionState {
  switch (event.type) {
    case 'DecisionIssued': {
      if (state.status !== 'none') return state;
      const { schemaVersion: _v, ...issued } = event.data;
      return { ...issued, status: 'issued', revoked: {} };
    }
    case 'DecisionRevoked': {
      if (state.status !== 'issued') return state;
      const entry = { revocationId: event.data.revocationId, ground: event.data.ground, at: event.data.at };
      const revoked = { ...state.revoked };
      for (const id of event.data.nominationIds) revoked[id] = entry;
      return { ...state, revoked };
    }
    default:
      return assertNever(event);
  }
}

export function foldDecision(events: readonly DecisionEvent[]): DecisionState {
  return events.reduce(evolveDecision, initialDecisionState);
}

export interface DecisionValidationContext {
  readonly actor: Actor;
  /** VND per month, from configuration (2,340,000 since July 2024). */
  readonly baseSalary: number;
  /** The province's multiple where the catalogue says "configurable" (null); absent = no bonus. */
  readonly configuredMultiple?: (ruleSet: string, awardCode: string, nomineeKind: NomineeKind) => number | null;
}

export type DecisionOffenceReason = 'not_found' | 'not_approved' | 'not_at_your_unit' | 'separation_of_duties';

export type DecisionValidation =
  | { readonly ok: true; readonly nominations: readonly DecisionNomination[] }
  | { readonly ok: false; readonly offending: readonly { readonly nominationId: string; readonly reason: DecisionOffenceReason }[] };

/**
 * Checks a proposed decision against the current state of every nomination it lists: each must be
 * `approved`, decided at the caller's unit (in the caller's code set), and not created or submitted
 * by the caller. On success returns the decision's lines with bonuses; otherwise every offending id
 * (the api answers 409 and writes nothing).
 *
 * @param nominations the folded state per listed id; a missing or `none` state is `not_found`.
 * @throws ForbiddenError when the caller is not a decider; ValidationFailedError for an empty or duplicated list.
 */
export function validateDecision(
  nominations: ReadonlyMap<string, NominationState>,
  nominationIds: readonly string[],
  ctx: DecisionValidationContext,
): DecisionValidation {
  if (!ctx.actor.roles.includes('decider')) throw new ForbiddenError('Only a decider may issue decisions', { reason: 'role' });
  if (nominationIds.length === 0) throw new ValidationFailedError('A decision lists at least one nomination', [{ field: 'nominationIds', message: 'must not be empty' }]);
  if (new Set(nominationIds).size !== nominationIds.length) {
    throw new ValidationFailedError('A nomination is listed twice', [{ field: 'nominationIds', message: 'must not contain duplicates' }]);
  }
  const offending: { nominationId: string; reason: DecisionOffenceReason }[] = [];
  const lines: DecisionNomination[] = [];
  for (const nominationId of nominationIds) {
    const state = nominations.get(nominationId);
    if (!state || state.status === 'none') {
      offending.push({ nominationId, reason: 'not_found' });
      continue;
    }
    const decidingUnit = state.route[state.decidingStageIndex]!.unit;
    if (state.codeSet !== ctx.actor.codeSet || decidingUnit !== ctx.actor.unit) {
      // Outside the caller's unit we do not reveal the status.
      offending.push({ nominationId, reason: 'not_at_your_unit' });
    } else if (state.status !== 'approved') {
      offending.push({ nominationId, reason: 'not_approved' });
    } else if (state.createdBy.id === ctx.actor.id || state.submitters.some((s) => s.id === ctx.actor.id)) {
      offending.push({ nominationId, reason: 'separation_of_duties' });
    } else {
      const multiple = bonusMultipleFor(state.rules.bonusMultiple, state.nominee.kind);
      const configured = multiple === null ? ctx.configuredMultiple?.(state.ruleSet, state.awardCode, state.nominee.kind) ?? null : null;
      lines.push({
        nominationId,
        awardCode: state.awardCode,
        nomineeKind: state.nominee.kind,
        nomineeName: state.nominee.name,
        bonusAmount: computeBonus(multiple, ctx.baseSalary, configured),
      });
    }
  }
  return offending.length > 0 ? { ok: false, offending } : { ok: true, nominations: lines };
}

/** The nomination commands that carry out an issued decision, one per listed nomination. */
export function awardCommandsFor(issued: DecisionIssuedData): { nominationId: string; command: AwardNomination }[] {
  return issued.nominations.map((line) => ({
    nominationId: line.nominationId,
    command: {
      type: 'AwardNomination', decisionId: issued.decisionId, decisionNumber: issued.number, signedOn: issued.signedOn,
      issuingUnit: issued.issuingUnit, bonusAmount: line.bonusAmount,
    },
  }));
}

/** The nomination commands that carry out a revocation, one per revoked nomination. */
export function revokeCommandsFor(decisionId: string, revoked: DecisionRevokedData): { nominationId: string; command: RevokeAward }[] {
  return revoked.nominationIds.map((nominationId) => ({
    nominationId,
    command: { type: 'RevokeAward', revocationId: revoked.revocationId, decisionId, ground: revoked.ground, reason: revoked.reason },
  }));
}
