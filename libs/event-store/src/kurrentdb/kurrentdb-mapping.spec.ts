import {
  ANY,
  AccessDeniedError,
  DeadlineExceededError,
  MaxAppendSizeExceededError,
  NO_STREAM,
  NotLeaderError,
  StreamDeletedError,
  StreamNotFoundError,
  TimeoutError,
  UnavailableError,
  WrongExpectedVersionError,
  convertToCommandError,
  type ResolvedEvent,
} from '@kurrent/kurrentdb-client';
import { convertBridgeError } from '@kurrent/kurrentdb-client/dist/utils/convertBridgeError.js';
import {
  EventStoreFailure,
  EventStoreUnavailable,
  InvalidAppend,
  RevisionConflict,
  StreamNotFound,
  StreamTruncated,
} from '../event-store.errors';
import { chainHash, GENESIS_HASH, verifyChain } from '../hash-chain';
import type { NewEvent } from '../event-store.port';
import {
  CHAIN_METADATA_KEY,
  checkpointPosition,
  fromClientRevision,
  fromCurrentState,
  hashedContent,
  isSameEvent,
  positionOf,
  readRecord,
  splitMetadata,
  toClientPosition,
  toRecordedEvent,
  toOutgoingEvent,
  RECORDED_AT_METADATA_KEY,
  MAC_METADATA_KEY,
  toStreamState,
  translateError,
  validateNewEvents,
  type OutgoingEvent,
} from './kurrentdb-mapping';
import { bridgeError, grpcError, TOMBSTONE_REVISION } from './testing/kurrentdb-stand-in';

const NO_POSITION = 0xffff_ffff_ffff_ffffn;
const ID = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

/** When the adapter records the events of these tests: before the server's `created` below. */
const RECORDED = new Date('2026-11-28T07:59:59.250Z');

/** The event as the adapter sends it at `revision`, after `previousHash`. */
function prepareEvent(event: NewEvent, revision: number, previousHash: string): OutgoingEvent {
  return toOutgoingEvent(validateNewEvents('nomination-1', [event], 'any')[0]!, revision, previousHash, RECORDED);
}

/** What the client hands back for a stored JSON event: data and metadata parsed from their bytes. */
function storedAs(
  prepared: OutgoingEvent,
  streamId: string,
  revision: number,
  position: bigint,
  created = new Date('2026-11-28T08:00:00.000Z'),
): ResolvedEvent {
  const { eventData } = prepared;
  return {
    event: {
      streamId,
      id: eventData.id,
      isJson: true,
      revision: BigInt(revision),
      type: eventData.type,
      created,
      data: JSON.parse(JSON.stringify(eventData.data)) as Record<string, unknown>,
      metadata: JSON.parse(JSON.stringify(eventData.metadata)) as Record<string, unknown>,
      position: { commit: position, prepare: position },
    },
    commitPosition: position,
  } as ResolvedEvent;
}

describe('KurrentDB mapping: revisions', () => {
  it('maps the expected revision to the client stream state', () => {
    expect(toStreamState('any')).toBe(ANY);
    expect(toStreamState('no_stream')).toBe(NO_STREAM);
    expect(toStreamState(0)).toBe(0n);
    expect(toStreamState(41)).toBe(41n);
    expect(toStreamState(-1)).toBe(NO_STREAM);
  });

  it('maps client revisions and current states back', () => {
    expect(fromClientRevision(0n)).toBe(0);
    expect(fromClientRevision(12n)).toBe(12);
    expect(() => fromClientRevision(2n ** 60n)).toThrow(/outside/);
    expect(fromCurrentState(7n)).toBe(7);
    expect(fromCurrentState('no_stream')).toBe('no_stream');
    // -5 / -6: deleted / tombstoned streams as reported by consistency checks.
    expect(fromCurrentState(-5n)).toBe('no_stream');
    expect(fromCurrentState(undefined)).toBe('no_stream');
  });
});

