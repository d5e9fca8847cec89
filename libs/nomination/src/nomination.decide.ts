import { evaluateCouncilVote, validateCouncilVoteCounts } from './council-vote';
import { canView, dutyConflict } from './nomination.access';
import type {
  ApproveNomination,
  AwardNomination,
  CreateNomination,
  NominationCommand,
  RecordCouncilVote,
  RejectNomination,
  ReturnNomination,
  RevokeAward,
  UpdateNomination,
  WithdrawNomination,
} from './nomination.commands';
import {
  AwardNotOfferedError,
  CouncilVoteRequiredError,
  type FieldIssue,
  ForbiddenError,
  InvalidTransitionError,
  NotFoundError,
  SupplementLimitReachedError,
  ValidationFailedError,
} from './nomination.errors';
import type { NominationChanges, NominationEvent, NominationUpdatedData, StageEntry } from './nomination.events';
import { assertNever, type ExistingNomination, type NominationState, type NominationStatus } from './nomination.state';
import {
  type Actor,
  type ActorRef,
  type NominationRules,
  REJECTION_REASON_CODES,
  REVOCATION_GROUNDS,
  type Role,
} from './nomination.types';
import {
  optionalText,
  requiredText,
  throwIfIssues,
  validateDocuments,
  validateNominee,
  validatePastDate,
  validateYear,
} from './nomination.validation';
import { findAward } from './reference-data/reference-data';
import type { CodeSetDefinition, RuleSet } from './reference-data/reference-data.types';
import { resolveRoute, type RouteStage, unitAncestry } from './stage-route';
import type { UnitDirectory } from './unit-directory';
import { vietnamDate, type WorkingDayCalendar } from './working-day-calendar';

/** Everything `decide` may consult besides the state and the command. Time arrives here, never from a clock. */
export interface NominationContext {
  readonly now: Date;
  readonly actor: Actor;
  /**
   * The rule set to create under (the one named in the request, else the one in force). Later commands
   * run on the rules copied into NominationCreated and do not read this.
   */
  readonly ruleSet: RuleSet;
  readonly directory: UnitDirectory;
  readonly calendar: WorkingDayCalendar;
  /** Code sets with their validity; a nomination in a code set no longer in force needs a rule set of its own. */
  readonly codeSets?: readonly CodeSetDefinition[];
}

const MAX_REASON = 4000;

/**
 * Decides what a command means for a nomination: the events to append, or a typed domain error.
 * Checks run in the order the api needs: existence and jurisdiction (not_found), role, status
 * (invalid_transition), acting unit and separation of duties (forbidden), input (validation_failed),
 * then the business rules (council_vote_required, supplement_limit_reached).
 */
export function decide(state: NominationState, command: NominationCommand, ctx: NominationContext): NominationEvent[] {
  switch (command.type) {
    case 'CreateNomination':
      return [create(state, command, ctx)];
    case 'UpdateNomination':
      return [update(state, command, ctx)];
    case 'SubmitNomination':
      return [submit(state, ctx)];
    case 'ReturnNomination':
      return [returnForSupplement(state, command, ctx)];
    case 'RecordCouncilVote':
      return [recordVote(state, command, ctx)];
    case 'ApproveNomination':
      return [approve(state, command, ctx)];
    case 'RejectNomination':
      return [reject(state, command, ctx)];
    case 'WithdrawNomination':
      return [withdraw(state, command, ctx)];
    case 'AwardNomination':
      return [award(state, command, ctx)];
    case 'RevokeAward':
      return [revoke(state, command, ctx)];
    default:
      return assertNever(command);
  }
}

function actorRef(actor: Actor): ActorRef {
  return { id: actor.id, name: actor.name, unit: actor.unit, roles: [...actor.roles] };
}

function common(ctx: NominationContext): { schemaVersion: 1; at: string; by: ActorRef } {
  return { schemaVersion: 1, at: ctx.now.toISOString(), by: actorRef(ctx.actor) };
}

function requireRole(actor: Actor, roles: readonly Role[], action: string): void {
  if (!roles.some((role) => actor.roles.includes(role))) {
    throw new ForbiddenError(`Only ${roles.join(' or ')} may ${action}`, { reason: 'role', requiredRoles: roles });
  }
}

