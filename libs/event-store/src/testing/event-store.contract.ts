import { randomUUID } from 'node:crypto';
import { EventStoreError, InvalidAppend, RevisionConflict, StreamNotFound } from '../event-store.errors';
import type {
  AppendResult,
  EventStore,
  ExpectedRevision,
  NewEvent,
  RecordedEvent,
  Subscription,
} from '../event-store.port';
import { chainHash, GENESIS_HASH, verifyChain } from '../hash-chain';

export interface EventStoreContractFixture {
  readonly store: EventStore;
  cleanup(): Promise<void>;
}

/*
 * The behaviour every EventStore adapter must have. An adapter's test file calls
 * describeEventStoreContract() with a factory that returns a ready store; the factory runs before each
 * test and cleanup() after it.
 *
 * The suite never assumes an empty log: every test writes to fresh random streams and reads the log
 * from the head position it saw before writing, ignoring other streams. Stream ids start with
 * 'nomination-', a prefix this service owns, so an adapter that filters the log down to the service's
 * streams still shows them. Waiting is always for a position (Subscription.waitFor), never for time.
 */
export function describeEventStoreContract(
  adapterName: string,
  factory: () => Promise<{ store: EventStore; cleanup(): Promise<void> }>,
): void {
  describe(`EventStore contract: ${adapterName}`, () => {
    let store: EventStore;
    let fixture: EventStoreContractFixture | undefined;
    const subscriptions: Subscription[] = [];

    beforeEach(async () => {
      fixture = await factory();
      store = fixture.store;
    });

    afterEach(async () => {
      await Promise.all(subscriptions.splice(0).map((s) => s.stop().catch(() => undefined)));
      await fixture?.cleanup();
      fixture = undefined;
    });

    /** Subscribes from `after` and keeps the events of the given streams, in delivery order. */
    function collect(streams: ReadonlySet<string>, after: bigint | undefined, batchSize?: number) {
      const received: RecordedEvent[] = [];
      const subscription = store.subscribe(
        {
          onEvents: async (events) => {
            for (const event of events) if (streams.has(event.streamId)) received.push(event);
          },
        },
        { after, batchSize },
      );
      subscriptions.push(subscription);
      return { received, subscription };
    }

    describe('append', () => {
      it('creates a stream with no_stream and numbers its revisions from 0', async () => {
        const stream = testStreamId();
        const events = [testEvent('NominationSubmitted'), testEvent('DocumentAttached'), testEvent('NominationForwarded')];

        const result = await store.append(stream, events, 'no_stream');

        expect(result.written).toBe(true);
        expect(result.nextRevision).toBe(2);
        const recorded = await store.readStream(stream);
        expect(recorded.map((e) => [e.id, e.streamId, e.type, e.revision])).toEqual(
          events.map((e, i) => [e.id, stream, e.type, i]),
        );
        expect(recorded.map((e) => e.data)).toEqual(events.map((e) => e.data));
        expect(recorded.map((e) => e.metadata)).toEqual(events.map((e) => e.metadata));
        expectIncreasing(recorded.map((e) => e.position));
        expect(recorded[2]!.position).toBe(result.position);
        for (const e of recorded) expect(e.recordedAt).toBeInstanceOf(Date);
      });

      it('appends at the exact expected revision and refuses every other expectation', async () => {
        const stream = testStreamId();
        await store.append(stream, [testEvent(), testEvent()], 'no_stream');

        expect((await store.append(stream, [testEvent()], 1)).nextRevision).toBe(2);

        await expectConflict(store.append(stream, [testEvent()], 1), { expected: 1, actual: 2 });
        await expectConflict(store.append(stream, [testEvent()], 5), { expected: 5, actual: 2 });
        await expectConflict(store.append(stream, [testEvent()], 'no_stream'), { expected: 'no_stream', actual: 2 });
        await expectConflict(store.append(testStreamId(), [testEvent()], 0), { expected: 0, actual: 'no_stream' });
        expect(await store.readStream(stream)).toHaveLength(3);
      });

      it("appends with 'any' whether or not the stream exists", async () => {
        const stream = testStreamId();
        expect((await store.append(stream, [testEvent()], 'any')).nextRevision).toBe(0);
        expect((await store.append(stream, [testEvent(), testEvent()], 'any')).nextRevision).toBe(2);
        expect((await store.readStream(stream)).map((e) => e.revision)).toEqual([0, 1, 2]);
      });

      it('lets exactly one of several racing appends at the same revision win, whole', async () => {
        const stream = testStreamId();
        await store.append(stream, [testEvent()], 'no_stream');
        const attempts = Array.from({ length: 8 }, () => [testEvent('Racing'), testEvent('Racing')]);

        const outcomes = await Promise.allSettled(attempts.map((events) => store.append(stream, events, 0)));

        const winners = outcomes.flatMap((o, i) => (o.status === 'fulfilled' ? [i] : []));
        expect(winners).toHaveLength(1);
        for (const outcome of outcomes) {
          if (outcome.status === 'rejected') {
            expect(outcome.reason).toBeInstanceOf(RevisionConflict);
            expect((outcome.reason as RevisionConflict).actual).toBe(2);
          }
        }
        const recorded = await store.readStream(stream);
        expect(recorded.slice(1).map((e) => e.id)).toEqual(attempts[winners[0]!]!.map((e) => e.id));
      });

      it('lets exactly one of several racing creations of a stream win', async () => {
        const stream = testStreamId();
        const outcomes = await Promise.allSettled(
          Array.from({ length: 6 }, () => store.append(stream, [testEvent(), testEvent(), testEvent()], 'no_stream')),
        );
        expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
        for (const outcome of outcomes) {
          if (outcome.status === 'rejected') expect((outcome.reason as RevisionConflict).actual).toBe(2);
        }
        expect(await store.readStream(stream)).toHaveLength(3);
      });
    });

    describe('idempotent appends', () => {
      // A retry is answered as the first time was, except that it wrote nothing (and so reports no time).
      const retryOf = ({ nextRevision, position }: AppendResult): AppendResult => ({ nextRevision, position, written: false });

      it('reports, when it knows it, the recordedAt a read then gives the events written', async () => {
        const stream = testStreamId();
        const result = await store.append(stream, [testEvent(), testEvent()], 'no_stream');
        if (result.recordedAt === undefined) return;
        const read = await store.readStream(stream);
        expect(read.map((e) => e.recordedAt.getTime())).toEqual([result.recordedAt.getTime(), result.recordedAt.getTime()]);
      });

      it('answers a retry (same ids, same expectation) as the first time and writes nothing', async () => {
        const stream = testStreamId();
        const events = [testEvent(), testEvent()];
        const first = await store.append(stream, events, 'no_stream');

        const retry = await store.append(stream, events, 'no_stream');

        expect(retry).toEqual<AppendResult>(retryOf(first));
        expect(await store.readStream(stream)).toHaveLength(2);
      });

      it('recognises a retry even after the stream has moved on', async () => {
        const stream = testStreamId();
        const created = [testEvent(), testEvent()];
        const first = await store.append(stream, created, 'no_stream');
        const next = [testEvent()];
        const second = await store.append(stream, next, 1);
        await store.append(stream, [testEvent()], 2);

        expect(await store.append(stream, created, 'no_stream')).toEqual(retryOf(first));
        expect(await store.append(stream, next, 1)).toEqual(retryOf(second));
        expect(await store.append(stream, next, 'any')).toEqual(retryOf(second));
        expect(await store.readStream(stream)).toHaveLength(4);
      });

      it('writes a retry that races its original only once', async () => {
        const stream = testStreamId();
        await store.append(stream, [testEvent()], 'no_stream');
        const events = [testEvent(), testEvent()];

        const results = await Promise.all([store.append(stream, events, 0), store.append(stream, events, 0)]);

        expect(results.map((r) => r.written).sort()).toEqual([false, true]);
        expect(results[0]!.position).toBe(results[1]!.position);
        expect(await store.readStream(stream)).toHaveLength(3);
      });

      it('refuses the same ids at another expected revision or with other content', async () => {
        const stream = testStreamId();
        const events = [testEvent(), testEvent()];
        await store.append(stream, events, 'no_stream');
        await store.append(stream, [testEvent()], 1);

        await expectConflict(store.append(stream, events, 2), { expected: 2, actual: 2 });
        await expectConflict(store.append(stream, [{ ...events[0]!, data: { changed: true } }, events[1]!], 'no_stream'), {
          expected: 'no_stream',
          actual: 2,
        });
        expect(await store.readStream(stream)).toHaveLength(3);
      });

      it('keeps event ids unique across streams', async () => {
        const first = testStreamId();
        const second = testStreamId();
        const shared = testEvent();
        await store.append(first, [shared], 'no_stream');

        await expect(store.append(second, [testEvent(), shared], 'no_stream')).rejects.toBeInstanceOf(RevisionConflict);
        await expect(store.readStream(second)).rejects.toBeInstanceOf(StreamNotFound);
      });
    });

    describe('validation', () => {
      const cyclic: Record<string, unknown> = { name: 'loop' };
      cyclic['self'] = cyclic;
      const invalid: [string, () => [string, NewEvent[], ExpectedRevision]][] = [
        ['an empty stream id', () => ['', [testEvent()], 'no_stream']],
        ['a stream id over 200 characters', () => [`nomination-${'x'.repeat(190)}`, [testEvent()], 'no_stream']],
        ['an empty event type', () => [testStreamId(), [testEvent('')], 'no_stream']],
        ['an event type over 100 characters', () => [testStreamId(), [testEvent('T'.repeat(101))], 'no_stream']],
        ['no events', () => [testStreamId(), [], 'no_stream']],
        ['the same id twice', () => { const e = testEvent(); return [testStreamId(), [e, { ...e, type: 'Other' }], 'no_stream']; }],
        ['an id that is not a UUID', () => [testStreamId(), [{ ...testEvent(), id: 'nomination-1' }], 'no_stream']],
        ['a bigint in the data', () => [testStreamId(), [testEvent('T', { amount: 10n })], 'no_stream']],
        ['a function in the data', () => [testStreamId(), [testEvent('T', { run: () => 1 })], 'no_stream']],
        ['a cyclic object', () => [testStreamId(), [testEvent('T', cyclic)], 'no_stream']],
        ['a number JSON cannot hold', () => [testStreamId(), [testEvent('T', { ratio: Number.NaN })], 'no_stream']],
        ['an infinite number in metadata', () => [testStreamId(), [{ ...testEvent(), metadata: { at: Infinity } }], 'no_stream']],
        ['a metadata key reserved for the store', () => [testStreamId(), [{ ...testEvent(), metadata: { $chain: 'forged' } }], 'no_stream']],
        ['an event type reserved for the store', () => [testStreamId(), [testEvent('$streamDeleted')], 'no_stream']],
        ['an invalid event after a valid one', () => [testStreamId(), [testEvent(), testEvent('T', { n: 1n })], 'no_stream']],
        ['an expected revision below zero', () => [testStreamId(), [testEvent()], -1]],
        ['a fractional expected revision', () => [testStreamId(), [testEvent()], 1.5]],
      ];

      it.each(invalid)('refuses %s with InvalidAppend and writes nothing', async (_, build) => {
        const [stream, events, expected] = build();
        await expect(store.append(stream, events, expected)).rejects.toBeInstanceOf(InvalidAppend);
        if (stream !== '') await expect(store.readStream(stream)).rejects.toBeInstanceOf(StreamNotFound);
      });

      it('accepts the longest stream id and event type', async () => {
        const stream = `nomination-${randomUUID()}-`.padEnd(200, 'x');
        await store.append(stream, [testEvent('T'.repeat(100))], 'no_stream');
        expect((await store.readStream(stream))[0]!.type).toHaveLength(100);
      });
    });

    describe('readStream', () => {
      it('throws StreamNotFound for a stream with no event', async () => {
        await expect(store.readStream(testStreamId())).rejects.toBeInstanceOf(StreamNotFound);
      });

      it('reads up to a revision', async () => {
        const stream = testStreamId();
        await store.append(stream, [testEvent(), testEvent(), testEvent(), testEvent()], 'no_stream');
        expect((await store.readStream(stream, { toRevision: 1 })).map((e) => e.revision)).toEqual([0, 1]);
        expect((await store.readStream(stream, { toRevision: 0 })).map((e) => e.revision)).toEqual([0]);
        expect(await store.readStream(stream, { toRevision: 99 })).toHaveLength(4);
      });

      it('reads what had been recorded at an instant', async () => {
        const stream = testStreamId();
        await store.append(stream, [testEvent(), testEvent()], 'no_stream');
        const [, second] = await store.readStream(stream);
        // Timestamps have millisecond resolution: let the clock pass the first append's millisecond so
        // the second append is distinguishable by time.
        await clockPasses(second!.recordedAt);
        await store.append(stream, [testEvent()], 1);
        const all = await store.readStream(stream);

        const atSecond = await store.readStream(stream, { until: second!.recordedAt });

        expect(atSecond.map((e) => e.revision)).toEqual([0, 1]);
        expect(all[2]!.recordedAt.getTime()).toBeGreaterThan(second!.recordedAt.getTime());
        expect(await store.readStream(stream, { until: all[2]!.recordedAt })).toHaveLength(3);
        await expect(store.readStream(stream, { until: new Date(all[0]!.recordedAt.getTime() - 1) })).rejects.toBeInstanceOf(
          StreamNotFound,
        );
        expect((await store.readStream(stream, { until: second!.recordedAt, toRevision: 0 })).map((e) => e.revision)).toEqual([0]);
      });
    });

    describe('readAll', () => {
      it('pages through the log in position order from a checkpoint', async () => {
        const start = await store.headPosition();
        const streams = [testStreamId(), testStreamId(), testStreamId()];
        const appended: string[] = [];
        for (let round = 0; round < 3; round++) {
          for (const [i, stream] of streams.entries()) {
            const events = i === 1 ? [testEvent(), testEvent()] : [testEvent()];
            await store.append(stream, events, round === 0 ? 'no_stream' : 'any');
            appended.push(...events.map((e) => e.id));
          }
        }
        const last = (await store.readStream(streams[2]!)).at(-1)!.position;

        const ours: RecordedEvent[] = [];
        const positions: bigint[] = [];
        let after = start;
        while (after === undefined || after < last) {
          const batch = await store.readAll({ after, limit: 4 });
          expect(batch.events.length).toBeLessThanOrEqual(4);
          positions.push(...batch.events.map((e) => e.position));
          ours.push(...batch.events.filter((e) => streams.includes(e.streamId)));
          if (batch.events.length > 0) expect(batch.checkpoint! >= batch.events.at(-1)!.position).toBe(true);
          // An empty page before the end: some transaction (anyone's) is still open below our events.
          if (batch.events.length === 0) await waitForHead(store, last);
          after = batch.checkpoint;
        }

        expectIncreasing(positions);
        expect(ours.map((e) => e.id)).toEqual(appended);
        const tail = await store.readAll({ after: last, limit: 100 });
        expect(tail.events.filter((e) => streams.includes(e.streamId))).toEqual([]);
      });
    });

    describe('subscribe', () => {
      it('catches up, then delivers live appends, in order and exactly once', async () => {
        const start = await store.headPosition();
        const streams = [testStreamId(), testStreamId()];
        const before = [testEvent(), testEvent(), testEvent()];
        await store.append(streams[0]!, before.slice(0, 2), 'no_stream');
        const caughtUpTo = await store.append(streams[1]!, before.slice(2), 'no_stream');

        const { received, subscription } = collect(new Set(streams), start);
        await subscription.waitFor(caughtUpTo.position);
        expect(received.map((e) => e.id)).toEqual(before.map((e) => e.id));
        expect(subscription.isLive).toBe(true);

        const live = [testEvent(), testEvent(), testEvent()];
        await store.append(streams[0]!, [live[0]!], 1);
        await store.append(streams[1]!, [live[1]!], 0);
        const lastLive = await store.append(streams[0]!, [live[2]!], 2);
        await subscription.waitFor(lastLive.position);

        expect(received.map((e) => e.id)).toEqual([...before, ...live].map((e) => e.id));
        expect(subscription.position! >= lastLive.position).toBe(true);
      });

      it('delivers in batches no larger than asked', async () => {
        const start = await store.headPosition();
        const stream = testStreamId();
        const result = await store.append(stream, Array.from({ length: 7 }, () => testEvent()), 'no_stream');
        const sizes: number[] = [];
        const subscription = store.subscribe({ onEvents: async (events) => void sizes.push(events.length) }, { after: start, batchSize: 3 });
        subscriptions.push(subscription);
        await subscription.waitFor(result.position);
        expect(Math.max(...sizes)).toBeLessThanOrEqual(3);
      });

      it('resumes after a stored checkpoint: only what came after, nothing missed', async () => {
        const start = await store.headPosition();
        const stream = testStreamId();
        const firstPart = [testEvent(), testEvent(), testEvent()];
        const firstResult = await store.append(stream, firstPart, 'no_stream');
        const first = collect(new Set([stream]), start);
        await first.subscription.waitFor(firstResult.position);
        await first.subscription.stop();
        const checkpoint = first.subscription.position;
        expect(first.received.map((e) => e.id)).toEqual(firstPart.map((e) => e.id));

        const secondPart = [testEvent(), testEvent()];
        await store.append(stream, [secondPart[0]!], 2);
        const lastResult = await store.append(stream, [secondPart[1]!], 3);
        const second = collect(new Set([stream]), checkpoint);
        await second.subscription.waitFor(lastResult.position);

        expect(second.received.map((e) => e.id)).toEqual(secondPart.map((e) => e.id));
        expect(first.received).toHaveLength(3);
      });

      it('stops and reports the error when the handler fails', async () => {
        const start = await store.headPosition();
        const stream = testStreamId();
        const result = await store.append(stream, [testEvent()], 'no_stream');
        const errors: Error[] = [];
        let calls = 0;
        const subscription = store.subscribe(
          {
            onEvents: async (events) => {
              if (events.some((e) => e.streamId === stream)) {
                calls++;
                throw new Error('projection failed');
              }
            },
            onError: (error) => errors.push(error),
          },
          { after: start },
        );
        subscriptions.push(subscription);

        await expect(subscription.waitFor(result.position)).rejects.toThrow('projection failed');
        expect(errors.map((e) => e.message)).toEqual(['projection failed']);
        expect(calls).toBe(1);
      });
    });

    describe('under concurrent load', () => {
      it('delivers every committed event exactly once, each stream in revision order', async () => {
        const start = await store.headPosition();
        const contended = Array.from({ length: 6 }, () => testStreamId());
        const solo = Array.from({ length: 18 }, () => testStreamId());
        const streams = new Set([...contended, ...solo]);
        const { received, subscription } = collect(streams, start, 50);

        // 30 writers: one on each solo stream, two racing on each contended stream (retrying on conflict
        // from the revision the conflict reports), while the subscription reads in small batches.
        const writers = [
          ...solo.map((stream) => ({ stream, appends: 12 })),
          ...contended.flatMap((stream) => [{ stream, appends: 10 }, { stream, appends: 10 }]),
        ];
        const committed = new Set<string>();
        let conflicts = 0;
        let highest = -1n;
        await Promise.all(
          writers.map(async ({ stream, appends }) => {
            let expected: ExpectedRevision = 'no_stream';
            for (let i = 0; i < appends; ) {
              const events = i % 3 === 2 ? [testEvent('Stress'), testEvent('Stress')] : [testEvent('Stress')];
              try {
                const result = await store.append(stream, events, expected);
                for (const e of events) committed.add(e.id);
                if (result.position > highest) highest = result.position;
                expected = result.nextRevision;
                i++;
              } catch (error) {
                if (!(error instanceof RevisionConflict)) throw error;
                conflicts++;
                expected = error.actual;
              }
            }
          }),
        );

        await subscription.waitFor(highest, 20_000);

        const ids = received.map((e) => e.id);
        expect(new Set(ids).size).toBe(ids.length);
        expect(new Set(ids)).toEqual(committed);
        expectIncreasing(received.map((e) => e.position));
        for (const stream of streams) {
          const delivered = received.filter((e) => e.streamId === stream);
          expect(delivered.map((e) => e.revision)).toEqual(delivered.map((_, i) => i));
          const stored = await store.readStream(stream);
          expect(delivered.map((e) => e.id)).toEqual(stored.map((e) => e.id));
          expect(verifyChain(stored).ok).toBe(true);
        }
        expect(conflicts).toBeGreaterThan(0);
      });
    });

    describe('hash chain', () => {
      it('chains each stream from the genesis hash over exactly the appended content', async () => {
        const stream = testStreamId();
        const events = [
          testEvent('NominationSubmitted', {
            nominee: { name: 'Nguyễn Thị Hồng Nhung', unit: 'Xã Chiềng Cơi, thành phố Sơn La' },
            award: 'Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh',
            nfc: 'Thi đua khen thưởng'.normalize('NFC'),
            nfd: 'Thi đua khen thưởng'.normalize('NFD'),
            numbers: [0, 1, -7, 0.1, 0.1 + 0.2, 1e21, 1e-7, 123.456, Number.MAX_SAFE_INTEGER, -1.5e-300],
            nested: { z: [{ b: 2, a: 1 }, [], {}], a: null, 'khóa': true, ' ': false },
            text: 'quote " backslash \\ tab \t newline \n control \u0001 line separator \u2028 emoji 🏅',
          }),
          testEvent('Type "quoted" \\ / ẞ 🏅', 'a bare string'),
          testEvent('ArrayData', [1, 'two', { three: 3 }]),
        ];
        await store.append(stream, events, 'no_stream');
        await store.append(stream, [testEvent('NumberData', 42)], 2);
        await store.append(stream, [testEvent('NullData', null), testEvent('BooleanData', false)], 'any');

        const recorded = await store.readStream(stream);

        expect(verifyChain(recorded)).toEqual({ ok: true, checked: 6 });
        const original = events[0]!;
        expect(recorded[0]!.hash).toBe(
          chainHash(GENESIS_HASH, { type: original.type, data: original.data, metadata: original.metadata, revision: 0 }),
        );
        expect(recorded[0]!.data).toEqual(original.data);
        expect((recorded[0]!.data as { nfd: string }).nfd).toBe('Thi đua khen thưởng'.normalize('NFD'));
        expect(recorded[1]!.type).toBe(events[1]!.type);
      });
    });

    describe('identity and end of the log', () => {
      it('names its log the same way on every call, and ends at or after the head', async () => {
        const identity = await store.identity();
        expect(identity).toMatch(/^[a-z]+:\S+$/);
        const result = await store.append(testStreamId(), [testEvent()], 'no_stream');
        const head = await waitForHead(store, result.position);
        expect(await store.identity()).toBe(identity);
        const end = await store.endPosition();
        expect(end !== undefined && head !== undefined && end >= head).toBe(true);
      });
    });

    describe('head and health', () => {
      it('reports a head position at or after the last append', async () => {
        const result = await store.append(testStreamId(), [testEvent()], 'no_stream');
        await expect(store.ping()).resolves.toBeUndefined();
        const head = await waitForHead(store, result.position);
        expect(head! >= result.position).toBe(true);
      });
    });
  });
}