describe('KurrentDB mapping: positions', () => {
  it('uses the commit position and resumes from (p, p)', () => {
    expect(toClientPosition(1234n)).toEqual({ commit: 1234n, prepare: 1234n });
  });

  it('takes the event position, falls back to the resolved commit position, ignores u64::MAX', () => {
    const event = { position: { commit: 300n, prepare: 300n } } as ResolvedEvent['event'];
    expect(positionOf({ event, commitPosition: 999n })).toBe(300n);
    const unknown = { position: { commit: NO_POSITION, prepare: NO_POSITION } } as ResolvedEvent['event'];
    expect(positionOf({ event: unknown, commitPosition: 450n })).toBe(450n);
    expect(positionOf({ event: unknown, commitPosition: NO_POSITION })).toBeUndefined();
    expect(positionOf({ event: {} as ResolvedEvent['event'] })).toBeUndefined();
  });

  it('treats a record checkpoint as exact and a page boundary (C, 0) as "before C"', () => {
    expect(checkpointPosition({ commit: 5000n, prepare: 5000n })).toEqual({ kind: 'exact', position: 5000n });
    expect(checkpointPosition({ commit: 5000n, prepare: 5100n })).toEqual({ kind: 'exact', position: 5000n });
    expect(checkpointPosition({ commit: 5000n, prepare: 0n })).toEqual({ kind: 'before', position: 5000n });
  });
});

