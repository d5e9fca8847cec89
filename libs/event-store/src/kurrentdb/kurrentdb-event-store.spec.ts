/**
 * The adapter's own decisions, beyond what the shared contract asks, without a server: what is sent
 * and what is not, races between its read and its write, positions of batches, namespaces, the
 * checkpoint of a read that passes other services' events, the order of checkpoints and events inside
 * the client's Subscription transform, resubscription after a transport failure or a silent drop.
 * The client's network methods are answered by testing/kurrentdb-stand-in.ts; the contract suite
 * against a real server is kurrentdb-event-store.int-spec.ts.
 */
import { PassThrough } from 'node:stream';
import type { EventData } from '@kurrent/kurrentdb-client';
import streamsPb from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/streams_pb.js';
import sharedPb from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/shared_pb.js';
import { EventStoreUnavailable, InvalidAppend, RevisionConflict, StreamNotFound } from '../event-store.errors';
import type { NewEvent } from '../event-store.port';
import { verifyChain } from '../hash-chain';
import { KurrentDbEventStore, type KurrentDbEventStoreOptions } from './kurrentdb-event-store';
import { KurrentDbStandIn } from './testing/kurrentdb-stand-in';
import { CHAIN_METADATA_KEY, hashedContent } from './kurrentdb-mapping';

const ID = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const ev = (n: number, type = 'NominationSubmitted', data: unknown = { n }): NewEvent => ({ id: ID(n), type, data, metadata: { actor: 'u1' } });

function storeWithStandIn(prefixes = ['nomination-'], subscriptionBufferSize?: number, namespace?: string, extra: Partial<KurrentDbEventStoreOptions> = {}) {
  const store = new KurrentDbEventStore({
    connectionString: 'kurrentdb://127.0.0.1:1?tls=false',
    streamPrefixes: prefixes,
    namespace,
    subscriptionIdleTimeoutMs: 60_000,
    subscriptionBufferSize,
    ...extra,
  });
  const client = store['client'] as unknown as Record<string, unknown>;
  const server = new KurrentDbStandIn().install(client);
  return { store, server, client };
}