function existing(state: NominationState, ctx: NominationContext): ExistingNomination {
  if (state.status === 'none' || !canView(ctx.actor, state)) {
    throw new NotFoundError('Nomination not found');
  }
  return state;
}

function inStatus<S extends NominationStatus>(state: ExistingNomination, statuses: readonly S[], action: string): Extract<ExistingNomination, { status: S }> {
  if (!(statuses as readonly NominationStatus[]).includes(state.status)) {
    throw new InvalidTransitionError(`Cannot ${action} a nomination that is ${state.status}`, { status: state.status, allowed: statuses });
  }
  return state as Extract<ExistingNomination, { status: S }>;
}

function requireActingUnit(actor: Actor, unit: string, what: string): void {
  if (actor.unit !== unit) {
    throw new ForbiddenError(`Only staff of unit ${unit} may ${what}`, { reason: 'not_at_current_stage', unit });
  }
}

/** DOMAIN.md, Drafts: only proposers of the proposing unit edit, submit or withdraw (never a higher unit's). */
function requireProposingUnit(actor: Actor, nomination: ExistingNomination, action: string): void {
  if (actor.codeSet !== nomination.codeSet || actor.unit !== nomination.proposingUnit) {
    throw new ForbiddenError(`Only proposers of the proposing unit ${nomination.proposingUnit} may ${action} this nomination`, {
      reason: 'not_proposing_unit', unit: nomination.proposingUnit,
    });
  }
}

const CONFLICT_TEXT = {
  created: 'created',
  edited: 'edited',
  submitted: 'submitted',
  approved_at_another_stage: 'approved at another stage',
} as const;

/** Separation of duties by person (see dutyConflict); `stageIndex` null for the decision itself. */
function requireNotParticipant(state: ExistingNomination, actor: Actor, action: string, stageIndex: number | null): void {
  const conflict = dutyConflict(actor, state, stageIndex);
  if (conflict !== null) {
    throw new ForbiddenError(`You ${CONFLICT_TEXT[conflict]} this nomination, so you may not ${action} it`, {
      reason: 'separation_of_duties', conflict,
    });
  }
}

function stageEntry(stage: RouteStage, index: number, rules: NominationRules, ctx: NominationContext): StageEntry {
  return {
    index, unit: stage.unit, unitName: stage.unitName, level: stage.level,
    deadlineWorkingDays: rules.stageDeadlineWorkingDays,
    dueOn: ctx.calendar.dueDate(vietnamDate(ctx.now), rules.stageDeadlineWorkingDays),
  };
}

