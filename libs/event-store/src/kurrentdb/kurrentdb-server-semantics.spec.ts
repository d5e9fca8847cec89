/**
 * The adapter against the server behaviours a reading of the client and the server found it getting
 * wrong, each modelled by the stand-in (testing/kurrentdb-stand-in.ts): hard-deleted streams and their
 * tombstones, soft-deleted and truncated streams, transient and permanent errors, filtered reads that
 * come back short, appends the server never answers, and the smaller limits (readAll's limit, ping,
 * append size). Which of these only a real server can confirm is listed in ../kurrentdb/README.md.
 */
import { Duplex, type PassThrough } from 'node:stream';
import {
  AccessDeniedError,
  convertToCommandError,
  type EventData,
} from '@kurrent/kurrentdb-client';
import {
  EventStoreFailure,
  EventStoreUnavailable,
  InvalidAppend,
  StreamTruncated,
} from '../event-store.errors';
import type { NewEvent, RecordedEvent } from '../event-store.port';
import { InMemoryEventStore } from '../memory/in-memory-event-store';
import { copyEventStore } from '../store-copy';
import { KurrentDbEventStore, type KurrentDbEventStoreOptions } from './kurrentdb-event-store';
import { bridgeError, grpcError, KurrentDbStandIn } from './testing/kurrentdb-stand-in';

const ID = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const ev = (n: number, data: unknown = { n }): NewEvent => ({ id: ID(n), type: 'NominationSubmitted', data, metadata: { actor: 'u1' } });
const foreign = (n: number): EventData => ({ id: ID(n), contentType: 'application/json', type: 'Other', data: { n }, metadata: {} });

let stores: KurrentDbEventStore[] = [];
function make(extra: Partial<KurrentDbEventStoreOptions> = {}, shared?: KurrentDbStandIn) {
  const warnings: string[] = [];
  const store = new KurrentDbEventStore({
    connectionString: 'kurrentdb://127.0.0.1:1?tls=false',
    streamPrefixes: ['nomination-'],
    subscriptionIdleTimeoutMs: 60_000,
    subscriptionRetryDelayMs: 20,
    logger: { warn: (message) => warnings.push(message) },
    ...extra,
  });
  stores.push(store);
  const client = store['client'] as unknown as Record<string, unknown>;
  const server = (shared ?? new KurrentDbStandIn()).install(client);
  return { store, server, client, warnings };
}

afterEach(async () => {
  await Promise.all(stores.map((s) => s.close()));
  stores = [];
});

/** Reads the whole log page by page, as a projection rebuild or store:copy does. */
async function readAllPages(store: KurrentDbEventStore, limit: number, until: bigint): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  let after: bigint | undefined;
  for (let pages = 0; after === undefined || after < until; pages++) {
    if (pages > 100) throw new Error(`paging did not reach ${until}: stuck at ${String(after)}`);
    const batch = await store.readAll({ after, limit });
    events.push(...batch.events);
    after = batch.checkpoint;
  }
  return events;
}