describe('KurrentDB mapping: events and the hash chain', () => {
  const events: NewEvent[] = [
    { id: ID(1), type: 'NominationSubmitted', data: { award: 'BK-TTg', unit: 'Sở Nội vụ' }, metadata: { actor: { id: 'u1' } } },
    { id: ID(2).toUpperCase(), type: 'StageApproved', data: { stage: 1, at: new Date('2026-11-28T08:00:00Z'), skip: undefined } },
    { id: ID(3), type: 'Withdrawn', data: null, metadata: { correlationId: 'c-1' } },
    { id: ID(4), type: 'Noted', data: [1, 'two', { b: 1, a: [true] }] },
  ];

  it('chains hashes over type, data, metadata (without the hash) and revision, like hash-chain.ts', () => {
    const first = prepareEvent(events[0]!, 0, GENESIS_HASH);
    expect(first.hash).toBe(
      chainHash(GENESIS_HASH, { type: 'NominationSubmitted', data: events[0]!.data, metadata: events[0]!.metadata, revision: 0 }),
    );
    expect(first.eventData.metadata).toEqual({ actor: { id: 'u1' }, [CHAIN_METADATA_KEY]: first.hash, [RECORDED_AT_METADATA_KEY]: RECORDED.toISOString() });
    expect(first.eventData.contentType).toBe('application/json');
    expect(first.eventData.id).toBe(ID(1));
  });

  it('hashes what comes back from the store, so a read-back chain verifies', () => {
    let previous = GENESIS_HASH;
    const recorded = events.map((event, revision) => {
      const prepared = prepareEvent(event, revision, previous);
      previous = prepared.hash;
      return toRecordedEvent(storedAs(prepared, 'nomination-1', revision, BigInt(100 * (revision + 1))))!;
    });
    expect(verifyChain(recorded.map((e) => ({ ...hashedContent(e), hash: e.hash })))).toEqual({ ok: true, checked: 4 });
    // Dates, undefined members and null data come back as JSON does; ids in lower case.
    expect(recorded[1]!.data).toEqual({ stage: 1, at: '2026-11-28T08:00:00.000Z' });
    expect(recorded[1]!.id).toBe(ID(2));
    expect(recorded[1]!.metadata).toEqual({});
    expect(recorded[2]!.data).toBeNull();
    expect(recorded[2]!.metadata).toEqual({ correlationId: 'c-1' });
  });

  it('translates a recorded event, stripping the chain key from the metadata; it was recorded when the service says, not at the server\'s commit', () => {
    const prepared = prepareEvent(events[0]!, 4, 'a'.repeat(64));
    const recorded = toRecordedEvent(storedAs(prepared, 'nomination-9', 4, 777n));
    expect(recorded).toEqual({
      id: ID(1),
      streamId: 'nomination-9',
      type: 'NominationSubmitted',
      data: { award: 'BK-TTg', unit: 'Sở Nội vụ' },
      metadata: { actor: { id: 'u1' } },
      revision: 4,
      position: 777n,
      recordedAt: RECORDED,
      hash: prepared.hash,
    });
  });

  it('reads an event written before the instant travelled in metadata at the server\'s created, and signs new ones over hash and instant', () => {
    const prepared = prepareEvent(events[0]!, 0, GENESIS_HASH);
    const { [RECORDED_AT_METADATA_KEY]: _at, ...older } = prepared.eventData.metadata as Record<string, unknown>;
    const resolved = storedAs({ ...prepared, eventData: { ...prepared.eventData, metadata: older } }, 'nomination-1', 0, 5n);
    expect(toRecordedEvent(resolved)!.recordedAt).toEqual(new Date('2026-11-28T08:00:00.000Z'));
    const seen: unknown[] = [];
    const signed = toOutgoingEvent(validateNewEvents('nomination-1', [events[0]!], 'any')[0]!, 0, GENESIS_HASH, RECORDED, (hash, at) => {
      seen.push([hash, at]);
      return 'v2.k.code';
    });
    expect(seen).toEqual([[signed.hash, RECORDED.toISOString()]]);
    expect(signed.eventData.metadata).toMatchObject({ [MAC_METADATA_KEY]: 'v2.k.code', [RECORDED_AT_METADATA_KEY]: RECORDED.toISOString() });
    // A copied event keeps its own instant and MAC.
    const copiedAt = new Date('2025-01-02T03:04:05.678Z');
    const copied = toOutgoingEvent(
      validateNewEvents('nomination-1', [{ ...events[0]!, recorded: { at: copiedAt, mac: 'old.mac' } }], 'any')[0]!, 0, GENESIS_HASH, RECORDED, () => 'never',
    );
    expect(copied.eventData.metadata).toMatchObject({ [MAC_METADATA_KEY]: 'old.mac', [RECORDED_AT_METADATA_KEY]: copiedAt.toISOString() });
    expect(splitMetadata({ a: 1, [RECORDED_AT_METADATA_KEY]: 'not a time' }).recordedAt!.getTime()).toBeNaN();
  });

  it('returns undefined for a link without its event, and refuses an event without a position', () => {
    expect(toRecordedEvent({})).toBeUndefined();
    const prepared = prepareEvent(events[0]!, 0, GENESIS_HASH);
    const resolved = storedAs(prepared, 'nomination-1', 0, 1n);
    const withoutPosition = { event: { ...resolved.event!, position: undefined } } as ResolvedEvent;
    expect(() => toRecordedEvent(withoutPosition)).toThrow(/without a log position/);
  });

  it('classifies a tombstone, other $-typed records and unrepresentable revisions as system records, not events', () => {
    const tombstone = {
      event: { streamId: 'nomination-1', id: ID(9), type: '$streamDeleted', isJson: false, revision: TOMBSTONE_REVISION, created: new Date(), data: new Uint8Array(), metadata: undefined, position: { commit: 900n, prepare: 900n } },
      commitPosition: 900n,
    } as unknown as ResolvedEvent;
    expect(readRecord(tombstone)).toEqual({ kind: 'system', streamId: 'nomination-1', type: '$streamDeleted', revision: TOMBSTONE_REVISION, position: 900n });
    expect(toRecordedEvent(tombstone)).toBeUndefined();
    const prepared = prepareEvent(events[0]!, 0, GENESIS_HASH);
    const metadataRecord = storedAs(prepared, '$$nomination-1', 0, 1000n);
    expect(readRecord({ ...metadataRecord, event: { ...metadataRecord.event!, type: '$metadata' } })).toMatchObject({ kind: 'system', type: '$metadata' });
    const huge = storedAs(prepared, 'nomination-1', 0, 1100n);
    expect(readRecord({ ...huge, event: { ...huge.event!, revision: 2n ** 60n } })).toMatchObject({ kind: 'system', revision: 2n ** 60n });
    expect(readRecord(storedAs(prepared, 'nomination-1', 0, 1200n))).toMatchObject({ kind: 'event', event: { revision: 0, position: 1200n } });
    expect(readRecord({})).toEqual({ kind: 'missing' });
  });

  it('gives foreign or binary metadata an empty hash, which fails verification', () => {
    expect(splitMetadata(new Uint8Array([1, 2]))).toEqual({ metadata: {}, hash: '' });
    expect(splitMetadata(undefined)).toEqual({ metadata: {}, hash: '' });
    expect(splitMetadata({ a: 1 })).toEqual({ metadata: { a: 1 }, hash: '' });
    expect(splitMetadata({ a: 1, [CHAIN_METADATA_KEY]: 'h' })).toEqual({ metadata: { a: 1 }, hash: 'h' });
  });

  it('recognises a retry by id, type and data', () => {
    const [prepared] = validateNewEvents('nomination-1', [events[0]!], 'any');
    const stored = toRecordedEvent(storedAs(prepareEvent(events[0]!, 0, GENESIS_HASH), 'nomination-1', 0, 1n))!;
    expect(isSameEvent(stored, prepared!)).toBe(true);
    expect(isSameEvent({ ...stored, data: { award: 'other' } }, prepared!)).toBe(false);
    expect(isSameEvent({ ...stored, type: 'Other' }, prepared!)).toBe(false);
  });
});