function create(state: NominationState, command: CreateNomination, ctx: NominationContext): NominationEvent {
  const { actor, ruleSet, directory } = ctx;
  requireRole(actor, ['proposer'], 'create nominations');
  if (state.status !== 'none') throw new InvalidTransitionError('Nomination already exists', { status: state.status });
  const today = vietnamDate(ctx.now);
  const codeSet = ctx.codeSets?.find((c) => c.id === actor.codeSet);
  const inForce = codeSet === undefined || ((codeSet.validFrom === null || codeSet.validFrom <= today) && (codeSet.validUntil === null || today <= codeSet.validUntil));
  if (!inForce && ruleSet.codeSet !== actor.codeSet) {
    // Replaying history stays possible: name a rule set of that code set (vn-2017, vn-2024 for gso-2004).
    throw new ValidationFailedError(`Code set ${actor.codeSet} is not in force on ${today}; a new nomination in it needs a rule set of its own`, [
      { field: 'ruleSet', message: `name a rule set of code set ${actor.codeSet} to record a nomination of that period` },
    ], { reason: 'code_set_not_in_force', codeSet: actor.codeSet, validUntil: codeSet?.validUntil ?? null, ruleSet: ruleSet.id });
  }
  if (actor.codeSet !== ruleSet.codeSet) {
    throw new ForbiddenError(`Rule set ${ruleSet.id} uses code set ${ruleSet.codeSet}; you act in ${actor.codeSet}`, {
      reason: 'code_set_mismatch', ruleSet: ruleSet.id, codeSet: ruleSet.codeSet,
    });
  }
  const proposingUnit = typeof command.proposingUnit === 'string' ? command.proposingUnit.trim() : '';
  directory.get(ruleSet.codeSet, proposingUnit, 'proposingUnit');
  if (!directory.isAtOrUnder(ruleSet.codeSet, proposingUnit, actor.unit)) {
    throw new ForbiddenError('The proposing unit must be your unit or a unit under it', { reason: 'outside_jurisdiction', unit: proposingUnit });
  }
  const issues: FieldIssue[] = [];
  if (typeof command.nominationId !== 'string' || command.nominationId.trim() === '' || command.nominationId.length > 100) {
    issues.push({ field: 'nominationId', message: 'must be a non-empty id of at most 100 characters' });
  }
  const awardType = findAward(ruleSet, command.awardCode);
  if (!awardType) {
    issues.push({ field: 'awardCode', message: `unknown award under ${ruleSet.id}` });
  } else if (awardType.decidingLevels.length === 0) {
    throw new AwardNotOfferedError(ruleSet.id, awardType.code);
  }
  const year = validateYear(issues, command.year, today);
  const nominee = validateNominee(issues, command.nominee, awardType?.nomineeKinds ?? ['individual', 'collective', 'household']);
  const achievements = requiredText(issues, 'achievements', command.achievements, 20000, { multiline: true });
  const documents = validateDocuments(issues, command.documents ?? []);
  throwIfIssues(issues, 'Invalid nomination');
  const route = resolveRoute(directory, ruleSet.codeSet, proposingUnit, awardType!.decidingLevels, { ruleSet: ruleSet.id, awardCode: awardType!.code });
  const a = awardType!;
  return {
    type: 'NominationCreated',
    data: {
      ...common(ctx),
      schemaVersion: 2,
      nominationId: command.nominationId.trim(),
      ruleSet: ruleSet.id,
      codeSet: ruleSet.codeSet,
      awardCode: a.code,
      awardName: a.names,
      awardKind: a.kind,
      year: year!,
      proposingUnit,
      nominee: nominee!,
      achievements: achievements!,
      documents: documents!,
      route,
      decidingStageIndex: route.length - 1,
      rules: {
        nomineeKinds: a.nomineeKinds,
        stageDeadlineWorkingDays: a.stageDeadlineWorkingDays,
        councilVoteRequired: a.councilVoteRequired,
        quorumShare: a.quorumShare,
        approvalShare: a.approvalShare,
        maxSupplementRequestsPerStage: a.maxSupplementRequestsPerStage,
        publicDisclosureWorkingDays: a.publicDisclosureWorkingDays,
        requiredDocuments: a.requiredDocuments,
        bonusMultiple: a.bonusMultiple,
      },
      ancestry: unitAncestry(directory, ruleSet.codeSet, proposingUnit),
    },
  };
}

function update(state: NominationState, command: UpdateNomination, ctx: NominationContext): NominationEvent {
  const nomination = existing(state, ctx);
  requireRole(ctx.actor, ['proposer'], 'edit nominations');
  inStatus(nomination, ['draft', 'returned'], 'edit');
  requireProposingUnit(ctx.actor, nomination, 'edit');
  const issues: FieldIssue[] = [];
  const changes: { -readonly [K in keyof NominationUpdatedData['changes']]: NominationUpdatedData['changes'][K] } = {};
  if (command.nominee !== undefined) {
    const nominee = validateNominee(issues, command.nominee, nomination.rules.nomineeKinds);
    if (nominee) changes.nominee = nominee;
  }
  if (command.achievements !== undefined) {
    const achievements = requiredText(issues, 'achievements', command.achievements, 20000, { multiline: true });
    if (achievements !== undefined) changes.achievements = achievements;
  }
  if (command.documents !== undefined) {
    const documents = validateDocuments(issues, command.documents);
    if (documents) changes.documents = documents;
  }
  if (command.year !== undefined) {
    const year = validateYear(issues, command.year, vietnamDate(ctx.now));
    if (year !== undefined) changes.year = year;
  }
  if (issues.length === 0 && Object.keys(changes).length === 0) {
    issues.push({ field: '', message: 'give at least one of nominee, achievements, documents, year' });
  }
  throwIfIssues(issues, 'Invalid changes');
  const previous = Object.fromEntries(Object.keys(changes).map((key) => [key, nomination[key as keyof NominationChanges]])) as NominationChanges;
  return { type: 'NominationUpdated', data: { ...common(ctx), schemaVersion: 2, changes, previous } };
}