describe('a hard-deleted stream (tombstone $streamDeleted at revision 2^63-1)', () => {
  it('is skipped and logged by readAll, paged or not, and by headPosition', async () => {
    const { store, server, warnings } = make();
    await store.append('nomination-1', [ev(1)], 'no_stream');
    await store.append('nomination-2', [ev(2)], 'no_stream');
    const firstTombstone = server.tombstone('nomination-1');
    const last = await store.append('nomination-3', [ev(3)], 'no_stream');
    const lastTombstone = server.tombstone('nomination-3');

    const all = await store.readAll();
    expect(all.events.map((e) => e.id)).toEqual([ID(1), ID(2), ID(3)]);
    expect(all.checkpoint).toBe(lastTombstone.position.commit);
    expect((await readAllPages(store, 1, lastTombstone.position.commit)).map((e) => e.id)).toEqual([ID(1), ID(2), ID(3)]);
    // The tombstone is the newest record of our streams; the newest event is before it.
    expect(await store.headPosition()).toBe(last.position);
    const logged = warnings.filter((w) => /tombstone of a hard delete/.test(w));
    expect(logged.some((w) => w.includes('nomination-1') && w.includes(String(firstTombstone.position.commit)))).toBe(true);
    expect(logged.some((w) => w.includes('nomination-3'))).toBe(true);
  });

  it('moves a subscription over the tombstone instead of stopping it', async () => {
    const { store, server } = make();
    await store.append('nomination-1', [ev(1)], 'no_stream');
    server.tombstone('nomination-1');
    const second = await store.append('nomination-2', [ev(2)], 'no_stream');
    const seen: string[] = [];
    const checkpoints: bigint[] = [];
    const errors: Error[] = [];
    const subscription = store.subscribe({
      onEvents: async (events) => void seen.push(...events.map((e) => e.id)),
      onCheckpoint: async (position) => void checkpoints.push(position),
      onError: (error) => errors.push(error),
    });
    try {
      await subscription.waitFor(second.position, 5_000);
      // A live tombstone: the subscription's position (what a consumer stores) moves onto it.
      const live = server.tombstone('nomination-2');
      await subscription.waitFor(live.position.commit, 5_000);
      expect(seen).toEqual([ID(1), ID(2)]);
      expect(checkpoints).toContain(live.position.commit);
      expect(errors).toEqual([]);
      expect(server.subscriptions).toHaveLength(1);
    } finally {
      await subscription.stop();
    }
  });

  it('does not stop store:copy, and the copy verifies', async () => {
    const { store, server } = make();
    await store.append('nomination-1', [ev(1), ev(2)], 'no_stream');
    server.tombstone('nomination-1');
    await store.append('nomination-2', [ev(3)], 'no_stream');
    const target = new InMemoryEventStore();
    const summary = await copyEventStore(store, target, { until: await store.headPosition(), batchSize: 1 });
    expect(summary).toMatchObject({ eventsRead: 3, eventsCopied: 3, mismatches: [] });
    expect((await target.readStream('nomination-2')).map((e) => e.id)).toEqual([ID(3)]);
  });

  it('is refused for reading and appending with StreamTruncated', async () => {
    const { store, server } = make();
    await store.append('nomination-1', [ev(1)], 'no_stream');
    server.tombstone('nomination-1');
    const calls = server.appendCalls;
    await expect(store.readStream('nomination-1')).rejects.toBeInstanceOf(StreamTruncated);
    await expect(store.append('nomination-1', [ev(2)], 0)).rejects.toBeInstanceOf(StreamTruncated);
    expect(server.appendCalls).toBe(calls);
  });
});

describe('a soft-deleted or truncated stream ($tb, $maxCount)', () => {
  it('refuses to read a soft-deleted stream or append to it, writing nothing', async () => {
    const { store, server } = make();
    await store.append('nomination-1', [ev(1), ev(2)], 'no_stream');
    server.softDelete('nomination-1');
    const calls = server.appendCalls;

    await expect(store.readStream('nomination-1')).rejects.toMatchObject({ constructor: StreamTruncated, firstRevision: undefined });
    // The server would take either and number the event 2, after a chain computed from genesis at 0.
    await expect(store.append('nomination-1', [ev(3)], 'no_stream')).rejects.toBeInstanceOf(StreamTruncated);
    await expect(store.append('nomination-1', [ev(3)], 'any')).rejects.toBeInstanceOf(StreamTruncated);
    await expect(store.append('nomination-1', [ev(3)], 1)).rejects.toBeInstanceOf(StreamTruncated);
    expect(server.appendCalls).toBe(calls);
    expect(server.streams.get('nomination-1')).toHaveLength(2);
  });

  it('refuses a stream whose first visible revision is not 0, and never reads past toRevision', async () => {
    const { store, server } = make();
    await store.append('nomination-1', [ev(1), ev(2), ev(3), ev(4), ev(5)], 'no_stream');
    server.setStreamMetadata('nomination-1', { $maxCount: 2 });
    await store.append('nomination-2', [ev(6), ev(7), ev(8)], 'no_stream');
    server.setStreamMetadata('nomination-2', { $tb: 2 });

    await expect(store.readStream('nomination-1')).rejects.toMatchObject({ constructor: StreamTruncated, firstRevision: 3 });
    // Without the check the server's read from the start returns revisions 3 and 4 for "up to 1".
    await expect(store.readStream('nomination-1', { toRevision: 1 })).rejects.toBeInstanceOf(StreamTruncated);
    await expect(store.append('nomination-1', [ev(9)], 4)).rejects.toBeInstanceOf(StreamTruncated);
    await expect(store.readStream('nomination-2')).rejects.toMatchObject({ firstRevision: 2 });
    await expect(store.append('nomination-2', [ev(9)], 'any')).rejects.toBeInstanceOf(StreamTruncated);
    expect(server.streams.get('nomination-1')).toHaveLength(5);
    expect(server.streams.get('nomination-2')).toHaveLength(3);
    // The log itself is untouched: truncation hides events from stream reads only.
    expect((await store.readAll()).events).toHaveLength(8);
  });

  it('refuses to create a stream that KurrentDB metadata would truncate', async () => {
    const { store, server } = make();
    server.setStreamMetadata('nomination-1', { $maxCount: 100 });
    await expect(store.append('nomination-1', [ev(1)], 'no_stream')).rejects.toBeInstanceOf(StreamTruncated);
    expect(server.appendCalls).toBe(0);
    // A stream with no metadata at all is created as usual.
    expect(await store.append('nomination-2', [ev(2)], 'no_stream')).toMatchObject({ nextRevision: 0, written: true });
  });
});

