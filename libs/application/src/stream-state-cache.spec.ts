import { randomUUID } from 'node:crypto';
import { InMemoryEventStore, type NewEvent, type ReadStreamOptions, type RecordedEvent } from '@app/event-store';
import type { EventCodec } from '@app/nomination';
import { runStreamCommand, StaleRevision, type StreamCommand } from './stream-command';
import { attachStreamStateCache, StreamStateCache } from './stream-state-cache';

/*
 * The runner with a state cache, on the in-memory store. "Another process" is a write straight to the
 * store, which this process's cache never sees: exactly what a second api process's append is.
 */

type Moved = { type: 'Moved'; data: { by: number; seen: number } };
interface Counter {
  readonly total: number;
}

const codec: EventCodec<Moved> = {
  category: 'counter',
  eventTypes: ['Moved'],
  isEventType: (type): type is 'Moved' => type === 'Moved',
  decode: (stored) => ({ type: 'Moved', data: stored.data as Moved['data'] }),
};
// One fold for every command, as the nomination's evolve is: the cache is keyed by it.
const evolve = (state: Counter, event: Moved): Counter => ({ total: state.total + event.data.by });

class CountingStore extends InMemoryEventStore {
  reads = 0;
  override async readStream(streamId: string, options?: ReadStreamOptions): Promise<readonly RecordedEvent[]> {
    this.reads++;
    return super.readStream(streamId, options);
  }
}

function move(stream: string, by: number, overrides: Partial<StreamCommand<Counter, Moved>> = {}): StreamCommand<Counter, Moved> {
  return {
    streamId: stream,
    codec,
    initialState: { total: 0 },
    evolve,
    decide: (state) => [{ type: 'Moved', data: { by, seen: state.total } }],
    commandId: randomUUID(),
    metadata: { actor: { id: 'u-1' } },
    ...overrides,
  };
}

/** A write by another process: straight to the store, at the stream's current end. */
async function elsewhere(store: InMemoryEventStore, stream: string, by: number): Promise<void> {
  const events = await store.readStream(stream);
  const seen = events.reduce((total, e) => total + (e.data as Moved['data']).by, 0);
  const event: NewEvent = { id: randomUUID(), type: 'Moved', data: { by, seen }, metadata: { actor: { id: 'other-process' }, commandId: randomUUID() } };
  await store.append(stream, [event], events.length - 1);
}

/** The stream as a serial execution would have written it: every `seen` is the total before it. */
async function expectSerial(store: InMemoryEventStore, stream: string): Promise<number[]> {
  const events = await store.readStream(stream);
  let total = 0;
  for (const event of events) {
    const data = event.data as Moved['data'];
    expect(data.seen).toBe(total);
    total += data.by;
  }
  return events.map((e) => (e.data as Moved['data']).by);
}

function setUp(options = { maxStreams: 100, maxBytes: 1_000_000 }): { store: CountingStore; cache: StreamStateCache } {
  const store = new CountingStore();
  const cache = new StreamStateCache(options);
  attachStreamStateCache(store, cache);
  return { store, cache };
}

