import { baseSalaryOn } from './base-salary';
import { bonusMultipleFor, computeBonus } from './bonus';
import { normalizeDecisionNumber } from './decision-number';
import { canView, dutyConflict } from './nomination.access';
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
import { requiredText, throwIfIssues, validatePastDate } from './nomination.validation';
import { isValidIsoDate } from './reference-data/data-reader';
import type { BaseSalaryEntry } from './reference-data/reference-data.types';
import { vietnamDate } from './working-day-calendar';

/** One nomination covered by a decision, with the bonus fixed when the decision was issued. */
export interface DecisionNomination {
  readonly nominationId: string;
  readonly awardCode: string;
  readonly nomineeKind: NomineeKind;
  readonly nomineeName: string;
  /** The multiple of the base salary this line pays (from the pinned rules, or the province's configuration). */
  readonly bonusMultiple: number;
  /** VND per month: the base salary in force on the signing date, which the amount multiplies. */
  readonly baseSalary: number;
  /** VND: bonusMultiple × baseSalary rounded up to the next 10,000. */
  readonly bonusAmount: number;
}

/** What must be handed back when an award is revoked: the bonus and the physical items. */
export type RecoveredItem = 'certificate' | 'flag';

export interface RecoveryLine {
  readonly nominationId: string;
  readonly bonusAmount: number;
  readonly items: readonly RecoveredItem[];
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

/** Schema version 2 added `issuerAncestry` (version 1 is frozen in decision.codec.ts). */
export interface DecisionIssuedData extends Omit<DecisionEventFields, 'schemaVersion'> {
  readonly schemaVersion: 2;
  readonly decisionId: string;
  /** Normalised (see `normalizeDecisionNumber`); uniqueness per unit is the caller's index's job. */
  readonly number: string;
  readonly signedOn: string;
  readonly signer: Signer;
  readonly codeSet: string;
  readonly issuingUnit: string;
  /**
   * Codes of the issuing unit and every unit above it when the decision was issued, lowest first: its
   * readers for good, whatever the unit tree says later (issue 12.14). Version 1 events read as the
   * issuing unit alone.
   */
  readonly issuerAncestry: readonly string[];
  readonly reason: string;
  /** VND per month, in force on `signedOn`; every line's amount multiplies it. */
  readonly baseSalary: number;
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
  /** Number and signing date of the revoking decision: a revocation is itself a decision. */
  readonly number: string;
  readonly signedOn: string;
  /** The unit whose chairman signed the revocation: the issuing unit, or its successor once it was abolished. */
  readonly revokingUnit: { readonly codeSet: string; readonly unit: string };
  /** VND to recover across the listed nominations. */
  readonly bonusToRecover: number;
  /** Per nomination: the bonus and the items (certificate, flag) to be handed back. */
  readonly recovery: readonly RecoveryLine[];
}

export type DecisionEvent =
  | { readonly type: 'DecisionIssued'; readonly data: DecisionIssuedData }
  | { readonly type: 'DecisionRevoked'; readonly data: DecisionRevokedData };

export interface IssueDecision {
  readonly type: 'IssueDecision';
  readonly decisionId: string;
  readonly number: string;
  readonly signedOn: string;
  readonly signer: Signer;
  readonly reason: string;
  /** From a successful `validateDecision`. */
  readonly nominations: readonly DecisionNomination[];
  /** The caller's unit and the units above it now (unitAncestry), recorded as the decision's readers. */
  readonly issuerAncestry: readonly string[];
}

export interface RevokeDecision {
  readonly type: 'RevokeDecision';
  readonly revocationId: string;
  readonly nominationIds: readonly string[];
  readonly ground: RevocationGround;
  readonly reason: string;
  readonly number: string;
  readonly signedOn: string;
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
  /**
   * For a revocation: the unit that may revoke this decision now. Absent = its issuing unit. The
   * application layer names the successor (unit data) when the issuing unit's code set is no longer in force.
   */
  readonly revokingUnit?: { readonly codeSet: string; readonly unit: string };
}

/** Items handed over with an award, to be recovered on revocation: a flag for Cờ thi đua, else the certificate. */
export function recoveredItemsFor(awardCode: string): RecoveredItem[] {
  return awardCode.startsWith('CO_THI_DUA') ? ['flag', 'certificate'] : ['certificate'];
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
      if (command.issuerAncestry?.[0] !== actor.unit) issues.push({ field: 'issuerAncestry', message: 'must start with the issuing unit' });
      const salaries = new Set(command.nominations.map((n) => n.baseSalary));
      if (salaries.size > 1) issues.push({ field: 'nominations', message: 'lines priced with different base salaries' });
      throwIfIssues(issues, 'Invalid decision');
      return [{
        type: 'DecisionIssued',
        data: {
          ...base, schemaVersion: 2, decisionId: decisionId!, number: normalizeDecisionNumber(number!), signedOn: signedOn!,
          signer: { name: signerName!, title: signerTitle! }, codeSet: actor.codeSet, issuingUnit: actor.unit,
          issuerAncestry: [...command.issuerAncestry], reason: reason!,
          baseSalary: command.nominations[0]!.baseSalary, nominations: command.nominations.map((n) => ({ ...n })),
        },
      }];
    }
    case 'RevokeDecision': {
      if (state.status === 'none') throw new NotFoundError('Decision not found');
      const revokingUnit = ctx.revokingUnit ?? { codeSet: state.codeSet, unit: state.issuingUnit };
      if (actor.codeSet !== revokingUnit.codeSet || actor.unit !== revokingUnit.unit) {
        const successor = revokingUnit.unit !== state.issuingUnit || revokingUnit.codeSet !== state.codeSet;
        throw new ForbiddenError(
          successor ? `The issuing unit was abolished; its successor ${revokingUnit.unit} (${revokingUnit.codeSet}) revokes its decisions`
            : 'Only a decider of the issuing unit may revoke its decisions',
          { reason: 'not_at_current_stage', unit: revokingUnit.unit, codeSet: revokingUnit.codeSet },
        );
      }
      const issues: FieldIssue[] = [];
      const revocationId = requiredText(issues, 'revocationId', command.revocationId, 100);
      if (!REVOCATION_GROUNDS.includes(command.ground)) issues.push({ field: 'ground', message: `must be one of ${REVOCATION_GROUNDS.join(', ')}` });
      const reason = requiredText(issues, 'reason', command.reason, 4000, { multiline: true });
      // A revocation is a decision of its own (Decree 98/2023): it has a number and a signing date.
      const number = requiredText(issues, 'number', command.number, 100);
      const signedOn = validatePastDate(issues, 'signedOn', command.signedOn, today);
      if (signedOn !== undefined && signedOn < state.signedOn) {
        issues.push({ field: 'signedOn', message: `cannot be before the revoked decision was signed (${state.signedOn})` });
      }
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
          number: normalizeDecisionNumber(number!), signedOn: signedOn!, revokingUnit: { ...revokingUnit },
          bonusToRecover: ids.reduce((sum, id) => sum + covered.get(id)!.bonusAmount, 0),
          recovery: ids.map((id) => ({ nominationId: id, bonusAmount: covered.get(id)!.bonusAmount, items: recoveredItemsFor(covered.get(id)!.awardCode) })),
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

/**
 * Who reads a decision: staff, in its code set, of the units recorded as its issuer's ancestry (its
 * issuing unit and the units above it when it was issued). The unit tree as it is today plays no
 * part (issue 12.14); the successor of an abolished issuing unit is the application layer's concern.
 */
export function canViewDecision(actor: Pick<Actor, 'codeSet' | 'unit'>, state: DecisionState): boolean {
  if (state.status === 'none' || actor.codeSet !== state.codeSet) return false;
  const readers = (state as { issuerAncestry?: readonly string[] }).issuerAncestry ?? [state.issuingUnit];
  return readers.includes(actor.unit);
}

export function foldDecision(events: readonly DecisionEvent[]): DecisionState {
  return events.reduce(evolveDecision, initialDecisionState);
}

export interface DecisionValidationContext {
  readonly actor: Actor;
  /** The decision's signing date (`YYYY-MM-DD`): it chooses the base salary. */
  readonly signedOn: string;
  /** The dated base-salary table (reference data, plus a configured override). */
  readonly baseSalaries: readonly BaseSalaryEntry[];
  /** The province's multiple where the catalogue says "configurable" (null); absent = refused, never a silent 0. */
  readonly configuredMultiple?: (ruleSet: string, awardCode: string, nomineeKind: NomineeKind) => number | null;
}

export type DecisionOffenceReason = 'not_found' | 'not_approved' | 'not_at_your_unit' | 'separation_of_duties' | 'bonus_not_configured';

export type DecisionValidation =
  | { readonly ok: true; readonly baseSalary: number; readonly nominations: readonly DecisionNomination[] }
  | { readonly ok: false; readonly offending: readonly { readonly nominationId: string; readonly reason: DecisionOffenceReason }[] };

/**
 * Checks a proposed decision against the current state of every nomination it lists: each must be
 * `approved`, decided at the caller's unit (in the caller's code set), and not created or submitted
 * by the caller. On success returns the decision's lines priced at the base salary in force on the
 * signing date; otherwise every offending id (the api answers 409 and writes nothing).
 *
 * A nomination outside the caller's jurisdiction is `not_found`, exactly as one that does not exist,
 * so the answer reveals nothing about other units' nominations; one the caller may see but not
 * decide is `not_at_your_unit`.
 *
 * @param nominations the folded state per listed id; a missing or `none` state is `not_found`.
 * @throws ForbiddenError when the caller is not a decider; ValidationFailedError for an empty or
 *   duplicated list or a signing date with no known base salary.
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
  if (typeof ctx.signedOn !== 'string' || !isValidIsoDate(ctx.signedOn)) {
    throw new ValidationFailedError('Invalid decision', [{ field: 'signedOn', message: 'must be a date YYYY-MM-DD' }]);
  }
  const first = ctx.baseSalaries[0];
  if (first === undefined || ctx.signedOn < first.from) {
    throw new ValidationFailedError('No base salary is known for the signing date', [
      { field: 'signedOn', message: `no base salary is known before ${first?.from ?? 'any date'}` },
    ]);
  }
  const baseSalary = baseSalaryOn(ctx.baseSalaries, ctx.signedOn).amount;
  const offending: { nominationId: string; reason: DecisionOffenceReason }[] = [];
  const lines: DecisionNomination[] = [];
  for (const nominationId of nominationIds) {
    const state = nominations.get(nominationId);
    if (!state || state.status === 'none' || !canView(ctx.actor, state)) {
      offending.push({ nominationId, reason: 'not_found' });
      continue;
    }
    const decidingUnit = state.route[state.decidingStageIndex]!.unit;
    if (decidingUnit !== ctx.actor.unit) {
      // Visible to the caller but decided elsewhere; the status is not revealed.
      offending.push({ nominationId, reason: 'not_at_your_unit' });
    } else if (state.status !== 'approved') {
      offending.push({ nominationId, reason: 'not_approved' });
    } else if (dutyConflict(ctx.actor, state, null) !== null) {
      offending.push({ nominationId, reason: 'separation_of_duties' });
    } else {
      const multiple = bonusMultipleFor(state.rules.bonusMultiple, state.nominee.kind)
        ?? ctx.configuredMultiple?.(state.ruleSet, state.awardCode, state.nominee.kind) ?? null;
      if (multiple === null) {
        offending.push({ nominationId, reason: 'bonus_not_configured' });
        continue;
      }
      lines.push({
        nominationId,
        awardCode: state.awardCode,
        nomineeKind: state.nominee.kind,
        nomineeName: state.nominee.name,
        bonusMultiple: multiple,
        baseSalary,
        bonusAmount: computeBonus(multiple, baseSalary),
      });
    }
  }
  return offending.length > 0 ? { ok: false, offending } : { ok: true, baseSalary, nominations: lines };
}

/** The nomination commands that carry out an issued decision, one per listed nomination. */
export function awardCommandsFor(issued: DecisionIssuedData): { nominationId: string; command: AwardNomination }[] {
  return issued.nominations.map((line) => ({
    nominationId: line.nominationId,
    command: {
      type: 'AwardNomination', decisionId: issued.decisionId, decisionNumber: issued.number, signedOn: issued.signedOn,
      issuingUnit: issued.issuingUnit, bonusAmount: line.bonusAmount, baseSalary: line.baseSalary,
    },
  }));
}

/** The nomination commands that carry out a revocation, one per revoked nomination. */
export function revokeCommandsFor(decisionId: string, revoked: DecisionRevokedData): { nominationId: string; command: RevokeAward }[] {
  return revoked.nominationIds.map((nominationId) => ({
    nominationId,
    command: {
      type: 'RevokeAward', revocationId: revoked.revocationId, decisionId, ground: revoked.ground, reason: revoked.reason,
      number: revoked.number, signedOn: revoked.signedOn, revokingUnit: revoked.revokingUnit,
    },
  }));
}
