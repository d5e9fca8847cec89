import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { EVENT_STORE, type EventStore, type RecordedEvent } from '@app/event-store';
import {
  awardCommandsFor,
  decide as decideNomination,
  decideDecision,
  decisionCodec,
  decisionNumberKey,
  decisionNumberWarnings,
  decisionStreamId,
  evolveDecision,
  initialDecisionState,
  NotFoundError,
  initialNominationState,
  revokeCommandsFor,
  validateDecision,
  type Actor,
  type DecisionEvent,
  type DecisionIssuedData,
  type DecisionRevokedData,
  type DecisionState,
  type NominationState,
  type UnitDirectory,
  ValidationFailedError,
  vietnamDate,
} from '@app/nomination';
import { ROOT_LOGGER } from '@app/platform';
import { DECISION_CLAIMS, type DecisionClaims, type UnitClaims } from '@app/records';
import { deterministicUuid } from './deterministic-id';
import { CLOCK, commandMetadata, foldRecorded, nominationStream, NominationWorkflow, type Clock } from './nomination.workflow';
import { ReferenceDataService } from './reference-data.service';
import { assertSameRequest, readOrEmpty, runStreamCommand } from './stream-command';
import type { DecisionView } from './views';
import type { CommandEnvelope, IssueDecisionInput, RevokeDecisionInput } from './workflow.commands';

export const decisionStream = decisionStreamId;

/** Some listed nominations cannot be decided: nothing was written. */
export class DecisionRefused extends Error {
  readonly code = 'invalid_transition';
  constructor(readonly details: { readonly offending: readonly { nominationId: string; reason: string }[] }) {
    super(`${details.offending.length} of the listed nominations cannot be decided by you now`);
  }
}

/**
 * Some listed nominations refuse the decision's effect on them (issue 12.3): separation of duties, a
 * unit that may not act on them, a status that does not allow it. Decided before anything is written,
 * so a decision and its nominations never disagree. `code` is the nomination's own refusal
 * (forbidden → 403, invalid_transition → 409, not_found → 404).
 */
export class DecisionEffectRefused extends Error {
  readonly code: string;
  readonly details: { readonly nominationId: string; readonly offending: readonly { nominationId: string; reason: string }[] };

  constructor(nominationId: string, cause: { readonly code: string; readonly message: string; readonly details?: unknown }) {
    super(`Nomination ${nominationId}: ${cause.message}`);
    this.code = cause.code;
    const reason = typeof (cause.details as { reason?: unknown } | undefined)?.reason === 'string'
      ? (cause.details as { reason: string }).reason : cause.code;
    this.details = { nominationId, offending: [{ nominationId, reason }] };
  }
}

/** The caller took part in some listed nominations (separation of duties): 403, nothing written. */
export class DecisionForbidden extends Error {
  readonly code = 'forbidden';
  constructor(readonly details: { readonly offending: readonly { nominationId: string; reason: string }[] }) {
    super(`You took part in ${details.offending.length} of the listed nominations, so you may not decide them`);
  }
}

export class DecisionNumberTaken extends Error {
  readonly code = 'decision_number_taken';
  constructor(readonly details: { readonly number: string; readonly issuingUnit: string; readonly decisionId: string }) {
    super(`Decision number ${details.number} was already issued by unit ${details.issuingUnit}`);
  }
}

/** The calendar year of a signing date, which scopes the decision number; a malformed date is a 400 before anything is read. */
function signingYear(signedOn: unknown, field = 'signedOn'): number {
  if (typeof signedOn !== 'string' || !/^\d{4}-\d{2}-\d{2}$/u.test(signedOn)) {
    throw new ValidationFailedError('Invalid decision', [{ field, message: 'must be a date YYYY-MM-DD' }]);
  }
  return Number(signedOn.slice(0, 4));
}

/** The stream id of the decision numbered `number` by a unit in the year of `signedOn`. */
export function decisionIdFor(codeSet: string, unit: string, signedOn: string, number: string): string {
  return deterministicUuid('decision', decisionNumberKey(codeSet, unit, signingYear(signedOn), number));
}