function submit(state: NominationState, ctx: NominationContext): NominationEvent {
  const found = existing(state, ctx);
  requireRole(ctx.actor, ['proposer'], 'submit nominations');
  const nomination = inStatus(found, ['draft', 'returned'], 'submit');
  requireProposingUnit(ctx.actor, nomination, 'submit');
  const present = new Set(nomination.documents.map((doc) => doc.kind));
  const missing = nomination.rules.requiredDocuments.filter((kind) => !present.has(kind));
  if (missing.length > 0) {
    throw new ValidationFailedError('The dossier lacks required documents', missing.map((kind) => ({ field: 'documents', message: `missing ${kind}` })), {
      reason: 'missing_documents', missingDocuments: missing,
    });
  }
  const index = nomination.status === 'returned' ? nomination.returnedFrom.index : 0;
  return {
    type: 'NominationSubmitted',
    data: { ...common(ctx), stage: stageEntry(nomination.route[index]!, index, nomination.rules, ctx), resubmission: nomination.status === 'returned' },
  };
}

function atCurrentStage(state: NominationState, ctx: NominationContext, roles: readonly Role[], action: string) {
  const nomination = existing(state, ctx);
  requireRole(ctx.actor, roles, action);
  const inReview = inStatus(nomination, ['in_review'], action);
  requireActingUnit(ctx.actor, inReview.currentStage.unit, action);
  return inReview;
}

function returnForSupplement(state: NominationState, command: ReturnNomination, ctx: NominationContext): NominationEvent {
  const nomination = atCurrentStage(state, ctx, ['officer'], 'return');
  const issues: FieldIssue[] = [];
  const reason = requiredText(issues, 'reason', command.reason, MAX_REASON, { multiline: true });
  const missing = Array.isArray(command.missing)
    ? command.missing.map((item, i) => requiredText(issues, `missing[${i}]`, item, 300) ?? '')
    : (issues.push({ field: 'missing', message: 'must be an array' }), []);
  throwIfIssues(issues, 'Invalid return');
  const stageIndex = nomination.currentStage.index;
  const previous = nomination.returns.filter((r) => r.stageIndex === stageIndex).length;
  const limit = nomination.rules.maxSupplementRequestsPerStage;
  if (previous >= limit) {
    throw new SupplementLimitReachedError(`This stage may ask for supplementation at most ${limit} time(s)`, { limit, stageIndex });
  }
  return {
    type: 'NominationReturned',
    data: { ...common(ctx), stageIndex, unit: nomination.currentStage.unit, reason: reason!, missing, returnNumber: previous + 1 },
  };
}

function recordVote(state: NominationState, command: RecordCouncilVote, ctx: NominationContext): NominationEvent {
  const nomination = atCurrentStage(state, ctx, ['officer'], 'record council votes');
  requireNotParticipant(nomination, ctx.actor, 'record the council vote of', nomination.currentStage.index);
  const issues: FieldIssue[] = [...validateCouncilVoteCounts(command)];
  const sessionDate = validatePastDate(issues, 'sessionDate', command.sessionDate, vietnamDate(ctx.now));
  const minutesNumber = requiredText(issues, 'minutesNumber', command.minutesNumber, 100);
  throwIfIssues(issues, 'Invalid council vote');
  const outcome = evaluateCouncilVote(command, nomination.rules);
  return {
    type: 'CouncilVoteRecorded',
    data: {
      ...common(ctx),
      stageIndex: nomination.currentStage.index,
      unit: nomination.currentStage.unit,
      sessionDate: sessionDate!,
      minutesNumber: minutesNumber!,
      members: command.members,
      present: command.present,
      inFavour: command.inFavour,
      against: command.against,
      writtenInFavour: command.writtenInFavour ?? 0,
      writtenAgainst: command.writtenAgainst ?? 0,
      quorumRequired: outcome.quorumRequired,
      approvalRequired: outcome.approvalRequired,
      passed: outcome.passed,
    },
  };
}

