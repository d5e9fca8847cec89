/**
 * One shared read of the log for every consumer of a process (ConsumerGroup, SharedLogFeed): the log
 * is read and decoded once per batch, each consumer still commits its share with its own checkpoint,
 * consumers that are behind catch up by themselves and then join, and a consumer that fails or is slow
 * leaves the shared read without holding up the others. Killed in the middle of handing a batch out,
 * no consumer loses or doubles an effect.
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@app/database/testing';
import { type EventStore, InMemoryEventStore, PostgresEventStore } from '@app/event-store';
import { createRootLogger } from '@app/observability';
import { ConsumerGroup } from './consumer-group';
import { DurableSubscriber } from './durable-subscriber';
import type { ConsumedEvent, ConsumerTransaction, DurableConsumer } from './durable-consumer';
import { createRowTableSql, RowPerEventConsumer, rowTableOf } from './testing/row-per-event-consumer';
import { startReadyChild } from './testing/ready-child';

const logger = createRootLogger({ level: 'silent', service: 'test' });

/** A valid, minimal nomination event (consumers receive decoded events only). */
const withdrawn = (i: number): { type: string; data: unknown } => ({
  type: 'NominationWithdrawn',
  data: {
    schemaVersion: 1, at: new Date(Date.UTC(2023, 0, 1, 0, 0, i % 60)).toISOString(), by: { id: 'u', name: 'Lò Văn A', unit: '03814', roles: ['proposer'] },
    fromStatus: 'draft', stageIndex: null, reason: `lần ${i}`,
  },
});

/** Records the events it received (the objects themselves), optionally failing on or waiting at one. */
class Recorder implements DurableConsumer {
  readonly categories = ['nomination'] as const;
  readonly seen: ConsumedEvent[] = [];
  alwaysFailOn: string | undefined;
  /** Held at this event until `release()` (a consumer stuck on a lock, a slow process manager). */
  holdAt: string | undefined;
  private gate: Promise<void> | undefined;
  private open: (() => void) | undefined;
  held = false;

  constructor(readonly name: string) {}

  async handle(events: readonly ConsumedEvent[], tx: ConsumerTransaction): Promise<void> {
    for (const event of events) {
      if (event.id === this.alwaysFailOn) throw new TypeError('cannot read properties of undefined');
      if (event.id === this.holdAt) {
        this.holdAt = undefined;
        this.held = true;
        this.gate = new Promise((resolve) => (this.open = resolve));
        await this.gate;
      }
    }
    await tx.query('SELECT 1');
    this.seen.push(...events);
  }

  release(): void {
    this.open?.();
  }
}

/** A gate a test opens when it is ready: `wait()` resolves once `open()` was called. */
function gate(): { wait: () => Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { wait: () => opened, open: () => open() };
}

