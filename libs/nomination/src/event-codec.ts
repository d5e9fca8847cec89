/**
 * Stored events become typed domain events here, and nowhere else. A codec knows every event type of
 * one aggregate (its `decoders` map is keyed by the union's `type`, so adding an event to the union
 * without a decoder does not compile), checks the stored payload's shape, and upcasts older schema
 * versions to the current one. Old shapes stay frozen beside their upcaster.
 */

/** What the codec needs of a stored event: its type string and its JSON payload. */
export interface StoredEvent {
  readonly type: string;
  readonly data: unknown;
}

export interface TypedEvent {
  readonly type: string;
  readonly data: unknown;
}

/** A stored event this code cannot read: unknown type, unknown schema version, or a malformed payload. */
export class EventDecodeError extends Error {
  readonly code = 'event_undecodable' as const;
  constructor(
    readonly category: string,
    readonly type: string,
    readonly reason: string,
  ) {
    super(`Cannot decode ${category} event ${type}: ${reason}`);
  }
}

/** A JSON payload after its object-ness has been checked. */
export type Payload = Readonly<Record<string, unknown>>;

/** Turns a checked payload of any supported schema version into the current shape of one event type. */
export type Decoder<Data> = (payload: Payload, version: number) => Data;

export type Decoders<Event extends TypedEvent> = {
  readonly [Type in Event['type']]: Decoder<Extract<Event, { type: Type }>['data']>;
};

export interface EventCodec<Event extends TypedEvent> {
  /** The stream category, the part of a stream id before its first `-` (`nomination`, `decision`). */
  readonly category: string;
  /** Every event type of the aggregate, derived from the decoders (exhaustive by construction). */
  readonly eventTypes: readonly Event['type'][];
  isEventType(type: string): type is Event['type'];
  /** @throws EventDecodeError */
  decode(stored: StoredEvent): Event;
}

export function defineCodec<Event extends TypedEvent>(category: string, decoders: Decoders<Event>): EventCodec<Event> {
  const eventTypes = Object.keys(decoders) as Event['type'][];
  const known = new Set<string>(eventTypes);
  const isEventType = (type: string): type is Event['type'] => known.has(type);
  return {
    category,
    eventTypes,
    isEventType,
    decode(stored: StoredEvent): Event {
      const { type, data } = stored;
      if (!isEventType(type)) throw new EventDecodeError(category, type, 'unknown event type');
      if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new EventDecodeError(category, type, 'payload is not an object');
      const payload = data as Payload;
      const version = payload['schemaVersion'];
      if (typeof version !== 'number' || !Number.isInteger(version)) throw new EventDecodeError(category, type, 'no schemaVersion');
      const decoder = decoders[type] as Decoder<unknown>;
      try {
        return { type, data: decoder(payload, version) } as Event;
      } catch (error) {
        if (error instanceof ShapeError) throw new EventDecodeError(category, type, error.message);
        throw error;
      }
    },
  };
}

class ShapeError extends Error {}

type FieldKind = 'string' | 'number' | 'boolean' | 'object' | 'array' | 'string|null' | 'number|null' | 'object|null';

type Check = (value: unknown) => boolean;

const CHECKS: Readonly<Record<string, Check>> = {
  null: (value) => value === null,
  array: (value) => Array.isArray(value),
  object: (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
  string: (value) => typeof value === 'string',
  number: (value) => typeof value === 'number',
  boolean: (value) => typeof value === 'boolean',
};

/**
 * A checker of the top-level fields an event must carry, compiled once per event type (it runs for
 * every event a rebuild replays). The nested values were validated by `decide` when the event was
 * written; the log is append-only and hash-chained, so this guards against foreign or hand-written
 * data, not against our own writes. Returns the payload typed as the frozen shape.
 */
export function shapeOf<Shape>(fields: Readonly<Record<string, FieldKind>>): (payload: Payload) => Shape {
  const checks = Object.entries(fields).map(([field, kind]) => {
    const alternatives = kind.split('|').map((k) => CHECKS[k]!);
    const check: Check = alternatives.length === 1 ? alternatives[0]! : (value) => alternatives.some((ok) => ok(value));
    return [field, kind, check] as const;
  });
  return (payload) => {
    for (const [field, kind, check] of checks) {
      if (!check(payload[field])) throw new ShapeError(`field ${field} is not ${kind}`);
    }
    return payload as Shape;
  };
}

/** shapeOf, compiled and applied at once (for a decoder that runs rarely). */
export function expectShape<Shape>(payload: Payload, fields: Readonly<Record<string, FieldKind>>): Shape {
  return shapeOf<Shape>(fields)(payload);
}

/** @throws for a schema version no upcaster handles. */
export function unsupportedVersion(version: number): never {
  throw new ShapeError(`unsupported schemaVersion ${version}`);
}

/** The category of a stream id: `nomination-3f…` → `nomination`. */
export function streamCategory(streamId: string): string {
  const dash = streamId.indexOf('-');
  return dash < 0 ? streamId : streamId.slice(0, dash);
}

/** The entity id of a stream id: `nomination-3f…` → `3f…`. */
export function streamEntityId(streamId: string): string {
  const dash = streamId.indexOf('-');
  return dash < 0 ? '' : streamId.slice(dash + 1);
}