function approve(state: NominationState, command: ApproveNomination, ctx: NominationContext): NominationEvent {
  const nomination = atCurrentStage(state, ctx, ['officer'], 'approve');
  requireNotParticipant(nomination, ctx.actor, 'approve', nomination.currentStage.index);
  const issues: FieldIssue[] = [];
  const comment = optionalText(issues, 'comment', command.comment, MAX_REASON, { multiline: true });
  throwIfIssues(issues, 'Invalid approval');
  const { index, unit } = nomination.currentStage;
  if (index === nomination.decidingStageIndex) {
    if (nomination.rules.councilVoteRequired) {
      // The latest vote counts: a failed re-vote after a passed one means the council changed its mind.
      const latest = nomination.councilVotes.filter((vote) => vote.stageIndex === index).at(-1);
      if (!latest?.passed) {
        throw new CouncilVoteRequiredError('This award needs a passed council vote at the deciding stage', {
          stageIndex: index,
          latestVote: latest ? { minutesNumber: latest.minutesNumber, passed: latest.passed } : null,
        });
      }
    }
    return { type: 'NominationApproved', data: { ...common(ctx), stageIndex: index, unit, comment } };
  }
  const next = stageEntry(nomination.route[index + 1]!, index + 1, nomination.rules, ctx);
  return { type: 'StageApproved', data: { ...common(ctx), stageIndex: index, unit, comment, next } };
}

function reject(state: NominationState, command: RejectNomination, ctx: NominationContext): NominationEvent {
  const nomination = existing(state, ctx);
  requireRole(ctx.actor, ['officer', 'decider'], 'reject');
  const current = inStatus(nomination, ['in_review', 'approved'], 'reject');
  let stageIndex: number;
  if (current.status === 'in_review') {
    stageIndex = current.currentStage.index;
  } else {
    // Once recommended, only the deciding unit's chairman may still refuse it.
    requireRole(ctx.actor, ['decider'], 'reject an approved nomination');
    stageIndex = current.decidingStageIndex;
  }
  const unit = current.route[stageIndex]!.unit;
  requireActingUnit(ctx.actor, unit, 'reject');
  requireNotParticipant(current, ctx.actor, 'reject', current.status === 'in_review' ? stageIndex : null);
  const issues: FieldIssue[] = [];
  if (!REJECTION_REASON_CODES.includes(command.reasonCode)) {
    issues.push({ field: 'reasonCode', message: `must be one of ${REJECTION_REASON_CODES.join(', ')}` });
  }
  const reason = requiredText(issues, 'reason', command.reason, MAX_REASON, { multiline: true });
  throwIfIssues(issues, 'Invalid rejection');
  return {
    type: 'NominationRejected',
    data: { ...common(ctx), fromStatus: current.status, stageIndex, unit, reasonCode: command.reasonCode, reason: reason! },
  };
}

function withdraw(state: NominationState, command: WithdrawNomination, ctx: NominationContext): NominationEvent {
  const nomination = existing(state, ctx);
  requireRole(ctx.actor, ['proposer'], 'withdraw nominations');
  const current = inStatus(nomination, ['draft', 'in_review', 'returned', 'approved'], 'withdraw');
  requireProposingUnit(ctx.actor, current, 'withdraw');
  const issues: FieldIssue[] = [];
  const reason = requiredText(issues, 'reason', command.reason, MAX_REASON, { multiline: true });
  throwIfIssues(issues, 'Invalid withdrawal');
  const stageIndex = current.status === 'in_review' ? current.currentStage.index
    : current.status === 'returned' ? current.returnedFrom.index
      : current.status === 'approved' ? current.decidingStageIndex
        : null;
  return { type: 'NominationWithdrawn', data: { ...common(ctx), fromStatus: current.status, stageIndex, reason: reason! } };
}

