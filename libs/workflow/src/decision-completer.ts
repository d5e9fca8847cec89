import { Injectable } from '@nestjs/common';
import { type ConsumedEvent, type DurableConsumer, DurableConsumerProvider } from '@app/platform';
import { DecisionWorkflow } from './decision.workflow';

/**
 * Finishes every decision from the log: each DecisionIssued awards the nominations it lists, each
 * DecisionRevoked revokes them. The api does the same right after appending; this consumer is what
 * makes the outcome complete when that process died midway. Both use the same command ids, so a
 * nomination already handled is recognised and nothing is written twice. It writes to the event
 * store, not through the transaction: at least once, idempotent by command id.
 */
@Injectable()
@DurableConsumerProvider()
export class DecisionCompleter implements DurableConsumer {
  readonly name = 'decision-completer';
  readonly categories = ['decision'] as const;

  constructor(private readonly decisions: DecisionWorkflow) {}

  async handle(events: readonly ConsumedEvent[]): Promise<void> {
    for (const e of events) {
      if (e.category !== 'decision') continue;
      switch (e.event.type) {
        case 'DecisionIssued':
          await this.decisions.completeAwards(e.event.data, e.metadata);
          break;
        case 'DecisionRevoked':
          await this.decisions.completeRevocation(e.entityId, e.event.data, e.metadata);
          break;
      }
    }
  }
}
