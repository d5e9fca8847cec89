import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { EVENT_STORE, type EventStore } from '@app/event-store';
import {
  decideDecision,
  decisionCodec,
  evolveDecision,
  initialDecisionState,
  NotFoundError,
  revokeCommandsFor,
  type Actor,
  type DecisionEvent,
  type DecisionState,
  type RevokeDecision,
} from '@app/nomination';
import { DECISION_CLAIMS, type DecisionClaims } from '@app/records';
import { CLOCK, type Clock } from './clock';
import { assertDecisionVisible, revocableBy, revokingUnitOf } from './decision-access';
import { DecisionCompleter } from './decision-completer';
import { assertEffects, readNominationStates } from './decision-effects';
import { DecisionNumberTaken } from './decision.errors';
import { decisionStream, foldDecision, readDecisionView } from './decision-view';
import { deterministicUuid } from './deterministic-id';
import { decisionIdFor } from './issue-decision.handler';
import { commandMetadata } from './nomination-command';
import { ReferenceDataService } from './reference-data.service';
import { decisionNumberHolder } from './revocation-number';
import { readOrEmpty, runStreamCommand } from './stream-command';
import type { DecisionView } from './views';
import { RevokeDecisionCommand } from './application.commands';

/**
 * Revokes (hủy bỏ) some awards of a decision: appends DecisionRevoked to the decision's stream, then
 * revokes each nomination through the completer (which the worker also runs from the log).
 *
 * A revocation is a decision of its own: its number is taken, under the revoking unit's lock, in the
 * numbering that unit's award decisions use for the year it is signed in (DOMAIN.md: unique per unit
 * and calendar year), so it can repeat neither an award decision's number nor another revocation's.
 */
@CommandHandler(RevokeDecisionCommand)
export class RevokeDecisionHandler implements ICommandHandler<RevokeDecisionCommand> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly reference: ReferenceDataService,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly completer: DecisionCompleter,
    @Inject(DECISION_CLAIMS) private readonly claims: DecisionClaims,
  ) {}

  async execute(command: RevokeDecisionCommand): Promise<DecisionView> {
    const { envelope, decisionId, input } = command;
    const now = this.clock();
    const actor = this.reference.domainActor(envelope.actor, now);
    const revocationId = deterministicUuid('revocation', envelope.commandId);
    const recorded = await readOrEmpty(this.store, decisionStream(decisionId));
    const state = foldDecision(recorded);
    // Not found, or a retry of a revocation already written: the command path answers either.
    if (state.status === 'none' || recorded.some((e) => e.metadata['commandId'] === envelope.commandId)) return this.revoke(command, now, actor, revocationId);
    const directory = await this.reference.directory();
    const successor = revokingUnitOf(this.reference, state, directory, now);
    const revokingUnit = successor ?? { codeSet: state.codeSet, unit: state.issuingUnit };
    // The revoking unit's records across code sets share one numbering (and one lock, as for issuing).
    const records = directory.sameUnitAcrossCodeSets(revokingUnit.codeSet, revokingUnit.unit);
    const numbering = records.length > 0 ? records : [{ codeSet: revokingUnit.codeSet, code: revokingUnit.unit }];
    return this.claims.withUnitLock(numbering[0]!.codeSet, numbering[0]!.code, async (claims) => {
      // Who may not revoke, or sent an invalid revocation, is answered that first, before any number.
      assertDecisionVisible(actor, state, decisionId, directory, successor);
      decideDecision(state, this.revocation(command, revocationId), { now, actor, ...(successor ? { revokingUnit: successor } : {}) });
      const numberId = decisionIdFor(revokingUnit.codeSet, revokingUnit.unit, input.signedOn, input.number);
      const numberIds = [numberId, ...numbering.filter((u) => u.codeSet !== revokingUnit.codeSet).map((u) => decisionIdFor(u.codeSet, u.code, input.signedOn, input.number))];
      const holder = await decisionNumberHolder(this.store, claims, numberIds, revocationId);
      if (holder !== undefined) throw new DecisionNumberTaken({ number: input.number, issuingUnit: revokingUnit.unit, decisionId: holder.decisionId });
      await claims.takeRevocationNumber(numberId, { decisionId, revocationId });
      return this.revoke(command, now, actor, revocationId);
    });
  }

  private revocation({ input }: RevokeDecisionCommand, revocationId: string): RevokeDecision {
    return {
      type: 'RevokeDecision', revocationId, nominationIds: input.nominationIds, ground: input.ground, reason: input.reason,
      number: input.number, signedOn: input.signedOn,
    };
  }

  private async revoke(command: RevokeDecisionCommand, now: Date, actor: Actor, revocationId: string): Promise<DecisionView> {
    const { envelope, decisionId, input } = command;
    const directory = await this.reference.directory();
    const metadata = commandMetadata(envelope, actor);
    let revokingUnit: { codeSet: string; unit: string } | undefined;
    // Issue 12.3: each nomination's revocation is decided before the revocation decision is written.
    const states = await readNominationStates(this.store, input.nominationIds);
    const result = await runStreamCommand<DecisionState, DecisionEvent>(this.store, {
      streamId: decisionStream(decisionId),
      codec: decisionCodec,
      initialState: initialDecisionState,
      evolve: evolveDecision,
      guard: (state) => {
        revokingUnit = revokingUnitOf(this.reference, state, directory, now);
        assertDecisionVisible(actor, state, decisionId, directory, revokingUnit);
      },
      decide: (state) => {
        const events = decideDecision(state, this.revocation(command, revocationId), { now, actor, ...(revokingUnit ? { revokingUnit } : {}) });
        for (const event of events) {
          if (event.type !== 'DecisionRevoked') continue;
          const effectActor = { ...actor, codeSet: event.data.revokingUnit.codeSet };
          assertEffects(this.reference, revokeCommandsFor(decisionId, event.data), states, effectActor, now, directory);
        }
        return events;
      },
      commandId: envelope.commandId,
      metadata,
    });
    if (result.state.status === 'none') throw new NotFoundError(`Decision ${decisionId} not found`);
    const revoked = result.appended.find((e) => e.type === 'DecisionRevoked');
    if (revoked !== undefined) await this.completer.completeRevocation(decisionId, revoked.data, { ...metadata, commandId: envelope.commandId });
    return readDecisionView(this.store, decisionId, (issued) => revocableBy(this.reference, issued, directory, now));
  }
}