describe('KurrentDB mapping: validation', () => {
  const ok: NewEvent = { id: ID(1), type: 'T', data: {} };

  it('accepts a well-formed batch', () => {
    expect(() => validateNewEvents('nomination-1', [ok], 'any')).not.toThrow();
  });

  it.each([
    ['an empty stream id', '', [ok]],
    ['a system stream', '$all', [ok]],
    ['no events', 'nomination-1', []],
    ['a non-UUID id', 'nomination-1', [{ ...ok, id: 'abc' }]],
    ['duplicate ids (any case)', 'nomination-1', [ok, { ...ok, id: ID(1).toUpperCase() }]],
    ['an empty type', 'nomination-1', [{ ...ok, type: '' }]],
    ['undefined data', 'nomination-1', [{ ...ok, data: undefined }]],
    ['a value JSON cannot hold', 'nomination-1', [{ ...ok, data: { n: Number.NaN } }]],
    ['the reserved metadata key', 'nomination-1', [{ ...ok, metadata: { [CHAIN_METADATA_KEY]: 'x' } }]],
    ['a type reserved for KurrentDB records', 'nomination-1', [{ ...ok, type: '$streamDeleted' }]],
  ])('rejects %s with InvalidAppend, as PostgreSQL does', (_name, streamId, batch) => {
    expect(() => validateNewEvents(streamId, batch, 'any')).toThrow(InvalidAppend);
  });

  it('rejects a negative expected revision', () => {
    expect(() => validateNewEvents('nomination-1', [ok], -1)).toThrow(InvalidAppend);
  });
});