describe('transient and permanent errors', () => {
  it.each([
    ['ABORTED (UnknownError with code 10, as the client converts it)', () => convertToCommandError(grpcError(10, 'Operation timed out'))],
    ['UNAVAILABLE, raw', () => grpcError(14, 'Connection dropped')],
  ])('answers an append failing with %s as EventStoreUnavailable', async (_name, error) => {
    const { store, server } = make();
    server.failNextAppend = error();
    await expect(store.append('nomination-1', [ev(1)], 'no_stream')).rejects.toBeInstanceOf(EventStoreUnavailable);
    // Transient: the same append goes through once the server is back.
    expect(await store.append('nomination-1', [ev(1)], 'no_stream')).toMatchObject({ written: true });
  });

  it.each([
    ['access denied', () => new AccessDeniedError()],
    ['PERMISSION_DENIED (UnknownError with code 7)', () => convertToCommandError(grpcError(7, 'Access denied'))],
  ])('answers an append failing with %s as EventStoreFailure, not as unavailable', async (_name, error) => {
    const { store, server } = make();
    server.failNextAppend = error();
    const failure = await store.append('nomination-1', [ev(1)], 'no_stream').catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(EventStoreFailure);
    expect(failure).not.toBeInstanceOf(EventStoreUnavailable);
  });

  it.each([
    ['a bridge UnknownError (deadline exceeded)', () => bridgeError('UnknownError', 'Deadline exceeded'), EventStoreUnavailable],
    ['a bridge UnknownError (server status Aborted)', () => bridgeError('UnknownError', 'Server-side error: Aborted'), EventStoreUnavailable],
    ['a bridge AccessDeniedError', () => bridgeError('AccessDeniedError', 'AccessDeniedError'), EventStoreFailure],
  ])('answers a read failing with %s by its class', async (_name, error, expected) => {
    const { store, server } = make();
    server.failNextRead = error();
    await expect(store.readStream('nomination-1')).rejects.toBeInstanceOf(expected);
    server.failNextRead = error();
    await expect(store.readAll()).rejects.toBeInstanceOf(expected);
  });

  it('resubscribes after ABORTED and delivers everything once the server answers again', async () => {
    const { store, server, warnings } = make();
    const result = await store.append('nomination-1', [ev(1)], 'no_stream');
    server.failSubscriptions = grpcError(10, 'Operation timed out');
    const errors: Error[] = [];
    const seen: string[] = [];
    const subscription = store.subscribe({ onEvents: async (events) => void seen.push(...events.map((e) => e.id)), onError: (e) => errors.push(e) });
    try {
      await waitUntil(() => server.subscriptions.length >= 2);
      server.failSubscriptions = undefined;
      await subscription.waitFor(result.position, 5_000);
      expect(seen).toEqual([ID(1)]);
      expect(errors).toEqual([]);
      expect(warnings.some((w) => /resubscribing/.test(w))).toBe(true);
    } finally {
      await subscription.stop();
    }
  });

  it.each([
    ['UNAUTHENTICATED', 16],
    ['PERMISSION_DENIED', 7],
  ])('stops a subscription on %s and reports it once, instead of retrying forever', async (_name, code) => {
    const { store, server } = make();
    server.failSubscriptions = grpcError(code, 'Access denied');
    const errors: Error[] = [];
    const subscription = store.subscribe({ onEvents: async () => undefined, onError: (e) => errors.push(e) });
    try {
      await expect(subscription.waitFor(1n, 5_000)).rejects.toBeInstanceOf(EventStoreFailure);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toBeInstanceOf(EventStoreFailure);
      expect(server.subscriptions).toHaveLength(1);
    } finally {
      await subscription.stop();
    }
  });
});