describe('KurrentDbEventStore (client stand-in)', () => {
  let stores: KurrentDbEventStore[] = [];
  const make = (prefixes?: string[]) => {
    const made = storeWithStandIn(prefixes);
    stores.push(made.store);
    return made;
  };
  afterEach(async () => {
    await Promise.all(stores.map((s) => s.close()));
    stores = [];
  });

  it('appends with the exact revision, chains hashes in metadata and reads them back verified', async () => {
    const { store, server } = make();
    const first = await store.append('nomination-1', [ev(1), ev(2)], 'no_stream');
    const second = await store.append('nomination-1', [ev(3)], 1);
    expect(first).toMatchObject({ nextRevision: 1, written: true });
    expect(second).toMatchObject({ nextRevision: 2, written: true });
    // Multi-event reply named the first event; the result names the last.
    expect(first.position).toBe(server.streams.get('nomination-1')![1]!.position.commit);
    expect(second.position).toBe(server.streams.get('nomination-1')![2]!.position.commit);

    const events = await store.readStream('nomination-1');
    expect(events.map((e) => e.revision)).toEqual([0, 1, 2]);
    expect(events[0]!.metadata).toEqual({ actor: 'u1' });
    expect(server.streams.get('nomination-1')![0]!.metadata).toMatchObject({ [CHAIN_METADATA_KEY]: events[0]!.hash });
    expect(verifyChain(events.map((e) => ({ ...hashedContent(e), hash: e.hash })))).toEqual({ ok: true, checked: 3 });
  });

  it('returns written: false for a retried append at the same expected revision, without writing', async () => {
    const { store, server } = make();
    const original = await store.append('nomination-1', [ev(1), ev(2)], 'no_stream');
    await store.append('nomination-1', [ev(3)], 1);
    const calls = server.appendCalls;
    const retry = await store.append('nomination-1', [ev(1), ev(2)], 'no_stream');
    expect(retry).toEqual({ nextRevision: 1, position: original.position, written: false });
    expect(server.appendCalls).toBe(calls);
    expect(await store.append('nomination-1', [ev(3)], 1)).toMatchObject({ nextRevision: 2, written: false });
  });

  it('recognises a retry that raced in between its read and its write', async () => {
    const { store, server } = make();
    await store.append('nomination-1', [ev(1)], 'no_stream');
    server.beforeNextAppend = () => server.write('nomination-1', [eventData(ev(2))]);
    // The server sees expected 0 with the stream at 1 holding the same id: idempotent success.
    const result = await store.append('nomination-1', [ev(2)], 0);
    expect(result).toMatchObject({ nextRevision: 1 });
    expect(server.streams.get('nomination-1')).toHaveLength(2);
  });

  it('raises RevisionConflict with the actual revision, before and during the write', async () => {
    const { store, server } = make();
    await store.append('nomination-1', [ev(1), ev(2)], 'no_stream');
    await expect(store.append('nomination-1', [ev(9)], 0)).rejects.toMatchObject({ constructor: RevisionConflict, expected: 0, actual: 1 });
    await expect(store.append('nomination-1', [ev(9)], 'no_stream')).rejects.toMatchObject({ actual: 1 });
    await expect(store.append('nomination-2', [ev(9)], 3)).rejects.toMatchObject({ expected: 3, actual: 'no_stream' });

    server.beforeNextAppend = () => server.write('nomination-1', [eventData(ev(5))]);
    await expect(store.append('nomination-1', [ev(9)], 1)).rejects.toMatchObject({ constructor: RevisionConflict, expected: 1, actual: 2 });
  });

  it("appends with 'any' at the revision it read, retrying when another writer got in first", async () => {
    const { store, server } = make();
    await store.append('nomination-1', [ev(1)], 'any');
    server.beforeNextAppend = () => server.write('nomination-1', [eventData(ev(2))]);
    const result = await store.append('nomination-1', [ev(3)], 'any');
    expect(result).toMatchObject({ nextRevision: 2, written: true });
    // The foreign event carries no chain hash, so the chain breaks exactly there, not at ours.
    const events = await store.readStream('nomination-1');
    expect(events.map((e) => e.id)).toEqual([ID(1), ID(2), ID(3)]);
    expect(verifyChain(events.map((e) => ({ ...hashedContent(e), hash: e.hash })))).toMatchObject({ ok: false, firstBrokenRevision: 1 });
    // A retry of the last 'any' append is recognised from the stream's tail.
    expect(await store.append('nomination-1', [ev(3)], 'any')).toMatchObject({ nextRevision: 2, written: false });
  });

  it('rejects malformed appends before contacting the server', async () => {
    const { store, server } = make();
    await expect(store.append('nomination-1', [], 'any')).rejects.toBeInstanceOf(InvalidAppend);
    await expect(store.append('nomination-1', [ev(1), ev(1)], 'any')).rejects.toBeInstanceOf(InvalidAppend);
    expect(server.appendCalls).toBe(0);
  });

  it('reads a stream up to a revision and reports a missing one', async () => {
    const { store } = make();
    await store.append('nomination-1', [ev(1), ev(2), ev(3)], 'no_stream');
    expect((await store.readStream('nomination-1', { toRevision: 1 })).map((e) => e.revision)).toEqual([0, 1]);
    await expect(store.readStream('nomination-1', { until: new Date(0) })).rejects.toBeInstanceOf(StreamNotFound);
    await expect(store.readStream('nomination-404')).rejects.toBeInstanceOf(StreamNotFound);
    await expect(store.readStream('nomination-1', { toRevision: -1 })).rejects.toBeInstanceOf(StreamNotFound);
  });

  it("reads this service's part of the global log in batches, with a checkpoint past others' events", async () => {
    const { store, server } = make(['nomination-', 'decision-']);
    await store.append('nomination-1', [ev(1)], 'no_stream');
    server.write('other-1', [eventData(ev(2))]);
    await store.append('decision-1', [ev(3)], 'no_stream');
    await store.append('nomination-1', [ev(4)], 0);
    server.write('other-1', [eventData(ev(5)), eventData(ev(6))]);

    const first = await store.readAll({ limit: 2 });
    expect(first.events.map((e) => e.id)).toEqual([ID(1), ID(3)]);
    expect(first.checkpoint).toBe(first.events[1]!.position);
    const second = await store.readAll({ after: first.checkpoint, limit: 2 });
    expect(second.events.map((e) => e.id)).toEqual([ID(4)]);
    // Reached the end: the checkpoint moves over the two foreign events after ours.
    expect(second.checkpoint).toBe(server.log[server.log.length - 1]!.position.commit);
    const third = await store.readAll({ after: second.checkpoint });
    expect(third).toEqual({ events: [], checkpoint: second.checkpoint });
    expect(await store.headPosition()).toBe(second.events[0]!.position);
  });

  it('keeps a namespace on the server and off the port', async () => {
    const { store, server } = storeWithStandIn(['nomination-'], undefined, 'env1-');
    stores.push(store);
    server.write('env2-nomination-1', [eventData(ev(1))]);
    await store.append('nomination-1', [ev(2)], 'no_stream');
    expect([...server.streams.keys()]).toEqual(['env2-nomination-1', 'env1-nomination-1']);
    expect((await store.readStream('nomination-1')).map((e) => [e.streamId, e.id])).toEqual([['nomination-1', ID(2)]]);
    expect((await store.readAll()).events.map((e) => [e.streamId, e.id])).toEqual([['nomination-1', ID(2)]]);
  });

  it('refuses prefixes that would subscribe to system streams', () => {
    const options = { connectionString: 'kurrentdb://127.0.0.1:1?tls=false' };
    expect(() => new KurrentDbEventStore({ ...options, streamPrefixes: [] })).toThrow(/prefixes/);
    expect(() => new KurrentDbEventStore({ ...options, streamPrefixes: [''] })).toThrow(/prefixes/);
    expect(() => new KurrentDbEventStore({ ...options, streamPrefixes: ['$ce-'] })).toThrow(/prefixes/);
  });

  it('reports an empty log', async () => {
    const { store } = make();
    expect(await store.readAll()).toEqual({ events: [], checkpoint: undefined });
    expect(await store.headPosition()).toBeUndefined();
    await expect(store.ping()).resolves.toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------------------
// Subscription through the client's real transform

const { ReadResp } = streamsPb;

function grpcEvent(streamId: string, revision: number, position: bigint, n: number): InstanceType<typeof ReadResp> {
  const record = new ReadResp.ReadEvent.RecordedEvent();
  record.setId(new sharedPb.UUID().setString(ID(n)));
  record.setStreamIdentifier(new sharedPb.StreamIdentifier().setStreamName(Buffer.from(streamId)));
  record.setStreamRevision(String(revision));
  record.setCommitPosition(String(position));
  record.setPreparePosition(String(position));
  record.getMetadataMap().set('type', 'NominationSubmitted').set('content-type', 'application/json').set('created', String(BigInt(Date.UTC(2026, 10, 28)) * 10_000n));
  record.setData(Buffer.from(JSON.stringify({ n })));
  record.setCustomMetadata(Buffer.from(JSON.stringify({ [CHAIN_METADATA_KEY]: 'h' })));
  const read = new ReadResp.ReadEvent();
  read.setEvent(record);
  read.setCommitPosition(String(position));
  return new ReadResp().setEvent(read);
}

function grpcCheckpoint(commit: bigint, prepare: bigint): InstanceType<typeof ReadResp> {
  return new ReadResp().setCheckpoint(new ReadResp.Checkpoint().setCommitPosition(String(commit)).setPreparePosition(String(prepare)));
}

describe('KurrentDbEventStore subscription (client transform, scripted gRPC stream)', () => {
  it('delivers checkpoints in log order with events, even while the handler is slow', async () => {
    // A one-item buffer pauses the stream behind the slow handler, so events wait in the client's
    // readable buffer while its transform already reports the next checkpoint.
    const { store, server, client } = storeWithStandIn(['nomination-'], 1);
    const grpc = Object.assign(new PassThrough({ objectMode: true }), { cancel: () => grpc.end() });
    client.GRPCStreamCreator = () => () => Promise.resolve(grpc);
    // For the page-boundary checkpoint (2000, 0): the last event before 2000 in the whole log.
    server.write('other-1', [eventData(ev(50))]);
    const foreign = server.log[0]!.position.commit;

    const seen: string[] = [];
    const subscription = store.subscribe(
      {
        onEvents: async (events) => {
          await new Promise((resolve) => setTimeout(resolve, 20));
          seen.push(`events:${events.map((e) => e.position).join(',')}`);
        },
        onCheckpoint: async (position) => {
          seen.push(`checkpoint:${position}`);
        },
      },
      { batchSize: 1 },
    );
    try {
      grpc.write(grpcEvent('nomination-1', 0, 100n, 1));
      grpc.write(grpcCheckpoint(500n, 500n));
      grpc.write(grpcEvent('nomination-1', 1, 600n, 2));
      grpc.write(grpcCheckpoint(2000n, 0n));
      await subscription.waitFor(foreign, 2000);
      expect(seen).toEqual(['events:100', 'checkpoint:500', 'events:600', `checkpoint:${foreign}`]);
      expect(subscription.position).toBe(foreign);
    } finally {
      await subscription.stop();
      await store.close();
    }
  });

  it('maps a transport failure to a resubscription, not to onError', async () => {
    const { store, client } = storeWithStandIn(['nomination-']);
    const streams: PassThrough[] = [];
    // Resolved when the client has opened its n-th subscription stream: the test awaits that, not a delay.
    const opened: Array<{ count: number; resolve: () => void }> = [];
    const streamOpened = (count: number) =>
      streams.length >= count ? Promise.resolve() : new Promise<void>((resolve) => opened.push({ count, resolve }));
    client.GRPCStreamCreator = () => () => {
      const grpc = Object.assign(new PassThrough({ objectMode: true }), { cancel: () => grpc.end() });
      streams.push(grpc);
      for (const waiter of opened.filter((w) => streams.length >= w.count)) waiter.resolve();
      return Promise.resolve(grpc);
    };
    const errors: Error[] = [];
    const positions: bigint[] = [];
    const subscription = store.subscribe({
      onEvents: async (events) => {
        positions.push(...events.map((e) => e.position));
      },
      onError: (error) => errors.push(error),
    });
    try {
      await streamOpened(1);
      streams[0]!.write(grpcEvent('nomination-1', 0, 100n, 1));
      await subscription.waitFor(100n, 10_000);
      streams[0]!.destroy(Object.assign(new Error('14 UNAVAILABLE: Connection dropped'), { code: 14 }));
      await streamOpened(2);
      expect(streams.length).toBeGreaterThanOrEqual(2);
      // The new subscription replays from the last handled event; the replay is not handed over twice.
      const latest = streams[streams.length - 1]!;
      latest.write(grpcEvent('nomination-1', 0, 100n, 1));
      latest.write(grpcEvent('nomination-1', 1, 200n, 2));
      await subscription.waitFor(200n, 10_000);
      expect(positions).toEqual([100n, 200n]);
      expect(errors).toEqual([]);
    } finally {
      await subscription.stop();
      await store.close();
    }
  });
});

describe('KurrentDbEventStore subscription (stand-in server)', () => {
  it('notices a silently dropped subscription and resubscribes after the last handled event', async () => {
    const warnings: string[] = [];
    const { store, server } = storeWithStandIn(['nomination-'], undefined, undefined, {
      subscriptionIdleTimeoutMs: 100,
      subscriptionStallGraceMs: 50,
      logger: { warn: (message) => warnings.push(message) },
    });
    const seen: string[] = [];
    const subscription = store.subscribe({ onEvents: async (events) => void seen.push(...events.map((e) => e.id)) });
    try {
      const first = await store.append('nomination-1', [ev(1)], 'no_stream');
      await subscription.waitFor(first.position, 2000);
      expect(subscription.isLive).toBe(true);

      // The connection stays open but live events stop arriving, as behind a stuck proxy.
      server.dropLiveEvents = true;
      const second = await store.append('nomination-1', [ev(2)], 0);
      server.dropLiveEvents = false;
      await subscription.waitFor(second.position, 3000);

      expect(seen).toEqual([ID(1), ID(2)]);
      expect(server.subscriptions.length).toBeGreaterThanOrEqual(2);
      expect(warnings.some((w) => /no event or checkpoint for 100 ms/.test(w))).toBe(true);
    } finally {
      await subscription.stop();
      await store.close();
    }
  });

  it('keeps a quiet subscription without resubscribing', async () => {
    const { store, server } = storeWithStandIn(['nomination-'], undefined, undefined, { subscriptionIdleTimeoutMs: 50 });
    const subscription = store.subscribe({ onEvents: async () => undefined });
    try {
      const result = await store.append('nomination-1', [ev(1)], 'no_stream');
      await subscription.waitFor(result.position, 2000);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(server.subscriptions).toHaveLength(1);
      expect(subscription.isLive).toBe(true);
    } finally {
      await subscription.stop();
      await store.close();
    }
  });
});

describe('KurrentDbEventStore without a reachable server', () => {
  it('maps an unreachable server to EventStoreUnavailable on reads and appends', async () => {
    const store = new KurrentDbEventStore({ connectionString: 'kurrentdb://127.0.0.1:1?tls=false', streamPrefixes: ['nomination-'] });
    try {
      await expect(store.readStream('nomination-1')).rejects.toBeInstanceOf(EventStoreUnavailable);
      await expect(store.append('nomination-1', [ev(1)], 'any')).rejects.toBeInstanceOf(EventStoreUnavailable);
    } finally {
      await store.close();
    }
  });
});

function eventData(event: NewEvent): EventData {
  return { id: event.id, contentType: 'application/json', type: event.type, data: event.data as Record<string, unknown>, metadata: {} };
}