function toView(state: Exclude<DecisionState, { status: 'none' }>, revocations: readonly DecisionRevokedData[] = []): DecisionView {
  return {
    id: state.decisionId,
    number: state.number,
    warnings: decisionNumberWarnings(state.number),
    signedOn: state.signedOn,
    signer: state.signer,
    codeSet: state.codeSet,
    issuingUnit: state.issuingUnit,
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

function foldDecisionEvents(events: readonly RecordedEvent[]): DecisionState {
  return events.reduce((s, e) => evolveDecision(s, decisionCodec.decode(e)), initialDecisionState);
}

function revocationsOf(events: readonly RecordedEvent[]): DecisionRevokedData[] {
  return events.map((e) => decisionCodec.decode(e)).flatMap((e) => (e.type === 'DecisionRevoked' ? [e.data] : []));
}

/**
 * Award decisions. Issuing appends one DecisionIssued event (the decision's stream id is derived from
 * its issuing unit and normalised number, so a number can be issued once per unit), then awards each
 * nomination. If the process dies between the two, the DecisionCompleter in the worker finishes the
 * awards from the log; both paths use the same deterministic command ids, so nothing happens twice.
 */
@Injectable()
export class DecisionWorkflow {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly reference: ReferenceDataService,
    private readonly nominations: NominationWorkflow,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
    @Inject(DECISION_CLAIMS) private readonly claims: DecisionClaims,
  ) {}

  /**
   * Decisions of one issuing unit are taken one at a time (only that unit can decide its nominations),
   * from validation until the awards are applied, so two decisions never both take a nomination.
   */
  async issue(envelope: CommandEnvelope, input: IssueDecisionInput): Promise<DecisionView> {
    const now = this.clock();
    const actor = this.reference.domainActor(envelope.actor, now);
    return this.claims.withUnitLock(actor.codeSet, actor.unit, (claims) => this.issueLocked(envelope, input, now, actor, claims));
  }

  private async issueLocked(
    envelope: CommandEnvelope,
    input: IssueDecisionInput,
    now: Date,
    actor: Actor,
    claims: UnitClaims,
  ): Promise<DecisionView> {
    // Numbering restarts each 1 January: the id is derived from unit, year of signing and number.
    const decisionId = decisionIdFor(actor.codeSet, actor.unit, input.signedOn, input.number);
    const streamId = decisionStream(decisionId);

    // A retry of an issue that already took effect answers from the log, whatever the nominations are now.
    const existing = await readOrEmpty(this.store, streamId);
    const retried = existing.find((e) => e.metadata['commandId'] === envelope.commandId);
    if (retried !== undefined) assertSameRequest(commandMetadata(envelope, actor), retried.metadata);
    if (retried !== undefined) {
      const first = decisionCodec.decode(existing[0]!);
      if (first.type === 'DecisionIssued') await this.completeAwards(first.data, existing[0]!.metadata);
      return this.view(decisionId);
    }
    if (existing.length > 0) {
      throw new DecisionNumberTaken({ number: input.number, issuingUnit: actor.unit, decisionId });
    }

    const states = new Map<string, NominationState>();
    await Promise.all(
      [...new Set(input.nominationIds)].map(async (id) => {
        const events = await readOrEmpty(this.store, nominationStream(id));
        states.set(id, foldRecorded(events));
      }),
    );
    const directory = await this.reference.directory();
    const validation = validateDecision(states, input.nominationIds, {
      actor, signedOn: input.signedOn, baseSalaries: this.reference.baseSalaries, directory,
    });
    if (!validation.ok) {
      const conflicts = validation.offending.filter((o) => o.reason === 'separation_of_duties');
      if (conflicts.length > 0) throw new DecisionForbidden({ offending: conflicts });
      throw new DecisionRefused({ offending: validation.offending });
    }
    const taken = await this.claim(claims, decisionId, input.nominationIds);
    if (taken.length > 0) {
      throw new DecisionRefused({ offending: taken.map((nominationId) => ({ nominationId, reason: 'on_another_decision' })) });
    }

    const metadata = commandMetadata(envelope, actor);
    const result = await runStreamCommand<DecisionState, DecisionEvent>(this.store, {
      streamId,
      codec: decisionCodec,
      initialState: initialDecisionState,
      evolve: evolveDecision,
      decide: (state) => {
        if (state.status !== 'none') throw new DecisionNumberTaken({ number: input.number, issuingUnit: actor.unit, decisionId });
        const events = decideDecision(state, {
          type: 'IssueDecision', decisionId, number: input.number, signedOn: input.signedOn, signer: input.signer,
          reason: input.reason, nominations: validation.nominations,
        }, { now, actor });
        for (const event of events) {
          if (event.type === 'DecisionIssued') this.assertEffects(awardCommandsFor(event.data), states, actor, now, directory);
        }
        return events;
      },
      commandId: envelope.commandId,
      metadata,
    });
    if (result.state.status === 'none') throw new Error('decision not written');
    const issuedEvent = result.appended.find((e) => e.type === 'DecisionIssued');
    const issued = issuedEvent?.data;
    if (issued !== undefined) await this.completeAwards(issued, { ...metadata, commandId: envelope.commandId });
    if (issued !== undefined && decisionNumberWarnings(issued.number).length > 0) {
      this.logger.warn({ decisionId, number: issued.number, issuingUnit: issued.issuingUnit }, 'decision number does not look like n/QĐ-…');
    }
    return toView(result.state);
  }

  /** Claims the nominations for this decision; returns those already listed on another issued decision. */
  private async claim(claims: UnitClaims, decisionId: string, nominationIds: readonly string[]): Promise<string[]> {
    const taken: string[] = [];
    for (const holder of await claims.claimedByOthers(decisionId, nominationIds)) {
      // A claim whose decision was never written (the process died in between) is stale.
      const other = await readOrEmpty(this.store, decisionStream(holder.decisionId));
      if (other.length > 0) taken.push(holder.nominationId);
    }
    if (taken.length > 0) return taken;
    await claims.claim(decisionId, nominationIds);
    return [];
  }

  async revoke(envelope: CommandEnvelope, decisionId: string, input: RevokeDecisionInput): Promise<DecisionView> {
    const now = this.clock();
    const actor = this.reference.domainActor(envelope.actor, now);
    const streamId = decisionStream(decisionId);
    const revocationId = deterministicUuid('revocation', envelope.commandId);
    const directory = await this.reference.directory();
    const metadata = commandMetadata(envelope, actor);
    let revokingUnit: { codeSet: string; unit: string } | undefined;
    // Issue 12.3: each nomination's revocation is decided before the revocation decision is written.
    const states = new Map<string, NominationState>();
    await Promise.all([...new Set(input.nominationIds)].map(async (id) => {
      states.set(id, foldRecorded(await readOrEmpty(this.store, nominationStream(id))));
    }));
    const result = await runStreamCommand<DecisionState, DecisionEvent>(this.store, {
      streamId,
      codec: decisionCodec,
      initialState: initialDecisionState,
      evolve: evolveDecision,
      guard: (state) => {
        revokingUnit = this.revokingUnitOf(state, directory, now);
        this.assertVisible(actor, state, decisionId, directory, revokingUnit);
      },
      decide: (state) => {
        const events = decideDecision(state, {
          type: 'RevokeDecision', revocationId, nominationIds: input.nominationIds, ground: input.ground, reason: input.reason,
          number: input.number, signedOn: input.signedOn,
        }, { now, actor, ...(revokingUnit ? { revokingUnit } : {}) });
        for (const event of events) {
          if (event.type !== 'DecisionRevoked') continue;
          const effectActor = { ...actor, codeSet: event.data.revokingUnit.codeSet };
          this.assertEffects(revokeCommandsFor(decisionId, event.data), states, effectActor, now, directory);
        }
        return events;
      },
      commandId: envelope.commandId,
      metadata,
    });
    if (result.state.status === 'none') throw new NotFoundError(`Decision ${decisionId} not found`);
    const revoked = result.appended.find((e) => e.type === 'DecisionRevoked');
    if (revoked !== undefined) await this.completeRevocation(decisionId, revoked.data, { ...metadata, commandId: envelope.commandId });
    return this.view(decisionId);
  }

  /**
   * Who may revoke a decision today: its issuing unit while that unit's code set is in force; after
   * the 2025 reform abolished it, the successor named in the unit data (Huyện Mường La → Tỉnh Sơn La).
   */
  private revokingUnitOf(state: DecisionState, directory: UnitDirectory, now: Date): { codeSet: string; unit: string } | undefined {
    if (state.status === 'none') return undefined;
    const today = vietnamDate(now);
    const definition = this.reference.data.codeSets.find((c) => c.id === state.codeSet);
    if (definition?.validUntil === null || definition === undefined || today <= definition.validUntil) return undefined;
    const successor = directory.successorOf(state.codeSet, state.issuingUnit);
    return successor ? { codeSet: successor.codeSet, unit: successor.code } : undefined;
  }

  async get(authActor: CommandEnvelope['actor'], decisionId: string): Promise<DecisionView> {
    const actor = this.reference.domainActor(authActor, this.clock());
    const events = await readOrEmpty(this.store, decisionStream(decisionId));
    const state = foldDecisionEvents(events);
    const directory = await this.reference.directory();
    this.assertVisible(actor, state, decisionId, directory, this.revokingUnitOf(state, directory, this.clock()));
    if (state.status === 'none') throw new NotFoundError(`Decision ${decisionId} not found`);
    return toView(state, revocationsOf(events));
  }

  /** Applies a recorded DecisionIssued to every nomination it lists; safe to run any number of times. */
  async completeAwards(issued: DecisionIssuedData, metadata: Readonly<Record<string, unknown>>): Promise<void> {
    for (const { nominationId, command } of awardCommandsFor(issued)) {
      await this.applyOnBehalf(metadata, issued.by, issued.codeSet, nominationId, command, `award:${issued.decisionId}`);
    }
  }

  async completeRevocation(decisionId: string, revoked: DecisionRevokedData, metadata: Readonly<Record<string, unknown>>): Promise<void> {
    const issuedState = foldDecisionEvents(await readOrEmpty(this.store, decisionStream(decisionId)));
    if (issuedState.status === 'none') return;
    for (const { nominationId, command } of revokeCommandsFor(decisionId, revoked)) {
      await this.applyOnBehalf(metadata, revoked.by, revoked.revokingUnit.codeSet, nominationId, command, `revoke:${revoked.revocationId}`);
    }
  }

  private async applyOnBehalf(
    metadata: Readonly<Record<string, unknown>>,
    by: DecisionIssuedData['by'],
    codeSet: string,
    nominationId: string,
    command: Parameters<NominationWorkflow['applyFromDecision']>[2],
    purpose: string,
  ): Promise<void> {
    const envelope: CommandEnvelope = {
      actor: { id: by.id, name: by.name, unit: by.unit, roles: [...by.roles], codeSet: codeSet as 'gso-2004' | 'gso-2025' },
      commandId: deterministicUuid(purpose, nominationId),
      correlationId: typeof metadata['correlationId'] === 'string' ? metadata['correlationId'] : deterministicUuid(purpose),
    };
    try {
      await this.nominations.applyFromDecision(envelope, nominationId, command);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      // Every effect was decided before the decision was written (assertEffects), so a refusal here can
      // only be a proposer withdrawing in the instant between that check and the award: the decision
      // still lists the nomination, and the office must handle it on paper. Anything else is a fault and
      // is thrown, never swallowed.
      if (code === 'invalid_transition') {
        this.logger.error({ err: error, nominationId, purpose }, 'decision could not be applied to a nomination that changed meanwhile');
        return;
      }
      throw error;
    }
  }

  /**
   * Runs the nomination decider on each effect a decision command will have, on the states read for
   * it, as the actor who will carry them out; the first refusal refuses the whole command (issue 12.3).
   */
  private assertEffects(
    effects: readonly { nominationId: string; command: Parameters<NominationWorkflow['applyFromDecision']>[2] }[],
    states: ReadonlyMap<string, NominationState>,
    actor: Actor,
    now: Date,
    directory: UnitDirectory,
  ): void {
    const ctx = this.nominations.contextFor(actor, now, directory);
    for (const { nominationId, command } of effects) {
      try {
        decideNomination(states.get(nominationId) ?? initialNominationState, command, ctx);
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        if (typeof code !== 'string') throw error;
        throw new DecisionEffectRefused(nominationId, error as { code: string; message: string; details?: unknown });
      }
    }
  }

  private async view(decisionId: string): Promise<DecisionView> {
    const events = await readOrEmpty(this.store, decisionStream(decisionId));
    const state = foldDecisionEvents(events);
    if (state.status === 'none') throw new NotFoundError(`Decision ${decisionId} not found`);
    return toView(state, revocationsOf(events));
  }

  /**
   * A decision is visible in its code set to staff of its issuing unit and of the units above it, and
   * to the successor of an abolished issuing unit (which revokes it).
   */
  private assertVisible(
    actor: Actor,
    state: DecisionState,
    decisionId: string,
    directory: UnitDirectory,
    successor?: { readonly codeSet: string; readonly unit: string },
  ): void {
    if (state.status === 'none') throw new NotFoundError(`Decision ${decisionId} not found`);
    if (successor !== undefined && actor.codeSet === successor.codeSet && directory.isAtOrUnder(successor.codeSet, successor.unit, actor.unit)) return;
    if (state.codeSet !== actor.codeSet) throw new NotFoundError(`Decision ${decisionId} not found`);
    const visible = actor.unit === state.issuingUnit || directory.isAtOrUnder(state.codeSet, state.issuingUnit, actor.unit);
    if (!visible) throw new NotFoundError(`Decision ${decisionId} not found`);
  }
}
