/**
 * Pure translations between the port and @kurrent/kurrentdb-client 1.x: revisions, positions, errors
 * and recorded events. Nothing here talks to a server, so all of it is unit-tested without one, and no
 * client type leaves this folder.
 *
 * Positions. The port's position is the event's KurrentDB *commit* position. Every event this adapter
 * writes goes through gRPC appends, which the server stores as implicitly committed prepare records
 * (one log record per event, multi-event appends included), so an event's commit position equals its
 * prepare position, is unique, and grows strictly along $all: exactly the port's contract, and it fits
 * a PostgreSQL bigint checkpoint column. The prepare half only matters for the server's own
 * checkpoints (see `checkpointPosition`). Events written by explicit TCP transactions (not possible
 * over gRPC) would share a commit position; they never carry this service's stream prefixes.
 */
import { ANY, NO_STREAM, type Position, type ResolvedEvent, type EventData } from '@kurrent/kurrentdb-client';
import { canonicalJson, chainHashOfText, type HashedContent } from '../hash-chain';
import { prepareAppend, type PreparedEvent } from '../append-validation';
import {
  EventStoreError,
  EventStoreFailure,
  EventStoreUnavailable,
  InvalidAppend,
  RevisionConflict,
  StreamNotFound,
  StreamTruncated,
} from '../event-store.errors';
import type { EventMetadata, ExpectedRevision, NewEvent, RecordedEvent } from '../event-store.port';

export type { PreparedEvent };

/**
 * The metadata key that carries the audit hash chain. `$`-prefixed because it belongs to the storage
 * layer rather than the domain (the same reason KurrentDB spells `$correlationId` that way); it is
 * stripped from `RecordedEvent.metadata` and excluded from the hashed metadata, so the hash covers
 * exactly what PostgreSQL hashes and a chain copied between the stores verifies the same.
 */
export const CHAIN_METADATA_KEY = '$chain';

/** The metadata key that carries the service's MAC (event-mac.ts), stripped like the chain. */
export const MAC_METADATA_KEY = '$mac';

/**
 * The metadata key that carries the instant the service recorded the event at (ISO 8601, milliseconds),
 * stripped like the chain. The server's own `created` is set at its commit, after the MAC was made, so
 * the MAC (version 2) covers this one, and it is the event's `recordedAt`. Events written before it
 * existed have none: their `recordedAt` is the server's `created`, which their version-1 MAC never covered.
 */
export const RECORDED_AT_METADATA_KEY = '$recordedAt';

/** u64::MAX: what older servers put in the position of an event read from a stream (no position known). */
const NO_POSITION = 0xffff_ffff_ffff_ffffn;

// ---------------------------------------------------------------------------------------------------
// Revisions

export type ClientStreamState = typeof ANY | typeof NO_STREAM | bigint;

/** The port's expected revision as the client's `streamState`. */
export function toStreamState(expected: ExpectedRevision): ClientStreamState {
  if (expected === 'any') return ANY;
  if (expected === 'no_stream') return NO_STREAM;
  return expected < 0 ? NO_STREAM : BigInt(expected);
}

/** A client revision (u64 as bigint) as the port's number; the port counts from 0 like the server. */
export function fromClientRevision(revision: bigint): number {
  const value = Number(revision);
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new Error(`KurrentDB revision ${revision} is outside the port's range`);
  }
  return value;
}

/** The client's "current state" of a stream (a revision, 'no_stream', or -5/-6 for deleted) as the port's. */
export function fromCurrentState(state: bigint | string | undefined): number | 'no_stream' {
  if (typeof state === 'bigint') return state < 0n ? 'no_stream' : fromClientRevision(state);
  return 'no_stream';
}

// ---------------------------------------------------------------------------------------------------
// Positions

export function fromClientPosition(position: Position): bigint {
  return position.commit;
}

/**
 * The client position to resume *after* `position` (subscriptions are exclusive of it) or to read
 * from (reads of $all include it, so readers drop events at or before `position` themselves).
 */
export function toClientPosition(position: bigint): Position {
  return { commit: position, prepare: position };
}

/**
 * What a server checkpoint lets the port's consumer store.
 *
 * A checkpoint (C, P) with P >= C names a record that has been fully considered: storing C and resuming
 * after (C, C) is exact. A checkpoint with P < C is a page boundary, typically (C, 0) where C is the
 * start of the *next*, not yet considered record: storing C would claim that record handled and skip
 * it if it is ours. Those need the position of the last event before C, which only the server knows:
 * 'before' asks the caller to look it up (read $all backwards from (C, C), one event).
 */