describe('runStreamCommand with a stream state cache', () => {
  it('starts the next command on a stream from the state the last one wrote, without reading it', async () => {
    const { store, cache } = setUp();
    const stream = `counter-${randomUUID()}`;
    await runStreamCommand(store, move(stream, 1, { assumeNewStream: true }));
    const second = await runStreamCommand(store, move(stream, 2));
    const third = await runStreamCommand(store, move(stream, 3));

    expect(store.reads).toBe(0);
    expect([second.state.total, third.state.total, third.revision]).toEqual([3, 6, 2]);
    expect(await expectSerial(store, stream)).toEqual([1, 2, 3]);
    expect(cache.stats()).toMatchObject({ streams: 1, hits: 2, stale: 0 });
  });

  it('never appends on state another process advanced: the append conflicts and the command runs again on a fresh read', async () => {
    const { store, cache } = setUp();
    const stream = `counter-${randomUUID()}`;
    await runStreamCommand(store, move(stream, 1, { assumeNewStream: true }));
    await elsewhere(store, stream, 10);

    const result = await runStreamCommand(store, move(stream, 2));

    expect(result.state.total).toBe(13);
    expect(result.revision).toBe(2);
    // decided on 11, the total another process left, not on the 1 this process had cached
    expect(await expectSerial(store, stream)).toEqual([1, 10, 2]);
    expect(cache.stats()).toMatchObject({ stale: 1 });
    // and the fresh state is what the next command starts from
    await runStreamCommand(store, move(stream, 4));
    expect(await expectSerial(store, stream)).toEqual([1, 10, 2, 4]);
  });

  it('confirms a refusal decided on cached state on a fresh read before answering with it', async () => {
    const { store } = setUp();
    const stream = `counter-${randomUUID()}`;
    await runStreamCommand(store, move(stream, 1, { assumeNewStream: true }));
    // Another process moved the total from 1 (odd: refused) to 2 (even: allowed).
    await elsewhere(store, stream, 1);
    const onlyWhenEven = (state: Counter): Moved[] => {
      if (state.total % 2 === 1) throw Object.assign(new Error('odd'), { code: 'invalid_transition' });
      return [{ type: 'Moved', data: { by: 5, seen: state.total } }];
    };

    const result = await runStreamCommand(store, move(stream, 5, { decide: onlyWhenEven }));

    expect(result.state.total).toBe(7);
    expect(await expectSerial(store, stream)).toEqual([1, 1, 5]);
  });

  it('still refuses what the fresh state refuses', async () => {
    const { store } = setUp();
    const stream = `counter-${randomUUID()}`;
    await runStreamCommand(store, move(stream, 2, { assumeNewStream: true }));
    await elsewhere(store, stream, 1);
    const onlyWhenEven = (state: Counter): Moved[] => {
      if (state.total % 2 === 1) throw Object.assign(new Error('odd'), { code: 'invalid_transition' });
      return [{ type: 'Moved', data: { by: 5, seen: state.total } }];
    };

    await expect(runStreamCommand(store, move(stream, 5, { decide: onlyWhenEven }))).rejects.toMatchObject({ code: 'invalid_transition' });
    expect(await expectSerial(store, stream)).toEqual([2, 1]);
  });

  it('accepts an If-Match that names the stream\'s real revision although the cache is behind, and refuses one that is stale', async () => {
    const { store } = setUp();
    const stream = `counter-${randomUUID()}`;
    await runStreamCommand(store, move(stream, 1, { assumeNewStream: true }));
    await elsewhere(store, stream, 1);

    await expect(runStreamCommand(store, move(stream, 1, { expectedRevision: 0 }))).rejects.toBeInstanceOf(StaleRevision);
    const result = await runStreamCommand(store, move(stream, 3, { expectedRevision: 1 }));

    expect(result.revision).toBe(2);
    expect(await expectSerial(store, stream)).toEqual([1, 1, 3]);
  });

  it('answers "nothing to do" only from a fresh read', async () => {
    const { store } = setUp();
    const stream = `counter-${randomUUID()}`;
    await runStreamCommand(store, move(stream, 5, { assumeNewStream: true }));
    await elsewhere(store, stream, -5);
    // Tops the total up to 5: nothing to do on the cached 5, one event on the real 0.
    const topUp = (state: Counter): Moved[] => (state.total >= 5 ? [] : [{ type: 'Moved', data: { by: 5 - state.total, seen: state.total } }]);

    const result = await runStreamCommand(store, move(stream, 0, { decide: topUp }));

    expect(result.appended).toHaveLength(1);
    expect(result.revision).toBe(2);
    expect(await expectSerial(store, stream)).toEqual([5, -5, 5]);
  });

  it('recognises a retried command that another process wrote, and writes nothing twice', async () => {
    const { store } = setUp();
    const stream = `counter-${randomUUID()}`;
    await runStreamCommand(store, move(stream, 1, { assumeNewStream: true }));
    // The same command (same id) ran in another process first.
    const retried = move(stream, 2);
    const events = await store.readStream(stream);
    await store.append(stream, [{ id: randomUUID(), type: 'Moved', data: { by: 2, seen: 1 }, metadata: { ...retried.metadata, commandId: retried.commandId } }], events.length - 1);

    const result = await runStreamCommand(store, retried);

    expect(result.replayed).toBe(true);
    expect(result.revision).toBe(1);
    expect(await expectSerial(store, stream)).toEqual([1, 2]);
  });

  it('serialises concurrent commands of this process on one stream: each decides on the total before it', async () => {
    const { store } = setUp();
    const stream = `counter-${randomUUID()}`;
    await runStreamCommand(store, move(stream, 1, { assumeNewStream: true }));

    await Promise.all([1, 2, 3, 4].map((by) => runStreamCommand(store, move(stream, by, { maxAttempts: 10 }))));

    const written = await expectSerial(store, stream);
    expect(written.slice(1).sort()).toEqual([1, 2, 3, 4]);
  });

  it('does not hand an entry folded by one evolve to a command with another', async () => {
    const { store, cache } = setUp();
    const stream = `counter-${randomUUID()}`;
    await runStreamCommand(store, move(stream, 1, { assumeNewStream: true }));
    const doubled = (state: Counter, event: Moved): Counter => ({ total: state.total + 2 * event.data.by });

    const result = await runStreamCommand(store, move(stream, 1, { evolve: doubled }));

    expect(store.reads).toBe(1);
    expect(result.state.total).toBe(4);
    expect(cache.stats().misses).toBeGreaterThan(0);
  });
});

