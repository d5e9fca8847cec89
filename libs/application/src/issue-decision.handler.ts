import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Logger } from 'pino';
import { EVENT_STORE, type EventStore } from '@app/event-store';
import {
  awardCommandsFor,
  decideDecision,
  decisionCodec,
  decisionNumberKey,
  decisionNumberWarnings,
  evolveDecision,
  initialDecisionState,
  unitAncestry,
  validateDecision,
  ValidationFailedError,
  type Actor,
  type DecisionEvent,
  type DecisionState,
} from '@app/nomination';
import { ROOT_LOGGER } from '@app/platform';
import { DECISION_CLAIMS, type DecisionClaims, type UnitClaims } from '@app/records';
import { CLOCK, type Clock } from './clock';
import { revocableBy } from './decision-access';
import { DecisionCompleter } from './decision-completer';
import { assertEffects, readNominationStates } from './decision-effects';
import { DecisionForbidden, DecisionNumberTaken, DecisionRefused } from './decision.errors';
import { decisionStream, readDecisionView, toDecisionView } from './decision-view';
import { deterministicUuid } from './deterministic-id';
import { commandMetadata } from './nomination-command';
import { ReferenceDataService } from './reference-data.service';
import { decisionNumberHolder, revocationHoldingNumber } from './revocation-number';
import { assertSameRequest, readOrEmpty, runStreamCommand } from './stream-command';
import type { DecisionView } from './views';
import { IssueDecisionCommand, type IssueDecisionInput } from './application.commands';

/** The calendar year of a signing date, which scopes the decision number; a malformed date is refused before anything is read. */
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

/**
 * Issues an award decision: appends one DecisionIssued event (the decision's stream id is derived from
 * its issuing unit, year and normalised number, so a number is issued once), then awards each
 * nomination through the completer. If the process dies between the two, the DecisionCompleter in
 * the worker finishes the awards from the log; both use the same deterministic command ids.
 */
@CommandHandler(IssueDecisionCommand)
export class IssueDecisionHandler implements ICommandHandler<IssueDecisionCommand> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly reference: ReferenceDataService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(DECISION_CLAIMS) private readonly claims: DecisionClaims,
    private readonly completer: DecisionCompleter,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * Decisions of one issuing unit are taken one at a time (only that unit can decide its nominations),
   * from validation until the awards are applied, so two decisions never both take a nomination.
   */
  async execute({ envelope, input }: IssueDecisionCommand): Promise<DecisionView> {
    const now = this.clock();
    const actor = this.reference.domainActor(envelope.actor, now);
    // One unit across code sets (the province in gso-2004 and gso-2025) numbers its decisions once.
    const records = (await this.reference.directory()).sameUnitAcrossCodeSets(actor.codeSet, actor.unit);
    const lockedAs = records[0] ?? { codeSet: actor.codeSet, code: actor.unit };
    const twins = records.filter((unit) => unit.codeSet !== actor.codeSet);
    return this.claims.withUnitLock(lockedAs.codeSet, lockedAs.code, (claims) => this.issueLocked(envelope, input, now, actor, claims, twins));
  }

  private async issueLocked(
    envelope: IssueDecisionCommand['envelope'],
    input: IssueDecisionInput,
    now: Date,
    actor: Actor,
    claims: UnitClaims,
    twins: readonly { readonly codeSet: string; readonly code: string }[],
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
      if (first.type === 'DecisionIssued') await this.completer.completeAwards(first.data, existing[0]!.metadata);
      const units = await this.reference.directory();
      return readDecisionView(this.store, decisionId, (issued) => revocableBy(this.reference, issued, units, now));
    }
    if (existing.length > 0) {
      throw new DecisionNumberTaken({ number: input.number, issuingUnit: actor.unit, decisionId });
    }
    // A revocation is a decision too: the number may be one the unit gave a revocation that year, or one
    // it gave a decision under its record in another code set.
    const holder = (await revocationHoldingNumber(this.store, claims, decisionId))
      ?? (await decisionNumberHolder(this.store, claims, twins.map((twin) => decisionIdFor(twin.codeSet, twin.code, input.signedOn, input.number))));
    if (holder !== undefined) {
      throw new DecisionNumberTaken({ number: input.number, issuingUnit: actor.unit, decisionId: holder.decisionId });
    }

    // From here until the decision is recorded, no withdrawal or rejection can move a listed nomination
    // (they are refused while these are held, and checked against the claims after): the decision and
    // its nominations never disagree.
    await claims.holdNominations(input.nominationIds);
    const states = await readNominationStates(this.store, input.nominationIds);
    const directory = await this.reference.directory();
    const validation = validateDecision(states, input.nominationIds, {
      actor, signedOn: input.signedOn, baseSalaries: this.reference.baseSalaries,
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
          issuerAncestry: unitAncestry(directory, actor.codeSet, actor.unit).map((unit) => unit.unit),
        }, { now, actor });
        for (const event of events) {
          if (event.type === 'DecisionIssued') assertEffects(this.reference, awardCommandsFor(event.data), states, actor, now, directory);
        }
        return events;
      },
      commandId: envelope.commandId,
      metadata,
    });
    if (result.state.status === 'none') throw new Error('decision not written');
    const issued = result.appended.find((e) => e.type === 'DecisionIssued')?.data;
    if (issued !== undefined) await this.completer.completeAwards(issued, { ...metadata, commandId: envelope.commandId });
    if (issued !== undefined && decisionNumberWarnings(issued.number).length > 0) {
      this.logger.warn({ decisionId, number: issued.number, issuingUnit: issued.issuingUnit }, 'decision number does not look like n/QĐ-…');
    }
    return toDecisionView(result.state, [], (issued) => revocableBy(this.reference, issued, directory, now));
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
}
