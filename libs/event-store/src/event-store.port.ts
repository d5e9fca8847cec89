/**
 * The event store port. Both adapters (PostgreSQL, KurrentDB) implement it and pass the same contract
 * suite (`./testing/event-store.contract.ts`). No vendor type crosses this file.
 *
 * Revisions count from 0: the first event of a stream has revision 0. Positions are the global log's
 * order: strictly increasing along the log, comparable across streams, opaque in meaning and not
 * dense (in PostgreSQL the writing transaction's id × 100000 + the event's index in it, the commit
 * position in KurrentDB). Never compute event counts from positions.
 */

/** What the caller expects the stream's last revision to be when appending. */
export type ExpectedRevision = number | 'no_stream' | 'any';

export type EventMetadata = Readonly<Record<string, unknown>>;

export interface NewEvent {
  /** UUID chosen by the caller. Re-appending the same ids at the same expected revision is a no-op. */
  readonly id: string;
  readonly type: string;
  readonly data: unknown;
  /** Keys starting with `$` are reserved for the stores and refused. */
  readonly metadata?: EventMetadata;
  /**
   * Only for a copy of an event from another log (store-copy.ts): the instant it was recorded there and
   * the MAC it carries, stored unchanged (the MAC is whatever version it was made in; verification
   * checks it as ever). Without it the store records the event now and MACs it itself.
   */
  readonly recorded?: { readonly at: Date; readonly mac?: string };
}

export interface RecordedEvent<Type extends string = string, Data = unknown> {
  readonly id: string;
  readonly streamId: string;
  readonly type: Type;
  readonly data: Data;
  readonly metadata: EventMetadata;
  readonly revision: number;
  readonly position: bigint;
  /**
   * When the store recorded the event, in milliseconds. Chosen by the service at the append (its
   * clock, so instants of several processes need not grow with position) and covered by the MAC.
   */
  readonly recordedAt: Date;
  /** Hex SHA-256 over the previous event's hash and this event's canonical JSON (see hash-chain.ts). */
  readonly hash: string;
  /**
   * The service's authentication code, `v2.<keyId>.<base64url HMAC>` (`<keyId>.<…>` for version 1, see
   * event-mac.ts); absent for an
   * event written by a store that was given no authenticator, which verification reports as unsigned.
   */
  readonly mac?: string;
}

export interface AppendResult {
  /** Revision of the last event now in the stream (the appended one, or the original on a deduplicated retry). */
  readonly nextRevision: number;
  /** Global position of the last appended event. */
  readonly position: bigint;
  /** False when every event was already stored (an idempotent retry): nothing new was written. */
  readonly written: boolean;
  /**
   * When the store recorded the events written (their `recordedAt`), for adapters that learn it from
   * the append itself (PostgreSQL, in memory); absent on a deduplicated retry and from KurrentDB.
   */
  readonly recordedAt?: Date;
}

export interface ReadStreamOptions {
  /** Read up to and including this revision. */
  readonly toRevision?: number;
  /** Read only events recorded at or before this instant. */
  readonly until?: Date;
}

export interface ReadAllOptions {
  /** Exclusive lower bound: events strictly after this position. Omit to read from the start. */
  readonly after?: bigint;
  /** Maximum number of events in the batch (default 500). */
  readonly limit?: number;
}

export interface ReadAllBatch {
  readonly events: readonly RecordedEvent[];
  /**
   * The position the reader may resume after. It can be ahead of the last event's position when the
   * adapter skipped over log entries that are not this service's (KurrentDB filtering), and never
   * passes an event that could still become visible.
   */
  readonly checkpoint: bigint | undefined;
}

/**
 * An event as tamper evidence checks it: what its chain hash and MAC cover, with data and metadata as
 * canonical JSON text (canonicalJson of the values a reader of the store gets) and the recorded instant
 * as event-mac.ts's instantText (exact: a stored value that is not a whole millisecond reads as itself).
 */
export interface CanonicalEvent {
  readonly id: string;
  readonly streamId: string;
  readonly type: string;
  readonly revision: number;
  readonly position: bigint;
  readonly hash: string;
  readonly mac?: string;
  readonly dataJson: string;
  readonly metadataJson: string;
  readonly recordedAt: string;
}

export interface CanonicalBatch {
  readonly events: readonly CanonicalEvent[];
  readonly checkpoint: bigint | undefined;
}

export interface SubscriptionHandler {
  /** Called with events in log order, one batch at a time; the next batch waits for this promise. */
  readonly onEvents: (events: readonly RecordedEvent[]) => Promise<void>;
  /**
   * Called when the subscription has advanced past log entries that carried no event for this
   * service, so a consumer can move its stored checkpoint without waiting for a matching event.
   */
  readonly onCheckpoint?: (position: bigint) => Promise<void>;
  /** Called once when the subscription stops because of an error it could not recover from. */
  readonly onError?: (error: Error) => void;
}

export interface SubscribeOptions {
  /** Resume after this checkpoint (exclusive). Omit to start at the beginning of the log. */
  readonly after?: bigint;
  readonly batchSize?: number;
}

export interface Subscription {
  /** Resolves once every event at or before `position` has been handed to the handler and handled. */
  waitFor(position: bigint, timeoutMs?: number): Promise<void>;
  /** The position of the last event (or checkpoint) handled. */
  readonly position: bigint | undefined;
  /** Whether the subscription has read everything committed so far and is waiting for new events. */
  readonly isLive: boolean;
  stop(): Promise<void>;
}

export interface EventStore {
  append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult>;
  /** Throws StreamNotFound when the stream has no event (or none within the bounds given). */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<readonly RecordedEvent[]>;
  readAll(options?: ReadAllOptions): Promise<ReadAllBatch>;
  /**
   * readAll() for verification, where a store can do it cheaper than readAll() and canonicalJson():
   * the same events and checkpoints, content as canonical text. Optional: callers fall back to readAll.
   */
  readAllCanonical?(options?: ReadAllOptions): Promise<CanonicalBatch>;
  /**
   * readStream() for verification: the whole stream in revision order as canonical events, [] when it
   * does not exist. Optional, like readAllCanonical; a store implements it when its readStream() would
   * lose something verification must see (PostgreSQL: instants finer than a millisecond).
   */
  readStreamCanonical?(streamId: string): Promise<readonly CanonicalEvent[]>;
  subscribe(handler: SubscriptionHandler, options?: SubscribeOptions): Subscription;
  /** Position of the newest event visible to subscribers, or undefined when the log is empty. */
  headPosition(): Promise<bigint | undefined>;
  /**
   * Which log the positions belong to: the same string for as long as this log exists (across
   * restarts, processes and backups restored in place), another one for any other log: the other
   * store, a copy made by store:copy, a server wiped and filled again. Whatever stores a position
   * (subscription checkpoints) stores it with this, so that it is never applied to another log.
   */
  identity(): Promise<string>;
  /**
   * The highest position a reader of this log can hold: an event's, or a checkpoint past other
   * services' records (KurrentDB). A stored checkpoint above it does not belong to this log as it is.
   * Undefined when the log is empty.
   */
  endPosition(): Promise<bigint | undefined>;
  /** Throws EventStoreUnavailable when the store cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export const EVENT_STORE = Symbol('EVENT_STORE');
