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
  type DecisionEvent,
  type DecisionState,
} from '@app/nomination';
import { CLOCK, type Clock } from './clock';
import { assertDecisionVisible, revocableBy, revokingUnitOf } from './decision-access';
import { DecisionCompleter } from './decision-completer';
import { assertEffects, readNominationStates } from './decision-effects';
import { decisionStream, readDecisionView } from './decision-view';
import { deterministicUuid } from './deterministic-id';
import { commandMetadata } from './nomination-command';
import { ReferenceDataService } from './reference-data.service';
import { runStreamCommand } from './stream-command';
import type { DecisionView } from './views';
import { RevokeDecisionCommand } from './application.commands';

/**
 * Revokes (hủy bỏ) some awards of a decision: appends DecisionRevoked to the decision's stream, then
 * revokes each nomination through the completer (which the worker also runs from the log).
 */
@CommandHandler(RevokeDecisionCommand)
export class RevokeDecisionHandler implements ICommandHandler<RevokeDecisionCommand> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly reference: ReferenceDataService,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly completer: DecisionCompleter,
  ) {}

  async execute({ envelope, decisionId, input }: RevokeDecisionCommand): Promise<DecisionView> {
    const now = this.clock();
    const actor = this.reference.domainActor(envelope.actor, now);
    const revocationId = deterministicUuid('revocation', envelope.commandId);
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
        const events = decideDecision(state, {
          type: 'RevokeDecision', revocationId, nominationIds: input.nominationIds, ground: input.ground, reason: input.reason,
          number: input.number, signedOn: input.signedOn,
        }, { now, actor, ...(revokingUnit ? { revokingUnit } : {}) });
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