/** The store, with every call of readAll and subscribe counted: the reads the consumers make through the port. */
function counting(store: PostgresEventStore): { store: EventStore; calls: { readAll: number; subscribe: number } } {
  const calls = { readAll: 0, subscribe: 0 };
  const proxy = new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (property === 'readAll' || property === 'subscribe') {
        return (...args: unknown[]) => {
          calls[property]++;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { store: proxy, calls };
}

/**
 * The store, with the answer to the first readAll held back until the test opens `held`: a consumer's
 * own last read finishes only after the feed has gone further. `holding()` is false once it was asked.
 */
function holdingFirstRead(store: PostgresEventStore): { store: EventStore; held: ReturnType<typeof gate>; holding: () => boolean } {
  const held = gate();
  let holding = true;
  const proxy = new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (property === 'readAll') {
        return async (...args: unknown[]) => {
          const batch = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          if (holding) {
            holding = false;
            await held.wait();
          }
          return batch;
        };
      }
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { store: proxy, held, holding: () => holding };
}

async function until(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('ConsumerGroup: one shared read of the log', () => {
  let database: TestDatabase;
  let postgres: PostgresEventStore;
  let lastAppended = 0n;

  beforeAll(async () => {
    database = await createTestDatabase({ max: 30 });
    postgres = new PostgresEventStore(database.pool, { pollIntervalMs: 50 });
  });
  afterAll(async () => {
    await postgres.close();
    await database.drop();
  });

  /** Appends one event per id given (or per new id), one append each. */
  async function append(n: number | readonly string[]): Promise<string[]> {
    const ids = typeof n === 'number' ? Array.from({ length: n }, () => randomUUID()) : [...n];
    for (const [i, id] of ids.entries()) {
      const { position } = await postgres.append(`nomination-${randomUUID()}`, [{ id, ...withdrawn(i) }], 'no_stream');
      if (position > lastAppended) lastAppended = position;
    }
    return ids;
  }
  const newIds = (n: number): string[] => Array.from({ length: n }, () => randomUUID());

  async function setCheckpoint(name: string, position: bigint | null): Promise<void> {
    await database.pool.query(
      'INSERT INTO subscription_checkpoints (name, position) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET position = EXCLUDED.position',
      // Nothing appended yet (a test run alone): from the start.
      [name, position === null || position === 0n ? null : position.toString()],
    );
  }

  const idsOf = (consumer: Recorder): string[] => consumer.seen.map((e) => e.id);

  it('reads and decodes each batch once for every consumer, from different checkpoints, each receiving its events exactly once', async () => {
    const early = await append(12);
    const middle = lastAppended;
    const late = await append(12);
    const head = lastAppended;
    const { store, calls } = counting(postgres);
    const consumers = Array.from({ length: 6 }, (_, i) => new Recorder(`shared-${i}-${randomUUID()}`));
    // Two from the start of the log (this file's log), two from its middle, two at its head.
    await setCheckpoint(consumers[2]!.name, middle);
    await setCheckpoint(consumers[3]!.name, middle);
    await setCheckpoint(consumers[4]!.name, head);
    await setCheckpoint(consumers[5]!.name, head);
    const group = new ConsumerGroup(database.pool, store, logger, { batchSize: 5, standbyRetryMs: 50 });
    for (const consumer of consumers) group.add(consumer);
    group.start();
    try {
      await group.waitForAll(head, 20_000);
      await until(() => group.all.every((s) => s.isFed));
      const catchUpReads = calls.readAll;

      // Live: 15 appends, each awaited by every consumer.
      const live: string[] = [];
      for (let i = 0; i < 15; i++) {
        live.push(...(await append(1)));
        await group.waitForAll(lastAppended, 20_000);
      }

      // One subscription for all six consumers, and no consumer read the log by itself once it had joined.
      expect(calls.subscribe).toBe(1);
      expect(calls.readAll).toBe(catchUpReads);
      expect(group.feed.batchesRead).toBeGreaterThanOrEqual(1);
      for (const [i, consumer] of consumers.entries()) {
        const expected = [...(i < 2 ? early : []), ...(i < 4 ? late : []), ...live];
        // In log order, each exactly once (the earlier tests' log, for the first two, is all of `early`).
        expect(idsOf(consumer).filter((id) => expected.includes(id))).toEqual(expected);
        expect(new Set(idsOf(consumer)).size).toBe(consumer.seen.length);
      }
      // Decoded once: every consumer received the very same object for a live event.
      for (const id of live) {
        const objects = new Set(consumers.map((c) => c.seen.find((e) => e.id === id)));
        expect(objects.size).toBe(1);
      }
    } finally {
      await group.stop();
    }
  }, 60_000);

  it('lets a consumer added later (a new projection) catch up by itself and then join the shared read', async () => {
    const before = await append(8);
    const group = new ConsumerGroup(database.pool, postgres, logger, { batchSize: 3, standbyRetryMs: 50 });
    const running = group.add(new Recorder(`running-${randomUUID()}`));
    await setCheckpoint(running.name, lastAppended);
    group.start();
    try {
      await until(() => running.isFed);
      const added = new Recorder(`added-${randomUUID()}`);
      const subscriber = group.add(added);
      const during = await append(4);
      await group.waitForAll(lastAppended, 20_000);
      await until(() => subscriber.isFed);
      const after = await append(3);
      await group.waitForAll(lastAppended, 20_000);
      const all = [...before, ...during, ...after];
      expect(idsOf(added).filter((id) => all.includes(id))).toEqual(all);
      expect(new Set(idsOf(added)).size).toBe(added.seen.length);
    } finally {
      await group.stop();
    }
  });

  it('lets a failing consumer leave, skip the event it keeps failing on by itself, and join again; the others go on', async () => {
    const group = new ConsumerGroup(database.pool, postgres, logger, { batchSize: 4, standbyRetryMs: 50, maxRetryDelayMs: 20 });
    const failing = new Recorder(`failing-${randomUUID()}`);
    const healthy = new Recorder(`healthy-${randomUUID()}`);
    const failingRunner = group.add(failing);
    group.add(healthy);
    await setCheckpoint(failing.name, lastAppended);
    await setCheckpoint(healthy.name, lastAppended);
    group.start();
    try {
      await until(() => group.all.every((s) => s.isFed));
      const ids = newIds(6);
      failing.alwaysFailOn = ids[3];
      await append(ids);
      await group.waitForAll(lastAppended, 20_000);
      const more = await append(3);
      await group.waitForAll(lastAppended, 20_000);
      await until(() => failingRunner.isFed);
      expect(idsOf(healthy)).toEqual([...ids, ...more]);
      expect(idsOf(failing)).toEqual([...ids.filter((id) => id !== ids[3]), ...more]);
      const { rows } = await database.pool.query<{ event_id: string }>('SELECT event_id FROM subscription_skipped_events WHERE name = $1', [failing.name]);
      expect(rows).toEqual([{ event_id: ids[3] }]);
    } finally {
      await group.stop();
    }
  });

  it('does not let a consumer stuck in a batch hold up the others; it catches up once it is free', async () => {
    // A short grace for the test: how long the others wait is not what is tested, only that they go on.
    const group = new ConsumerGroup(database.pool, postgres, logger, { standbyRetryMs: 50, batchSize: 1, slowMemberMs: 20 });
    const stuck = new Recorder(`stuck-${randomUUID()}`);
    const others = [new Recorder(`other-a-${randomUUID()}`), new Recorder(`other-b-${randomUUID()}`)];
    for (const c of [stuck, ...others]) {
      group.add(c);
      await setCheckpoint(c.name, lastAppended);
    }
    group.start();
    try {
      await until(() => group.all.every((s) => s.isFed));
      // Six events of one append (one transaction), read one per batch. The stuck consumer's open
      // transaction holds back the snapshot's xmin, so only events committed before it began can be
      // read meanwhile, by anyone: these are.
      const ids = newIds(6);
      stuck.holdAt = ids[0];
      const { position } = await postgres.append(`nomination-${randomUUID()}`, ids.map((id, i) => ({ id, ...withdrawn(i) })), 'no_stream');
      lastAppended = position;
      await until(() => stuck.held);
      // While it is stuck, the others take batch after batch from the shared read.
      await Promise.all(others.map((c) => group.subscriber(c.name).waitFor(position, 20_000)));
      expect(stuck.seen).toEqual([]);
      expect(group.subscriber(stuck.name).isFed).toBe(false);
      stuck.release();
      await group.waitForAll(position, 20_000);
      await until(() => group.subscriber(stuck.name).isFed);
      for (const c of [stuck, ...others]) expect(idsOf(c)).toEqual(ids);
    } finally {
      stuck.release();
      await group.stop();
    }
  });

  /**
   * A consumer (`late`) that joins the shared read behind it: its own last read, which saw none of
   * `between`, is answered only after the feed has handed `between` to `fed`.
   */
  async function joinedBehind(): Promise<{ group: ConsumerGroup; fed: Recorder; late: Recorder; runner: DurableSubscriber; between: string[]; close: () => Promise<void> }> {
    const group = new ConsumerGroup(database.pool, postgres, logger, { standbyRetryMs: 50 });
    const fed = new Recorder(`ahead-${randomUUID()}`);
    group.add(fed);
    await setCheckpoint(fed.name, lastAppended);
    group.start();
    const late = new Recorder(`behind-${randomUUID()}`);
    await setCheckpoint(late.name, lastAppended);
    const { store: slowStore, held, holding } = holdingFirstRead(postgres);
    const runner = new DurableSubscriber(database.pool, slowStore, late, logger, { standbyRetryMs: 50, feed: group.feed });
    const close = async (): Promise<void> => {
      held.open();
      await runner.stop();
      await group.stop();
    };
    try {
      await until(() => group.subscriber(fed.name).isFed);
      runner.start();
      await until(() => !holding());
      const between = await append(3);
      await group.waitForAll(lastAppended);
      held.open();
      return { group, fed, late, runner, between, close };
    } catch (error) {
      await close();
      throw error;
    }
  }

  it('hands a consumer that joined behind the shared read the events in between, read by itself, once each', async () => {
    const { group, fed, late, runner, between, close } = await joinedBehind();
    try {
      await until(() => runner.isFed);
      const next = await append(2);
      await runner.waitFor(lastAppended, 20_000);
      await group.waitForAll(lastAppended);
      expect(idsOf(late)).toEqual([...between, ...next]);
      expect(idsOf(fed)).toEqual([...between, ...next]);
    } finally {
      await close();
    }
  });

  it('catches up a consumer that joined behind the shared read while nothing more is appended (a quiet log)', async () => {
    const { fed, late, runner, between, close } = await joinedBehind();
    try {
      // Nothing else is appended: the late consumer must still reach the events it joined behind.
      await runner.waitFor(lastAppended, 20_000);
      expect(idsOf(late)).toEqual(between);
      expect(idsOf(fed)).toEqual(between);
    } finally {
      await close();
    }
  });

  it('hands a consumer that joined ahead of the shared read only what lies after its own checkpoint', async () => {
    const feedHeld = gate();
    let holdFeed = false;
    let feedWaiting = false;
    // The shared read's deliveries wait at the gate while `holdFeed` is set.
    const gatedStore = new Proxy(postgres, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver) as unknown;
        if (property === 'subscribe') {
          return (handler: { onEvents: (events: readonly unknown[]) => Promise<void> }, options: unknown) =>
            target.subscribe({
              ...handler,
              onEvents: async (events: readonly unknown[]) => {
                if (holdFeed) {
                  feedWaiting = true;
                  await feedHeld.wait();
                }
                await handler.onEvents(events as never);
              },
            } as never, options as never);
        }
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const group = new ConsumerGroup(database.pool, gatedStore, logger, { standbyRetryMs: 50 });
    const fed = new Recorder(`slow-feed-${randomUUID()}`);
    group.add(fed);
    await setCheckpoint(fed.name, lastAppended);
    group.start();
    const early = new Recorder(`early-${randomUUID()}`);
    await setCheckpoint(early.name, lastAppended);
    const runner = new DurableSubscriber(database.pool, postgres, early, logger, { standbyRetryMs: 50, feed: group.feed });
    try {
      await until(() => group.subscriber(fed.name).isFed);
      holdFeed = true;
      const first = await append(2);
      await until(() => feedWaiting);
      // Reads by itself past where the feed is, and joins there.
      runner.start();
      await runner.waitFor(lastAppended, 20_000);
      await until(() => runner.isFed);
      holdFeed = false;
      feedHeld.open();
      const next = await append(2);
      await group.waitForAll(lastAppended, 20_000);
      await runner.waitFor(lastAppended, 20_000);
      expect(idsOf(early)).toEqual([...first, ...next]);
      expect(idsOf(fed)).toEqual([...first, ...next]);
    } finally {
      feedHeld.open();
      await runner.stop();
      await group.stop();
    }
  });

  it('shares the read on any store of the port (the in-memory one here), each consumer from its own checkpoint', async () => {
    const memory = new InMemoryEventStore();
    const append = async (n: number): Promise<{ ids: string[]; last: bigint }> => {
      const ids = newIds(n);
      let last = 0n;
      for (const [i, id] of ids.entries()) last = (await memory.append(`nomination-${randomUUID()}`, [{ id, ...withdrawn(i) }], 'no_stream')).position;
      return { ids, last };
    };
    const first = await append(5);
    const consumers = [0, 1, 2].map((i) => new Recorder(`memory-${i}-${randomUUID()}`));
    await setCheckpoint(consumers[1]!.name, first.last);
    const group = new ConsumerGroup(database.pool, memory, logger, { batchSize: 2, standbyRetryMs: 50 });
    for (const c of consumers) group.add(c);
    group.start();
    try {
      await group.waitForAll(first.last, 20_000);
      await until(() => group.all.every((s) => s.isFed));
      const second = await append(4);
      await group.waitForAll(second.last, 20_000);
      expect(idsOf(consumers[0]!)).toEqual([...first.ids, ...second.ids]);
      expect(idsOf(consumers[1]!)).toEqual(second.ids);
      expect(idsOf(consumers[2]!)).toEqual([...first.ids, ...second.ids]);
    } finally {
      await group.stop();
      await memory.close();
    }
  });

  it('resumes from a checkpoint someone else moved (a rebuild swap) while the consumer was fed', async () => {
    const group = new ConsumerGroup(database.pool, postgres, logger, { standbyRetryMs: 50 });
    const moved = new Recorder(`moved-${randomUUID()}`);
    const other = new Recorder(`unmoved-${randomUUID()}`);
    group.add(moved);
    group.add(other);
    await setCheckpoint(moved.name, lastAppended);
    await setCheckpoint(other.name, lastAppended);
    group.start();
    try {
      await until(() => group.all.every((s) => s.isFed));
      const first = await append(1);
      await group.waitForAll(lastAppended);
      const locker = await database.pool.connect();
      await locker.query('BEGIN');
      await locker.query('SELECT 1 FROM subscription_checkpoints WHERE name = $1 FOR UPDATE', [moved.name]);
      const skipped = await append(2);
      await locker.query('UPDATE subscription_checkpoints SET position = $2 WHERE name = $1', [moved.name, lastAppended.toString()]);
      await locker.query('COMMIT');
      locker.release();
      const next = await append(1);
      await group.waitForAll(lastAppended, 20_000);
      await until(() => group.subscriber(moved.name).isFed);
      expect(idsOf(moved)).toEqual([...first, ...next]);
      expect(idsOf(other)).toEqual([...first, ...skipped, ...next]);
    } finally {
      await group.stop();
    }
  });
});

describe('ConsumerGroup killed in the middle of handing batches out', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;
  const children = new Set<ChildProcess>();
  const names = ['fan-a', 'fan-b', 'fan-c', 'fan-d', 'fan-e'];

  beforeAll(async () => {
    database = await createTestDatabase({ max: 20 });
    store = new PostgresEventStore(database.pool, { pollIntervalMs: 20 });
    for (const name of names) await database.pool.query(createRowTableSql(name));
  });
  afterEach(() => {
    for (const child of children) child.kill('SIGKILL');
  });
  afterAll(async () => {
    await store.close();
    await database.drop();
  });

  function startRunner(): Promise<ChildProcess> {
    const env = { DATABASE_URL: database.url, CONSUMERS: names.join(','), BATCH_SIZE: String(2 + Math.floor(Math.random() * 6)) };
    return startReadyChild('libs/platform/src/testing/fan-out-runner.ts', env, children);
  }

  it('leaves every consumer with each event exactly once, whichever consumer was mid-batch when it died', async () => {
    const appended: { id: string; position: bigint }[] = [];
    const appendSome = async (n: number): Promise<void> => {
      await Promise.all(Array.from({ length: 4 }, async () => {
        for (let i = 0; i < n / 4; i++) {
          const id = randomUUID();
          const { position } = await store.append(`nomination-${randomUUID()}`, [{ id, ...withdrawn(i) }], 'no_stream');
          appended.push({ id, position });
        }
      }));
    };
    // Consumers start at different checkpoints: two from the start, the rest after a first stretch.
    await appendSome(20);
    const head = appended.reduce((max, e) => (e.position > max ? e.position : max), 0n);
    for (const name of names.slice(2)) {
      await database.pool.query('INSERT INTO subscription_checkpoints (name, position) VALUES ($1, $2)', [name, head.toString()]);
    }
    const startsAfter = new Map<string, bigint>(names.map((name, i) => [name, i < 2 ? -1n : head]));
    for (let run = 0; run < 6; run++) {
      const child = await startRunner();
      const appending = appendSome(40);
      await new Promise((resolve) => setTimeout(resolve, 30 + Math.random() * 300));
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
      await appending;
    }
    const last = appended.reduce((max, e) => (e.position > max ? e.position : max), 0n);
    const group = new ConsumerGroup(database.pool, store, logger, { standbyRetryMs: 50 });
    for (const name of names) group.add(new RowPerEventConsumer(name));
    group.start();
    try {
      await group.waitForAll(last, 60_000);
    } finally {
      await group.stop();
    }
    for (const name of names) {
      const { rows } = await database.pool.query<{ event_id: string; n: string }>(`SELECT event_id, count(*) AS n FROM ${rowTableOf(name)} GROUP BY event_id`);
      const after = startsAfter.get(name)!;
      const expected = appended.filter((e) => e.position > after).map((e) => e.id).sort();
      expect({ name, doubled: rows.filter((r) => r.n !== '1').length }).toEqual({ name, doubled: 0 });
      expect({ name, ids: rows.map((r) => r.event_id).sort() }).toEqual({ name, ids: expected });
    }
  }, 180_000);
});