function award(state: NominationState, command: AwardNomination, ctx: NominationContext): NominationEvent {
  const nomination = existing(state, ctx);
  requireRole(ctx.actor, ['decider'], 'issue award decisions');
  const approved = inStatus(nomination, ['approved'], 'award');
  const decidingUnit = approved.route[approved.decidingStageIndex]!.unit;
  requireActingUnit(ctx.actor, decidingUnit, 'decide this nomination');
  requireNotParticipant(approved, ctx.actor, 'decide', null);
  const issues: FieldIssue[] = [];
  const decisionId = requiredText(issues, 'decisionId', command.decisionId, 100);
  const decisionNumber = requiredText(issues, 'decisionNumber', command.decisionNumber, 100);
  const signedOn = validatePastDate(issues, 'signedOn', command.signedOn, vietnamDate(ctx.now));
  if (command.issuingUnit !== decidingUnit) issues.push({ field: 'issuingUnit', message: `must be the deciding unit ${decidingUnit}` });
  if (!Number.isSafeInteger(command.bonusAmount) || command.bonusAmount < 0) {
    issues.push({ field: 'bonusAmount', message: 'must be a non-negative integer amount of VND' });
  }
  if (!Number.isSafeInteger(command.baseSalary) || command.baseSalary <= 0) {
    issues.push({ field: 'baseSalary', message: 'must be a positive integer amount of VND' });
  }
  throwIfIssues(issues, 'Invalid award');
  return {
    type: 'NominationAwarded',
    data: {
      ...common(ctx), decisionId: decisionId!, decisionNumber: decisionNumber!, signedOn: signedOn!, issuingUnit: decidingUnit,
      bonusAmount: command.bonusAmount, baseSalary: command.baseSalary,
    },
  };
}

function revoke(state: NominationState, command: RevokeAward, ctx: NominationContext): NominationEvent {
  // The decision stream has authorised the revoking unit (the issuing unit, or its successor in the
  // code set now in force, whose staff cannot see the old unit's nominations by jurisdiction).
  const revokingUnit = command.revokingUnit;
  // A successor always lives in a later code set than the decision it revokes.
  const bySuccessor = state.status !== 'none' && revokingUnit !== undefined && revokingUnit.codeSet !== state.codeSet;
  const nomination: ExistingNomination = bySuccessor ? (state as ExistingNomination) : existing(state, ctx);
  requireRole(ctx.actor, ['decider'], 'revoke awards');
  const awarded = inStatus(nomination, ['awarded'], 'revoke');
  if (bySuccessor) {
    if (ctx.actor.codeSet !== revokingUnit!.codeSet || ctx.actor.unit !== revokingUnit!.unit) {
      throw new ForbiddenError(`Only staff of unit ${revokingUnit!.unit} may revoke this award`, { reason: 'not_at_current_stage', unit: revokingUnit!.unit });
    }
  } else {
    requireActingUnit(ctx.actor, awarded.award.issuingUnit, 'revoke this award');
  }
  requireNotParticipant(awarded, ctx.actor, 'revoke', null);
  const issues: FieldIssue[] = [];
  const revocationId = requiredText(issues, 'revocationId', command.revocationId, 100);
  if (command.decisionId !== awarded.award.decisionId) {
    issues.push({ field: 'decisionId', message: `the award comes from decision ${awarded.award.decisionId}` });
  }
  if (!REVOCATION_GROUNDS.includes(command.ground)) issues.push({ field: 'ground', message: `must be one of ${REVOCATION_GROUNDS.join(', ')}` });
  const reason = requiredText(issues, 'reason', command.reason, MAX_REASON, { multiline: true });
  const number = requiredText(issues, 'number', command.number, 100);
  const signedOn = validatePastDate(issues, 'signedOn', command.signedOn, vietnamDate(ctx.now));
  throwIfIssues(issues, 'Invalid revocation');
  return {
    type: 'AwardRevoked',
    data: {
      ...common(ctx), revocationId: revocationId!, decisionId: awarded.award.decisionId, ground: command.ground, reason: reason!,
      bonusToRecover: awarded.award.bonusAmount, number: number!, signedOn: signedOn!,
      revokingUnit: bySuccessor ? { codeSet: revokingUnit!.codeSet, unit: revokingUnit!.unit } : { codeSet: awarded.codeSet, unit: awarded.award.issuingUnit },
      itemsRecovered: awarded.awardCode.startsWith('CO_THI_DUA') ? ['flag', 'certificate'] : ['certificate'],
    },
  };
}