describe('filtered reads the server cuts short', () => {
  it('pages through the whole log when the server returns fewer events than asked for before the end', async () => {
    const { store, server } = make();
    await store.append('nomination-1', [ev(1)], 'no_stream');
    server.write('other-1', [foreign(101)]);
    await store.append('nomination-2', [ev(2), ev(3)], 'no_stream');
    server.write('other-1', [foreign(102), foreign(103)]);
    await store.append('nomination-1', [ev(4)], 0);
    server.write('other-2', [foreign(104)]);
    const end = server.log[server.log.length - 1]!.position.commit;
    server.shortReadPages = 1;

    const events = await readAllPages(store, 4, end);
    expect(events.map((e) => e.id)).toEqual([ID(1), ID(2), ID(3), ID(4)]);
    // At the real end, the checkpoint moves over the foreign events after ours.
    expect((await store.readAll({ after: events[3]!.position, limit: 4 })).checkpoint).toBe(end);
  });
});

describe('appends the server never answers', () => {
  it('fails them with EventStoreUnavailable at the deadline and frees the stream for the next append', async () => {
    const { store, server } = make({ operationTimeoutMs: 200 });
    server.appendsNeverAnswer = true;
    await expect(store.append('nomination-1', [ev(1)], 'no_stream')).rejects.toThrow(/did not complete the append to nomination-1 within 200 ms/);
    server.appendsNeverAnswer = false;
    expect(await store.append('nomination-1', [ev(2)], 'no_stream')).toMatchObject({ nextRevision: 0, written: true });
  });

  it("fails them when the server closes the client's batch-append stream without a reply", async () => {
    const { store, client } = make({ operationTimeoutMs: 300 });
    // The client's own appendToStream and batch append, over a gRPC stream that ends cleanly as soon
    // as it receives the request: the client has no 'end' handler, so its promise never settles.
    delete client.appendToStream;
    client.supports = async () => true;
    const created: Duplex[] = [];
    const subscriptionsCreator = client.GRPCStreamCreator as (...args: unknown[]) => () => Promise<unknown>;
    client.GRPCStreamCreator = (grpcClient: unknown, name: string, creator: (grpc: unknown) => PassThrough, cache?: unknown) => {
      if (name !== 'appendToStream') return subscriptionsCreator(grpcClient, name, creator, cache);
      return async () =>
        creator({
          batchAppend: () => {
            const duplex: Duplex = Object.assign(
              new Duplex({
                objectMode: true,
                read: () => undefined,
                // Takes the request and ends the reply stream with no message: a clean close.
                write: (_request, _encoding, done) => {
                  done();
                  duplex.push(null);
                },
              }),
              { cancel: () => undefined },
            );
            created.push(duplex);
            return duplex;
          },
        });
    };
    await expect(store.append('nomination-1', [ev(1)], 'no_stream')).rejects.toBeInstanceOf(EventStoreUnavailable);
    expect(created).toHaveLength(1);
  });
});