export function checkpointPosition(position: Position): { kind: 'exact'; position: bigint } | { kind: 'before'; position: bigint } {
  return position.prepare >= position.commit
    ? { kind: 'exact', position: position.commit }
    : { kind: 'before', position: position.commit };
}

/** The event's commit position, or undefined when the server did not send one. */
export function positionOf(resolved: Pick<ResolvedEvent, 'event' | 'commitPosition'>): bigint | undefined {
  const fromEvent = resolved.event?.position?.commit;
  if (fromEvent !== undefined && fromEvent !== NO_POSITION) return fromEvent;
  if (resolved.commitPosition !== undefined && resolved.commitPosition !== NO_POSITION) return resolved.commitPosition;
  return undefined;
}

// ---------------------------------------------------------------------------------------------------
// Events

/**
 * Checks an append and serialises its events with the PostgreSQL adapter's own rules
 * (`prepareAppend`): both stores refuse the same requests, and the chain is computed over the very
 * same canonical JSON text, so a stream copied between them verifies to the same hashes. KurrentDB
 * adds two refusals of its own: `$` streams are the server's, and the chain's metadata key is ours.
 */
export function validateNewEvents(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): PreparedEvent[] {
  const prepared = prepareAppend(streamId, events, expected);
  if (streamId.startsWith('$')) throw new InvalidAppend(`Stream id ${streamId} is reserved for KurrentDB system streams`);
  for (const event of events) {
    if (event.metadata !== undefined && Object.prototype.hasOwnProperty.call(event.metadata, CHAIN_METADATA_KEY)) {
      throw new InvalidAppend(`Metadata key ${CHAIN_METADATA_KEY} is reserved for the hash chain`);
    }
  }
  return prepared;
}

export interface OutgoingEvent {
  readonly eventData: EventData;
  readonly hash: string;
}

/**
 * The event as sent to KurrentDB, with its place in the hash chain. `revision` is the revision it
 * will get, `previousHash` the hash of the event before it (GENESIS_HASH for revision 0). Data and
 * metadata are sent as the values of their canonical JSON, which is also what reads give back.
 * `recordedAt` is the instant it is recorded at (a copied event's own), `sign` makes its MAC from its
 * chain hash; a copied event carries its stored MAC instead.
 */
export function toOutgoingEvent(
  event: PreparedEvent,
  revision: number,
  previousHash: string,
  recordedAt: Date,
  sign?: (hash: string, recordedAt: string) => string,
): OutgoingEvent {
  const data = JSON.parse(event.dataJson) as unknown;
  const metadata = JSON.parse(event.metadataJson) as Record<string, unknown>;
  const hash = chainHashOfText(previousHash, revision, event.type, event.dataJson, event.metadataJson);
  const at = (event.recorded?.at ?? recordedAt).toISOString();
  const mac = event.recorded !== undefined ? event.recorded.mac : sign?.(hash, at);
  const eventData = {
    id: event.id,
    contentType: 'application/json',
    type: event.type,
    // The client's JSON type excludes numbers, booleans and null at the type level only; it
    // stringifies whatever it gets, and the port allows any JSON value as data.
    data: data as Record<string, unknown>,
    metadata: { ...metadata, [CHAIN_METADATA_KEY]: hash, [RECORDED_AT_METADATA_KEY]: at, ...(mac === undefined ? {} : { [MAC_METADATA_KEY]: mac }) },
  } satisfies EventData;
  return { eventData, hash };
}

/** Whether a stored event is the one being appended (a retry): same id, type and data. */
export function isSameEvent(stored: RecordedEvent, event: PreparedEvent): boolean {
  return stored.id.toLowerCase() === event.id && stored.type === event.type && canonicalJson(stored.data) === event.dataJson;
}

/**
 * What one record read from the server is to the port. `event`: one of this service's events.
 * `system`: a record that is not an event of this service although it sits in one of its streams or
 * positions: the `$streamDeleted` tombstone a hard delete writes (revision 2^63-1, beyond any number
 * the port can hold), stream metadata, links and anything else whose type starts with `$` (the port
 * refuses such types on append), or a revision the port cannot represent. Readers skip these and log
 * them; they never stop a read or a subscription. `missing`: a link whose target is gone.
 */
