import type { DecisionEvent } from './decision';
import { DECISION_CATEGORY, decisionCodec } from './decision.codec';
import { EventDecodeError, type StoredEvent, streamCategory, streamEntityId } from './event-codec';
import { NOMINATION_CATEGORY, nominationCodec } from './nomination.codec';
import type { NominationEvent } from './nomination.events';

/** The stream categories this service writes, each with its codec. */
export const EVENT_CATEGORIES = [NOMINATION_CATEGORY, DECISION_CATEGORY] as const;
export type EventCategory = (typeof EVENT_CATEGORIES)[number];

/** A decoded event of one of this service's streams, tagged by category so a switch narrows `event`. */
export type ServiceEvent =
  | { readonly category: 'nomination'; readonly entityId: string; readonly event: NominationEvent }
  | { readonly category: 'decision'; readonly entityId: string; readonly event: DecisionEvent };

export function isEventCategory(category: string): category is EventCategory {
  return (EVENT_CATEGORIES as readonly string[]).includes(category);
}

/**
 * Decodes a stored event of any of this service's streams by its stream's category.
 * @throws EventDecodeError for a stream of another category or an event its codec cannot read.
 */
export function decodeServiceEvent(streamId: string, stored: StoredEvent): ServiceEvent {
  const category = streamCategory(streamId);
  const entityId = streamEntityId(streamId);
  switch (category) {
    case NOMINATION_CATEGORY:
      return { category, entityId, event: nominationCodec.decode(stored) };
    case DECISION_CATEGORY:
      return { category, entityId, event: decisionCodec.decode(stored) };
    default:
      throw new EventDecodeError(category, stored.type, 'not a stream category of this service');
  }
}
