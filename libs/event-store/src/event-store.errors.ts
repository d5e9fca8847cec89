import type { ExpectedRevision } from './event-store.port';

export const EVENT_STORE_ERROR_CODES = [
  'revision_conflict',
  'stream_not_found',
  'invalid_append',
  'event_store_unavailable',
  'event_store_failure',
  'stream_truncated',
] as const;
export type EventStoreErrorCode = (typeof EVENT_STORE_ERROR_CODES)[number];

/** Base class of every error the port raises; adapters translate vendor errors into these. */
export abstract class EventStoreError extends Error {
  abstract readonly code: EventStoreErrorCode;
}

export class RevisionConflict extends EventStoreError {
  readonly code = 'revision_conflict';
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    /** The stream's actual last revision, or 'no_stream' when it does not exist. */
    readonly actual: number | 'no_stream',
  ) {
    super(`Stream ${streamId}: expected revision ${String(expected)}, actual ${String(actual)}`);
  }
}

export class StreamNotFound extends EventStoreError {
  readonly code = 'stream_not_found';
  constructor(readonly streamId: string) {
    super(`Stream ${streamId} not found`);
  }
}

/** The request itself is malformed (empty or oversized stream id or event type, duplicate ids...). */
export class InvalidAppend extends EventStoreError {
  readonly code = 'invalid_append';
  constructor(message: string) {
    super(message);
  }
}

export class EventStoreUnavailable extends EventStoreError {
  readonly code = 'event_store_unavailable';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * The store refused or failed an operation in a way that retrying will not fix: access denied to this
 * service's credentials, an operation the server does not support, a reply the adapter cannot read.
 * Unlike EventStoreUnavailable, subscriptions stop on it (and report it) instead of retrying.
 */
export class EventStoreFailure extends EventStoreError {
  readonly code = 'event_store_failure';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * The stream's history no longer starts at revision 0 in the store: it was deleted (soft or hard) or
 * truncated there by stream metadata ($tb, $maxCount, $maxAge) or a scavenge, outside this service.
 * Its hash chain and fold cannot be verified, so it is neither read as if complete nor appended to.
 */
export class StreamTruncated extends EventStoreError {
  readonly code = 'stream_truncated';
  constructor(
    readonly streamId: string,
    /** The first revision the store still shows, or undefined when it shows none (deleted). */
    readonly firstRevision: number | undefined,
    detail: string,
  ) {
    super(`Stream ${streamId} ${detail}: its history is incomplete in the event store and cannot be read or appended to`);
  }
}