export type ReadRecord =
  | { readonly kind: 'event'; readonly event: RecordedEvent }
  | {
      readonly kind: 'system';
      readonly streamId: string;
      readonly type: string;
      readonly revision: bigint;
      readonly position: bigint | undefined;
    }
  | { readonly kind: 'missing' };

export function readRecord(resolved: Pick<ResolvedEvent, 'event' | 'commitPosition'>): ReadRecord {
  const event = resolved.event;
  if (event === undefined) return { kind: 'missing' };
  const position = positionOf(resolved);
  if (event.type.startsWith('$') || !isPortRevision(event.revision)) {
    return { kind: 'system', streamId: event.streamId, type: event.type, revision: event.revision, position };
  }
  if (position === undefined) {
    throw new Error(`KurrentDB sent event ${event.id} of ${event.streamId} without a log position (server older than 22.6?)`);
  }
  const { metadata, hash, mac, recordedAt } = splitMetadata(event.metadata);
  return {
    kind: 'event',
    event: {
      id: event.id,
      streamId: event.streamId,
      type: event.type,
      data: event.data,
      metadata,
      revision: fromClientRevision(event.revision),
      position,
      recordedAt: recordedAt ?? event.created,
      hash,
      ...(mac === undefined ? {} : { mac }),
    },
  };
}

/** This service's event in the record, or undefined for anything else (see readRecord). */
export function toRecordedEvent(resolved: Pick<ResolvedEvent, 'event' | 'commitPosition'>): RecordedEvent | undefined {
  const record = readRecord(resolved);
  return record.kind === 'event' ? record.event : undefined;
}

function isPortRevision(revision: bigint): boolean {
  return revision >= 0n && revision <= BigInt(Number.MAX_SAFE_INTEGER);
}

/**
 * Separates the chain hash, MAC and recorded instant from the caller's metadata; a foreign event
 * without a hash gets '' (fails verifyChain). A `$recordedAt` that is not an instant reads as an
 * invalid Date, whose instant text no MAC matches.
 */
export function splitMetadata(raw: unknown): { metadata: EventMetadata; hash: string; mac?: string; recordedAt?: Date } {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw) || raw instanceof Uint8Array) {
    return { metadata: {}, hash: '' };
  }
  const { [CHAIN_METADATA_KEY]: hash, [MAC_METADATA_KEY]: mac, [RECORDED_AT_METADATA_KEY]: recordedAt, ...metadata } = raw as Record<string, unknown>;
  return {
    metadata,
    hash: typeof hash === 'string' ? hash : '',
    ...(typeof mac === 'string' && mac !== '' ? { mac } : {}),
    ...(recordedAt === undefined ? {} : { recordedAt: new Date(typeof recordedAt === 'string' ? recordedAt : Number.NaN) }),
  };
}

/** What chainHash sees for a recorded event: the same shape PostgreSQL hashes. */
export function hashedContent(event: RecordedEvent): HashedContent {
  return { type: event.type, data: event.data, metadata: event.metadata, revision: event.revision };
}

// ---------------------------------------------------------------------------------------------------
// Errors

/**
 * gRPC status codes that say "try again": the server or the way to it is busy, restarting, electing a
 * leader or cut off. ABORTED is what KurrentDB answers when it gave up on an operation it could not
 * commit in time (the client turns it into a TimeoutError); UNKNOWN and INTERNAL are what a server or
 * proxy reports for a failure it did not classify, transport resets included.
 */
const TRANSIENT_GRPC_CODES = new Set([
  1, // CANCELLED (by the transport or the server, not by us: our own cancellations never reach here)
  2, // UNKNOWN
  4, // DEADLINE_EXCEEDED
  8, // RESOURCE_EXHAUSTED (overloaded; an oversized append is refused before it is sent)
  10, // ABORTED
  13, // INTERNAL
  14, // UNAVAILABLE
]);
// Every other status (INVALID_ARGUMENT, NOT_FOUND, ALREADY_EXISTS, PERMISSION_DENIED, FAILED_PRECONDITION,
// OUT_OF_RANGE, UNIMPLEMENTED, DATA_LOSS, UNAUTHENTICATED) says the same request will fail again.

const UNAVAILABLE_ERRNO = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH',
  'ENOTFOUND', 'EAI_AGAIN',
]);

/** The client's CommandError `type` values that mean the store is out of reach for now. */
const TRANSIENT_TYPES = new Set(['unavailable', 'deadline-exceeded', 'timeout', 'cancelled', 'not-leader']);