describe('smaller limits', () => {
  it('takes a fractional or out-of-range readAll limit as a whole number of events', async () => {
    const { store } = make();
    await store.append('nomination-1', [ev(1), ev(2), ev(3)], 'no_stream');
    expect((await store.readAll({ limit: 2.5 })).events).toHaveLength(2);
    expect((await store.readAll({ limit: 0 })).events).toHaveLength(1);
    expect((await store.readAll({ limit: -3 })).events).toHaveLength(1);
    expect((await store.readAll({ limit: Number.NaN })).events).toHaveLength(3);
  });

  it('reads a stream up to a fractional toRevision as PostgreSQL does (rounded down)', async () => {
    const { store } = make();
    await store.append('nomination-1', [ev(1), ev(2), ev(3)], 'no_stream');
    expect((await store.readStream('nomination-1', { toRevision: 1.5 })).map((e) => e.revision)).toEqual([0, 1]);
  });

  it('cancels the server call of a ping that timed out', async () => {
    const { store, server } = make({ pingTimeoutMs: 50 });
    server.silentSubscriptions = true;
    await expect(store.ping()).rejects.toThrow(/did not answer within 50 ms/);
    await waitUntil(() => server.cancelledSubscriptions === 1);
    // And a ping that was answered does not leave its call open either.
    server.silentSubscriptions = false;
    await expect(store.ping()).resolves.toBeUndefined();
    await waitUntil(() => server.cancelledSubscriptions === 2);
    expect(server.subscriptions).toHaveLength(2);
  });

  it('reports a ping refused for good as unavailable, for readiness', async () => {
    const { store, server } = make();
    server.failSubscriptions = grpcError(16, 'Unauthenticated');
    await expect(store.ping()).rejects.toBeInstanceOf(EventStoreUnavailable);
  });

  it('refuses an append over the maximum append size before sending it, and maps the server refusing one', async () => {
    const { store, server } = make();
    const big = 'đ'.repeat(600 * 1024); // 1.2 MB of UTF-8
    await expect(store.append('nomination-1', [ev(1, { big })], 'no_stream')).rejects.toThrow(InvalidAppend);
    await expect(store.append('nomination-1', [ev(1, { big: big.slice(0, 200 * 1024) }), ev(2, { big: big.slice(0, 400 * 1024) })], 'no_stream')).rejects.toThrow(/at most 1048576/);
    expect(server.appendCalls).toBe(0);
    expect(await store.append('nomination-1', [ev(3, { big: big.slice(0, 400 * 1024) })], 'no_stream')).toMatchObject({ written: true });

    // A server configured below the adapter's limit refuses with MaximumAppendSizeExceeded.
    const lenient = make({ maxAppendSizeBytes: 4 * 1024 * 1024 });
    lenient.server.maxAppendSize = 1024;
    await expect(lenient.store.append('nomination-2', [ev(4, { text: 'x'.repeat(2048) })], 'no_stream')).rejects.toBeInstanceOf(InvalidAppend);
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not reached');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('the log identity (checkpoints are keyed by it)', () => {
  it('is recorded once in the log, read back by every store on the same server, and differs on another server', async () => {
    const { store, server } = make();
    const second = make({}, server).store;
    // Two processes starting together: one records it, the other reads theirs.
    const [first, other] = await Promise.all([store.identity(), second.identity()]);
    expect(first).toMatch(/^kurrentdb:[0-9a-f-]{36}$/);
    expect(other).toBe(first);
    expect(server.streams.get('log-identity')).toHaveLength(1);
    expect(await make().store.identity()).not.toBe(first);
    // Outside the service's prefixes, it is no event of the service.
    expect((await store.readAll()).events).toEqual([]);
    expect(await store.headPosition()).toBeUndefined();
  });

  it('reports as the log end the newest record, past other services\' events', async () => {
    const { store, server } = make();
    expect(await store.endPosition()).toBeUndefined();
    const ours = await store.append('nomination-1', [ev(1)], 'no_stream');
    server.write('other-1', [foreign(2)]);
    expect(await store.headPosition()).toBe(ours.position);
    expect(await store.endPosition()).toBe(server.log[server.log.length - 1]!.position.commit);
  });
});
