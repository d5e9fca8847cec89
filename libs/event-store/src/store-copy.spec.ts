/**
 * The copy algorithm alone, between two in-memory stores. The fake below exists only for this file:
 * adapters are tested against real stores with the shared contract suite.
 */
import { RevisionConflict, StreamNotFound } from './event-store.errors';
import type {
  AppendResult,
  EventStore,
  ExpectedRevision,
  NewEvent,
  ReadAllBatch,
  ReadAllOptions,
  RecordedEvent,
  Subscription,
} from './event-store.port';
import { GENESIS_HASH, chainHash } from './hash-chain';
import { StoreCopyConflict, copyEventStore } from './store-copy';

class InMemoryStore implements EventStore {
  readonly log: RecordedEvent[] = [];
  private nextPosition: bigint;
  /** Throws on the n-th append from now (a crash half-way through a copy). */
  failOnAppend: number | undefined;

  constructor(firstPosition = 1n) {
    this.nextPosition = firstPosition;
  }

  async append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    if (this.failOnAppend !== undefined && --this.failOnAppend === 0) throw new Error('crashed');
    const stream = this.log.filter((e) => e.streamId === streamId);
    const current = stream.length - 1;
    const base = expected === 'any' ? current : expected === 'no_stream' ? -1 : expected;
    const already = stream.slice(base + 1, base + 1 + events.length);
    if (already.length === events.length && already.every((e, i) => e.id === events[i]!.id)) {
      const last = already[already.length - 1]!;
      return { nextRevision: last.revision, position: last.position, written: false };
    }
    if (base !== current) throw new RevisionConflict(streamId, expected, current < 0 ? 'no_stream' : current);
    let previous = stream[stream.length - 1]?.hash ?? GENESIS_HASH;
    let last: RecordedEvent | undefined;
    events.forEach((event, i) => {
      const revision = current + 1 + i;
      const metadata = event.metadata ?? {};
      const hash = chainHash(previous, { type: event.type, data: event.data, metadata, revision });
      previous = hash;
      last = { id: event.id, streamId, type: event.type, data: event.data, metadata, revision, position: this.nextPosition++, recordedAt: new Date(), hash };
      this.log.push(last);
    });
    return { nextRevision: last!.revision, position: last!.position, written: true };
  }

  async readStream(streamId: string): Promise<readonly RecordedEvent[]> {
    const events = this.log.filter((e) => e.streamId === streamId);
    if (events.length === 0) throw new StreamNotFound(streamId);
    return events;
  }

  async readAll(options: ReadAllOptions = {}): Promise<ReadAllBatch> {
    const events = this.log.filter((e) => options.after === undefined || e.position > options.after).slice(0, options.limit ?? 500);
    return { events, checkpoint: events[events.length - 1]?.position ?? options.after };
  }

  subscribe(): Subscription {
    throw new Error('not used by the copy');
  }
  async headPosition() {
    return this.log[this.log.length - 1]?.position;
  }
  async identity() {
    return 'store-copy-spec';
  }
  endPosition() {
    return this.headPosition();
  }
  async ping() {}
  async close() {}
}

const ID = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

/** A source with three interleaved streams. */
async function seededSource(): Promise<InMemoryStore> {
  const source = new InMemoryStore(1000n);
  await source.append('nomination-1', [{ id: ID(1), type: 'Submitted', data: { a: 1 }, metadata: { actor: 'u1' } }], 'no_stream');
  await source.append('nomination-2', [{ id: ID(2), type: 'Submitted', data: { a: 2 } }], 'no_stream');
  await source.append(
    'nomination-1',
    [
      { id: ID(3), type: 'Approved', data: { stage: 1 } },
      { id: ID(4), type: 'Approved', data: { stage: 2 } },
    ],
    0,
  );
  await source.append('decision-9', [{ id: ID(5), type: 'Decided', data: ['x'], metadata: { correlationId: 'c' } }], 'no_stream');
  await source.append('nomination-2', [{ id: ID(6), type: 'Withdrawn', data: null }], 0);
  return source;
}

const shape = (e: RecordedEvent) => [e.streamId, e.revision, e.id, e.type, e.data, e.metadata, e.hash];