describe('KurrentDB mapping: errors', () => {
  const append = { operation: 'append', streamId: 'nomination-1', expected: 3 } as const;

  it('turns WrongExpectedVersionError into RevisionConflict with the actual revision', () => {
    const error = new WrongExpectedVersionError(undefined, { streamName: 'nomination-1', expected: 3n, current: 5n });
    const translated = translateError(error, append);
    expect(translated).toBeInstanceOf(RevisionConflict);
    expect(translated).toMatchObject({ streamId: 'nomination-1', expected: 3, actual: 5 });

    const missing = new WrongExpectedVersionError(undefined, { streamName: 'nomination-1', expected: 3n, current: 'no_stream' });
    expect(translateError(missing, append)).toMatchObject({ actual: 'no_stream' });
  });

  it('turns a missing stream into StreamNotFound and a hard-deleted one into StreamTruncated', () => {
    const read = { operation: 'read', streamId: 'nomination-2' } as const;
    expect(translateError(new StreamNotFoundError(undefined, 'nomination-2'), read)).toBeInstanceOf(StreamNotFound);
    expect(translateError(StreamDeletedError.fromStreamName('nomination-2'), read)).toBeInstanceOf(StreamTruncated);
    expect(translateError(StreamDeletedError.fromStreamName('nomination-2'), append)).toMatchObject({
      constructor: StreamTruncated,
      streamId: 'nomination-1',
      firstRevision: undefined,
    });
  });

  it('turns size limits into InvalidAppend', () => {
    expect(translateError(MaxAppendSizeExceededError.fromMaxAppendSize(1024), append)).toBeInstanceOf(InvalidAppend);
  });

  // What the client hands over for each class, built the way the client builds it: its own conversion
  // of a raw gRPC status (convertToCommandError), of a native bridge error, or the raw error itself.
  const notLeader = new NotLeaderError(Object.assign(new Error('not leader'), {
    code: 5,
    details: '',
    metadata: { getMap: () => ({ 'leader-endpoint-host': 'h', 'leader-endpoint-port': '2113' }) },
  }) as never);
  const transient: [string, unknown][] = [
    ['UNAVAILABLE, converted', convertToCommandError(grpcError(14, 'Connection dropped'))],
    ['DEADLINE_EXCEEDED, converted', convertToCommandError(grpcError(4, 'Deadline exceeded'))],
    ['ABORTED without details, converted (UnknownError, code 10)', convertToCommandError(grpcError(10, 'Operation timed out'))],
    ['ABORTED, raw', grpcError(10, 'Operation timed out')],
    ['INTERNAL, converted', convertToCommandError(grpcError(13, 'Exception was thrown by handler'))],
    ['UNKNOWN, raw', grpcError(2, 'Stream removed')],
    ['RESOURCE_EXHAUSTED, raw', grpcError(8, 'Too many requests')],
    ['UNAVAILABLE, raw (appends to an unreachable server)', grpcError(14, 'No connection established')],
    ['a client TimeoutError', new TimeoutError()],
    ['a client UnavailableError', new UnavailableError()],
    ['a client DeadlineExceededError', new DeadlineExceededError()],
    ['NotLeaderError', notLeader],
    ['an errno', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:2113'), { code: 'ECONNREFUSED' })],
    ['a bridge UnknownError, converted (deadline, server status)', convertBridgeError(bridgeError('UnknownError', 'Deadline exceeded'))],
    ['a bridge UnavailableError, converted', convertBridgeError(bridgeError('UnavailableError', 'UnavailableError'))],
    ['a bridge UnknownError, raw', bridgeError('UnknownError', 'Server-side error: Aborted')],
    ['a bridge UnavailableError, raw', bridgeError('UnavailableError', 'UnavailableError')],
  ];
  it.each(transient)('classifies %s as transient: EventStoreUnavailable', (_name, error) => {
    const translated = translateError(error, { operation: 'read' });
    expect(translated).toBeInstanceOf(EventStoreUnavailable);
    expect((translated as Error).cause).toBe(error);
  });

  const permanent: [string, unknown][] = [
    ['a client AccessDeniedError', new AccessDeniedError()],
    ['UNAUTHENTICATED, converted (AccessDeniedError)', convertToCommandError(grpcError(16, 'Unauthenticated'))],
    ['PERMISSION_DENIED, converted (UnknownError, code 7)', convertToCommandError(grpcError(7, 'Access denied'))],
    ['PERMISSION_DENIED, raw', grpcError(7, 'Access denied')],
    ['UNIMPLEMENTED, converted', convertToCommandError(grpcError(12, 'Method not found'))],
    ['a bridge AccessDeniedError, converted', convertBridgeError(bridgeError('AccessDeniedError', 'AccessDeniedError'))],
    ['a bridge AccessDeniedError, raw', bridgeError('AccessDeniedError', 'AccessDeniedError')],
    ['a bridge ParseError (bad connection string)', bridgeError('ParseError', 'Unknown scheme')],
  ];
  it.each(permanent)('classifies %s as permanent: EventStoreFailure', (_name, error) => {
    const translated = translateError(error, { operation: 'subscribe' });
    expect(translated).toBeInstanceOf(EventStoreFailure);
    expect(translated).not.toBeInstanceOf(EventStoreUnavailable);
    expect((translated as Error).cause).toBe(error);
  });

  it('wraps anything else (a bug, not the store) in a plain Error so no client class crosses the port', () => {
    const bug = new TypeError('cannot read properties of undefined');
    const translated = translateError(bug, append);
    expect(translated.constructor).toBe(Error);
    expect(translated.cause).toBe(bug);
    expect(translateError('boom', append).message).toContain('boom');
  });

  it('passes port errors through unchanged', () => {
    const conflict = new RevisionConflict('s', 1, 2);
    expect(translateError(conflict, append)).toBe(conflict);
  });
});
