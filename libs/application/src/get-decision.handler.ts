import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { EVENT_STORE, type EventStore } from '@app/event-store';
import { NotFoundError } from '@app/nomination';
import { CLOCK, type Clock } from './clock';
import { assertDecisionVisible, revocableBy, revokingUnitOf } from './decision-access';
import { decisionStream, foldDecision, revocationsOf, toDecisionView } from './decision-view';
import { ReferenceDataService } from './reference-data.service';
import { readOrEmpty } from './stream-command';
import type { DecisionView } from './views';
import { GetDecisionQuery } from './application.commands';

/** GET /decisions/{id}: the decision from its stream, visible within the caller's jurisdiction only. */
@QueryHandler(GetDecisionQuery)
export class GetDecisionHandler implements IQueryHandler<GetDecisionQuery> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly reference: ReferenceDataService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ actor: authActor, decisionId }: GetDecisionQuery): Promise<DecisionView> {
    const actor = this.reference.domainActor(authActor, this.clock());
    const events = await readOrEmpty(this.store, decisionStream(decisionId));
    const state = foldDecision(events);
    const directory = await this.reference.directory();
    const now = this.clock();
    assertDecisionVisible(actor, state, decisionId, directory, revokingUnitOf(this.reference, state, directory, now));
    if (state.status === 'none') throw new NotFoundError(`Decision ${decisionId} not found`);
    return toDecisionView(state, revocationsOf(events), (issued) => revocableBy(this.reference, issued, directory, now));
  }
}