describe('copyEventStore', () => {
  it('copies every stream in global order with ids, content and hashes, and verifies the chains', async () => {
    const source = await seededSource();
    const target = new InMemoryStore();
    const summary = await copyEventStore(source, target, { batchSize: 2, settleMs: 0 });
    expect(target.log.map(shape)).toEqual(source.log.map(shape));
    expect(summary).toMatchObject({ streams: 3, eventsRead: 6, eventsCopied: 6, eventsSkipped: 0, verifiedStreams: 3, mismatches: [] });
  });

  it('appends consecutive events of one stream together', async () => {
    const source = await seededSource();
    const target = new InMemoryStore();
    const appends: number[] = [];
    const append = target.append.bind(target);
    target.append = async (streamId, events, expected) => {
      appends.push(events.length);
      return append(streamId, events, expected);
    };
    await copyEventStore(source, target, { settleMs: 0 });
    expect(appends).toEqual([1, 1, 2, 1, 1]);
  });

  it('is idempotent: a second run copies nothing and skips everything', async () => {
    const source = await seededSource();
    const target = new InMemoryStore();
    await copyEventStore(source, target, { settleMs: 0 });
    const again = await copyEventStore(source, target, { batchSize: 4, settleMs: 0 });
    expect(again).toMatchObject({ eventsCopied: 0, eventsSkipped: 6, verifiedStreams: 3, mismatches: [] });
    expect(target.log).toHaveLength(6);
  });

  it('restarts after a crash half-way and finishes the copy without duplicates', async () => {
    const source = await seededSource();
    const target = new InMemoryStore();
    target.failOnAppend = 3;
    await expect(copyEventStore(source, target, { batchSize: 1, settleMs: 0 })).rejects.toThrow('crashed');
    expect(target.log).toHaveLength(2);
    const resumed = await copyEventStore(source, target, { batchSize: 1, settleMs: 0 });
    expect(resumed).toMatchObject({ eventsCopied: 4, eventsSkipped: 2, mismatches: [] });
    expect(target.log.map(shape)).toEqual(source.log.map(shape));
  });

  it('stops when the target holds a different event at a revision', async () => {
    const source = await seededSource();
    const target = new InMemoryStore();
    await target.append('nomination-2', [{ id: ID(99), type: 'Submitted', data: { a: 2 } }], 'no_stream');
    const copy = copyEventStore(source, target, { settleMs: 0 });
    await expect(copy).rejects.toBeInstanceOf(StoreCopyConflict);
    await expect(copyEventStore(source, target, { settleMs: 0 })).rejects.toMatchObject({ streamId: 'nomination-2', revision: 0, sourceEventId: ID(2), targetEventId: ID(99) });
  });

  it('stops when the target stream moved on between reads', async () => {
    const source = await seededSource();
    const target = new InMemoryStore();
    const append = target.append.bind(target);
    let sneaked = false;
    target.append = async (streamId, events, expected) => {
      if (!sneaked && streamId === 'nomination-2') {
        sneaked = true;
        await append('nomination-2', [{ id: ID(77), type: 'Other', data: {} }], 'no_stream');
      }
      return append(streamId, events, expected);
    };
    await expect(copyEventStore(source, target, { settleMs: 0 })).rejects.toMatchObject({ streamId: 'nomination-2', revision: 0, targetEventId: ID(77) });
  });

  it('reports a stream whose source chain does not match the copy', async () => {
    const source = await seededSource();
    const tampered = source.log.findIndex((e) => e.id === ID(6));
    source.log[tampered] = { ...source.log[tampered]!, hash: 'f'.repeat(64) };
    const summary = await copyEventStore(source, new InMemoryStore(), { settleMs: 0 });
    expect(summary.verifiedStreams).toBe(2);
    expect(summary.mismatches).toEqual([{ streamId: 'nomination-2', reason: expect.stringMatching(/last hash differs/) }]);
  });

  it('copies an empty store to nothing', async () => {
    expect(await copyEventStore(new InMemoryStore(), new InMemoryStore(), { settleMs: 0 })).toMatchObject({ streams: 0, eventsRead: 0, mismatches: [] });
  });

  it('waits out empty reads until it reaches the given source position', async () => {
    const source = await seededSource();
    const last = source.log[source.log.length - 1]!.position;
    // The last two events stay hidden for a while, as behind an open transaction in PostgreSQL.
    let hidden = true;
    setTimeout(() => (hidden = false), 150);
    const readAll = source.readAll.bind(source);
    source.readAll = async (options) => {
      const batch = await readAll(options);
      const events = hidden ? batch.events.filter((e) => e.position < last - 1n) : batch.events;
      return { events, checkpoint: events.at(-1)?.position ?? options?.after };
    };
    const summary = await copyEventStore(source, new InMemoryStore(), { until: last });
    expect(summary).toMatchObject({ eventsRead: 6, eventsCopied: 6, mismatches: [] });
  });

  it('gives up when the source never reaches the given position', async () => {
    const source = await seededSource();
    await expect(copyEventStore(source, new InMemoryStore(), { until: 99_999n, maxWaitMs: 100 })).rejects.toThrow(/stays short of position 99999/);
  });

  it('without a target position, stops once reads have stayed empty for the settle time', async () => {
    const source = await seededSource();
    const started = Date.now();
    expect(await copyEventStore(source, new InMemoryStore(), { settleMs: 100 })).toMatchObject({ eventsCopied: 6 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
  });
});