describe('StreamStateCache bounds', () => {
  const recorded = (stream: string, count: number, payload = ''): RecordedEvent[] =>
    Array.from({ length: count }, (_, revision) => ({
      id: randomUUID(), streamId: stream, type: 'Moved', data: { by: 1, seen: revision, payload }, metadata: {},
      revision, position: BigInt(revision), recordedAt: new Date(), hash: '',
    }));

  it('keeps at most maxStreams, dropping the least recently used', () => {
    const cache = new StreamStateCache({ maxStreams: 2, maxBytes: 1_000_000 });
    cache.remember('a', evolve, recorded('a', 1), { total: 1 });
    cache.remember('b', evolve, recorded('b', 1), { total: 1 });
    expect(cache.get('a', evolve)).toBeDefined();
    cache.remember('c', evolve, recorded('c', 1), { total: 1 });

    expect(cache.get('b', evolve)).toBeUndefined();
    expect(cache.get('a', evolve)).toBeDefined();
    expect(cache.get('c', evolve)).toBeDefined();
    expect(cache.stats()).toMatchObject({ streams: 2, evictions: 1 });
  });

  it('keeps its events under maxBytes, and never a stream larger than that alone', () => {
    const cache = new StreamStateCache({ maxStreams: 100, maxBytes: 3_000 });
    cache.remember('big', evolve, recorded('big', 1, 'x'.repeat(5_000)), { total: 1 });
    expect(cache.get('big', evolve)).toBeUndefined();

    cache.remember('a', evolve, recorded('a', 2, 'x'.repeat(700)), { total: 2 });
    cache.remember('b', evolve, recorded('b', 2, 'x'.repeat(700)), { total: 2 });
    expect(cache.stats().bytes).toBeLessThanOrEqual(3_000);
    expect(cache.get('a', evolve)).toBeUndefined();
    expect(cache.get('b', evolve)).toBeDefined();
  });

  it('does not go back to an older revision of a stream it holds', () => {
    const cache = new StreamStateCache({ maxStreams: 10, maxBytes: 1_000_000 });
    const events = recorded('a', 3);
    cache.remember('a', evolve, events, { total: 3 });
    cache.remember('a', evolve, events.slice(0, 2), { total: 2 });
    expect(cache.get<Counter>('a', evolve)).toMatchObject({ revision: 2, state: { total: 3 } });
  });

  it('keeps nothing with maxStreams 0', () => {
    const cache = new StreamStateCache({ maxStreams: 0, maxBytes: 1_000_000 });
    cache.remember('a', evolve, recorded('a', 1), { total: 1 });
    expect(cache.get('a', evolve)).toBeUndefined();
  });
});
