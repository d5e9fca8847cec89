import type { ExpectedRevision } from './event-store.port';

/** Base class of every error the port raises; adapters translate vendor errors into these. */
export abstract class EventStoreError extends Error {
  abstract readonly code: string;
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
