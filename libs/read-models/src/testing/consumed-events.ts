import { randomUUID } from 'node:crypto';
import type { ConsumedEvent } from '@app/platform';
import type { DecisionEvent, NominationEvent } from '@app/nomination';

let nextPosition = 1_000n;

/** Domain events as a subscriber receives them: one stream, increasing revisions and log positions. */
export function consumedNomination(nominationId: string, events: readonly NominationEvent[], fromRevision = 0): ConsumedEvent[] {
  return events.map((event, i) => ({
    category: 'nomination', entityId: nominationId, event, id: randomUUID(), streamId: `nomination-${nominationId}`, revision: fromRevision + i,
    position: (nextPosition += 100_000n), recordedAt: new Date(event.data.at), metadata: {}, hash: 'h',
  }));
}

export function consumedDecision(decisionId: string, events: readonly DecisionEvent[], fromRevision = 0): ConsumedEvent[] {
  return events.map((event, i) => ({
    category: 'decision', entityId: decisionId, event, id: randomUUID(), streamId: `decision-${decisionId}`, revision: fromRevision + i,
    position: (nextPosition += 100_000n), recordedAt: new Date(event.data.at), metadata: {}, hash: 'h',
  }));
}