/** A fresh stream id in the service's own prefix. */
export function testStreamId(): string {
  return `nomination-contract-${randomUUID()}`;
}

export function testEvent(type = 'SomethingHappened', data?: unknown): NewEvent {
  const id = randomUUID();
  return {
    id,
    type,
    data: data === undefined ? { id, note: 'Đề nghị khen thưởng' } : data,
    metadata: { actor: { id: 'u-1', name: 'Lò Văn Thắng' }, correlationId: id },
  };
}

function expectIncreasing(positions: readonly bigint[]): void {
  for (let i = 1; i < positions.length; i++) {
    if (!(positions[i]! > positions[i - 1]!)) {
      throw new Error(`positions not strictly increasing at ${i}: ${positions[i - 1]} then ${positions[i]}`);
    }
  }
}

async function expectConflict(
  attempt: Promise<unknown>,
  expected: { expected: ExpectedRevision; actual: number | 'no_stream' },
): Promise<void> {
  const error = await attempt.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RevisionConflict);
  expect(error).toBeInstanceOf(EventStoreError);
  expect({ expected: (error as RevisionConflict).expected, actual: (error as RevisionConflict).actual }).toEqual(expected);
}

async function clockPasses(instant: Date): Promise<void> {
  while (Date.now() <= instant.getTime() + 1) await new Promise((resolve) => setTimeout(resolve, 1));
}

/**
 * The head only counts events every earlier transaction has finished with, so it can trail a commit
 * that just happened while another transaction (anyone's) is still open: wait for it through a
 * subscription, as any reader would.
 */
async function waitForHead(store: EventStore, position: bigint): Promise<bigint | undefined> {
  const head = await store.headPosition();
  if (head !== undefined && head >= position) return head;
  const subscription = store.subscribe({ onEvents: async () => undefined }, { after: head });
  try {
    await subscription.waitFor(position);
  } finally {
    await subscription.stop();
  }
  return store.headPosition();
}
