import type { RecordedEvent } from '@app/event-store';
import type { DecisionIssuedData, DecisionRevokedData } from '@app/nomination';
import type { DurableConsumer } from '@app/platform';
import type { DecisionWorkflow } from './decision.workflow';

/**
 * Finishes every decision from the log: each DecisionIssued awards the nominations it lists, each
 * DecisionRevoked revokes them. The api does the same right after appending; this consumer is what
 * makes the outcome complete when that process died midway. Both use the same command ids, so a
 * nomination already handled is recognised and nothing is written twice.
 */
export class DecisionCompleter implements DurableConsumer {
  readonly name = 'decision-completer';

  constructor(private readonly decisions: DecisionWorkflow) {}

  async handle(events: readonly RecordedEvent[]): Promise<void> {
    for (const event of events) {
      if (!event.streamId.startsWith('decision-')) continue;
      if (event.type === 'DecisionIssued') {
        await this.decisions.completeAwards(event.data as DecisionIssuedData, event.metadata);
      } else if (event.type === 'DecisionRevoked') {
        await this.decisions.completeRevocation(event.streamId.slice('decision-'.length), event.data as DecisionRevokedData, event.metadata);
      }
    }
  }
}
