import type { RecordedEvent } from '@app/event-store';
import { evolve, initialNominationState, nominationCodec, type NominationEvent } from '@app/nomination';
import type { NominationContext } from './notification-rules';

/** A nomination folded up to `revision`, with what the notification rules need beyond its state. */
export interface NominationFold extends NominationContext {
  readonly revision: number;
  /** Id of the event that started the current stage visit (NominationSubmitted or StageApproved). */
  readonly entryEventId: string | undefined;
}

export const emptyFold: NominationFold = { revision: -1, state: initialNominationState, lastSubmitter: undefined, entryEventId: undefined };

/** Where an event sits in its stream: enough to fold it (the seam's ConsumedEvent and a RecordedEvent both have it). */
export interface EventPlace {
  readonly id: string;
  readonly revision: number;
}

export function evolveFold(fold: NominationFold, recorded: EventPlace, event: NominationEvent): NominationFold {
  const entry = event.type === 'NominationSubmitted' || event.type === 'StageApproved';
  return {
    revision: recorded.revision,
    state: evolve(fold.state, event),
    lastSubmitter: event.type === 'NominationSubmitted' ? event.data.by : fold.lastSubmitter,
    entryEventId: entry ? recorded.id : fold.entryEventId,
  };
}

export function foldNominationEvents(events: readonly RecordedEvent[]): NominationFold {
  // Through the aggregate's codec: stored JSON becomes the current version of the typed event.
  return events.reduce<NominationFold>((fold, e) => evolveFold(fold, e, nominationCodec.decode(e)), emptyFold);
}