/** The client's CommandError `type` values that no retry fixes: configuration or a server refusal. */
const PERMANENT_TYPES = new Set(['access-denied', 'not-found', 'unsupported', 'invalid-transaction', 'append-consistency-violation']);

/** Error names of the native read path (@kurrent/bridge), when they reach us unconverted. */
const TRANSIENT_BRIDGE_NAMES = new Set(['UnavailableError', 'DeadlineExceededError', 'NotLeaderError', 'UnknownError']);
const PERMANENT_BRIDGE_NAMES = new Set(['AccessDeniedError', 'ParseError']);

export interface ErrorContext {
  readonly streamId?: string;
  /** The caller's expected revision, reported back in RevisionConflict. */
  readonly expected?: ExpectedRevision;
  readonly operation: 'append' | 'read' | 'subscribe' | 'ping';
}

interface ErrorLike {
  readonly name?: unknown;
  readonly message?: unknown;
  readonly type?: unknown;
  readonly code?: unknown;
  readonly actualState?: unknown;
}

/**
 * Turns whatever the client threw into a port error, in three classes:
 *   - what the request itself gets wrong or finds (RevisionConflict, StreamNotFound, InvalidAppend,
 *     StreamTruncated for a stream deleted in KurrentDB);
 *   - transient: EventStoreUnavailable, which subscriptions retry and the API answers with 503;
 *   - permanent: EventStoreFailure (access denied, unsupported, refused for good), which subscriptions
 *     stop on and report.
 * Errors are recognised by their shape (`type`, gRPC `code`, errno, bridge `name`) rather than by class:
 * the client converts gRPC errors into CommandError classes on some paths and hands raw gRPC errors
 * through on others (appends to an unreachable server, for one), and the native read path has its own.
 * The client's UnknownError is transient when it comes from the native bridge (no gRPC code: the bridge
 * puts deadlines, server statuses and transport failures it has no name for there) and classified by
 * its gRPC code otherwise. Anything unrecognised (a bug, not the store) becomes a plain Error with the
 * original as `cause`, so no client class crosses the port.
 */
export function translateError(error: unknown, context: ErrorContext): Error {
  if (error instanceof EventStoreError) return error;
  const e = (typeof error === 'object' && error !== null ? error : {}) as ErrorLike;
  const message = typeof e.message === 'string' ? e.message : String(error);
  const type = typeof e.type === 'string' ? e.type : undefined;
  const grpcCode = typeof e.code === 'number' ? e.code : undefined;
  const streamId = context.streamId ?? '';
  const transient = () => new EventStoreUnavailable(`KurrentDB unavailable during ${context.operation}: ${message}`, { cause: error });
  const permanent = () => new EventStoreFailure(`KurrentDB refused the ${context.operation}${streamId ? ` on ${streamId}` : ''}: ${message}`, { cause: error });

  switch (type) {
    case 'wrong-expected-version':
      return new RevisionConflict(streamId, context.expected ?? 'any', fromCurrentState(e.actualState as bigint | string | undefined));
    case 'stream-not-found':
    case 'no-stream':
      return new StreamNotFound(streamId);
    case 'stream-deleted':
    case 'stream-tombstoned':
      return new StreamTruncated(streamId, undefined, 'was deleted (tombstoned) in KurrentDB');
    case 'maximum-append-size-exceeded':
    case 'append-record-size-exceeded':
    case 'transaction-max-size-exceeded':
      return new InvalidAppend(`KurrentDB refused the append to ${streamId}: ${message}`);
    case 'invalid-argument':
      return context.operation === 'append' ? new InvalidAppend(`KurrentDB refused the append to ${streamId}: ${message}`) : permanent();
    case 'unknown':
      if (grpcCode === undefined) return transient();
      return TRANSIENT_GRPC_CODES.has(grpcCode) ? transient() : permanent();
  }
  if (type !== undefined && TRANSIENT_TYPES.has(type)) return transient();
  if (type !== undefined && PERMANENT_TYPES.has(type)) return permanent();
  if (grpcCode !== undefined) return TRANSIENT_GRPC_CODES.has(grpcCode) ? transient() : permanent();
  if (typeof e.code === 'string' && UNAVAILABLE_ERRNO.has(e.code)) return transient();
  if (typeof e.name === 'string' && TRANSIENT_BRIDGE_NAMES.has(e.name)) return transient();
  if (typeof e.name === 'string' && PERMANENT_BRIDGE_NAMES.has(e.name)) return permanent();
  return new Error(`KurrentDB ${context.operation} failed: ${message}`, { cause: error });
}
