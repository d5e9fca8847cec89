/**
 * Checkpoints belong to one log: the DurableSubscriber stores each with its event store's identity and
 * refuses, with a clear error and without delivering anything, a checkpoint of another log (the service
 * switched stores on the same database) or one past the log's end (a log wiped or restored from an
 * older backup). Every consumer run by the ConsumerHost goes through this path.
 */
import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@app/database/testing';
import { copyEventStore, EventStoreFailure, InMemoryEventStore, PostgresEventStore, type EventStore } from '@app/event-store';
import { createRootLogger } from '@app/observability';
import { CheckpointMismatch, type ConsumedEvent, DurableSubscriber, type DurableConsumer } from './durable-subscriber';

const logger = createRootLogger({ level: 'silent', service: 'test' });

class RecordingConsumer implements DurableConsumer {
  readonly categories = ['nomination'] as const;
  readonly seen: string[] = [];
  constructor(readonly name: string) {}
  async handle(events: readonly ConsumedEvent[]): Promise<void> {
    this.seen.push(...events.map((e) => e.id));
  }
}

const withdrawn = (i: number) => ({
  id: randomUUID(),
  type: 'NominationWithdrawn',
  data: {
    schemaVersion: 1, at: new Date(Date.UTC(2023, 0, 1, 0, 0, i)).toISOString(), by: { id: 'u', name: 'Lò Văn A', unit: '03814', roles: ['proposer'] },
    fromStatus: 'draft', stageIndex: null, reason: `lần ${i}`,
  },
});

async function appendMany(store: EventStore, n: number): Promise<{ ids: string[]; last: bigint }> {
  const ids: string[] = [];
  let last = 0n;
  for (let i = 0; i < n; i++) {
    const event = withdrawn(i);
    ids.push(event.id);
    last = (await store.append(`nomination-${randomUUID()}`, [event], 'no_stream')).position;
  }
  return { ids, last };
}

/**
 * The PostgreSQL log's head trails a commit while any transaction in the cluster is still open (other
 * test runs share it): wait until `position` is visible, as every reader of the log does.
 */
async function visible(store: EventStore, position: bigint): Promise<bigint> {
  for (const started = Date.now(); ; ) {
    const head = await store.headPosition();
    if (head !== undefined && head >= position) return head;
    if (Date.now() - started > 20_000) throw new Error(`position ${position} not visible in time`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Starts a subscriber and resolves with the first reason it gives for not following. */
function firstInterruption(subscriber: { start(): void }, options: { interrupted: Promise<unknown> }): Promise<unknown> {
  subscriber.start();
  return options.interrupted;
}

function interruptions(): { interrupted: Promise<unknown>; onInterrupted: (error: unknown) => void } {
  let resolve!: (error: unknown) => void;
  const interrupted = new Promise<unknown>((r) => (resolve = r));
  return { interrupted, onInterrupted: (error) => resolve(error) };
}

describe('DurableSubscriber checkpoints keyed by the event store', () => {
  let database: TestDatabase;
  let postgres: PostgresEventStore;
  const subscribers: DurableSubscriber[] = [];

  beforeAll(async () => {
    database = await createTestDatabase({ max: 10 });
    postgres = new PostgresEventStore(database.pool, { pollIntervalMs: 50 });
  });
  afterEach(async () => {
    await Promise.all(subscribers.splice(0).map((s) => s.stop()));
  });
  afterAll(async () => {
    await postgres.close();
    await database.drop();
  });

  const checkpointOf = async (name: string) =>
    (await database.pool.query<{ position: string | null; store_id: string | null }>('SELECT position, store_id FROM subscription_checkpoints WHERE name = $1', [name])).rows[0];

  it('stores every checkpoint with the identity of the log it was read from', async () => {
    const name = `consumer-${randomUUID()}`;
    const consumer = new RecordingConsumer(name);
    const subscriber = new DurableSubscriber(database.pool, postgres, consumer, logger, { standbyRetryMs: 50 });
    subscribers.push(subscriber);
    subscriber.start();
    const { ids, last } = await appendMany(postgres, 3);
    await subscriber.waitFor(last);
    expect(consumer.seen).toEqual(expect.arrayContaining(ids));
    expect(await checkpointOf(name)).toEqual({ position: last.toString(), store_id: await postgres.identity() });
    expect(await postgres.identity()).toMatch(/^postgresql:[0-9a-f-]{36}$/);
  });

  it('refuses to resume on another store with a clear error, delivering and storing nothing', async () => {
    const name = `consumer-${randomUUID()}`;
    const first = new DurableSubscriber(database.pool, postgres, new RecordingConsumer(name), logger, { standbyRetryMs: 50 });
    first.start();
    const { last } = await appendMany(postgres, 2);
    await first.waitFor(last);
    await first.stop();
    const before = await checkpointOf(name);

    // The same database, the service switched to another store holding a copy of the log.
    const other = new InMemoryEventStore();
    await copyEventStore(postgres, other, { until: await postgres.headPosition() });
    const consumer = new RecordingConsumer(name);
    const watch = interruptions();
    const switched = new DurableSubscriber(database.pool, other, consumer, logger, { standbyRetryMs: 50, onInterrupted: watch.onInterrupted });
    subscribers.push(switched);
    const error = await firstInterruption(switched, watch);

    expect(error).toBeInstanceOf(CheckpointMismatch);
    expect((error as Error).message).toContain(await postgres.identity());
    expect((error as Error).message).toContain(await other.identity());
    expect((error as Error).message).toMatch(/Switching stores/);
    expect(consumer.seen).toEqual([]);
    expect(await checkpointOf(name)).toEqual(before);
    await other.close();
  });

  it("refuses a checkpoint past the end of its store's log", async () => {
    const name = `consumer-${randomUUID()}`;
    const { last } = await appendMany(postgres, 1);
    await visible(postgres, last);
    const end = (await postgres.endPosition())!;
    expect(end >= last).toBe(true);
    // As after restoring the log from an older backup: the checkpoint is of this log, but later.
    await database.pool.query('INSERT INTO subscription_checkpoints (name, position, store_id) VALUES ($1, $2, $3)', [name, (end + 1_000_000n).toString(), await postgres.identity()]);
    const consumer = new RecordingConsumer(name);
    const watch = interruptions();
    const subscriber = new DurableSubscriber(database.pool, postgres, consumer, logger, { standbyRetryMs: 50, onInterrupted: watch.onInterrupted });
    subscribers.push(subscriber);
    const error = await firstInterruption(subscriber, watch);
    expect(error).toBeInstanceOf(CheckpointMismatch);
    expect((error as Error).message).toMatch(/past the end/);
    expect(consumer.seen).toEqual([]);
  });

  it('takes a checkpoint stored before checkpoints named their log as this log\'s when it lies within it, and refuses it otherwise', async () => {
    const within = `consumer-${randomUUID()}`;
    const beyond = `consumer-${randomUUID()}`;
    const { last } = await appendMany(postgres, 1);
    // A checkpoint a consumer stored is always a position it had seen: a visible one.
    await visible(postgres, last);
    await database.pool.query('INSERT INTO subscription_checkpoints (name, position) VALUES ($1, $2), ($3, $4)', [within, last.toString(), beyond, (last + 10_000_000n).toString()]);

    const adopted = new DurableSubscriber(database.pool, postgres, new RecordingConsumer(within), logger, { standbyRetryMs: 50 });
    subscribers.push(adopted);
    adopted.start();
    const next = await appendMany(postgres, 1);
    await adopted.waitFor(next.last);
    expect(await checkpointOf(within)).toEqual({ position: next.last.toString(), store_id: await postgres.identity() });

    const watch = interruptions();
    const refused = new DurableSubscriber(database.pool, postgres, new RecordingConsumer(beyond), logger, { standbyRetryMs: 50, onInterrupted: watch.onInterrupted });
    subscribers.push(refused);
    expect(await firstInterruption(refused, watch)).toBeInstanceOf(CheckpointMismatch);
    expect((await checkpointOf(beyond))?.store_id).toBeNull();
  });

  it('never skips an event because the event store refuses the service (access denied): it retries until the store accepts', async () => {
    const name = `consumer-${randomUUID()}`;
    const head = await postgres.headPosition();
    await database.pool.query('INSERT INTO subscription_checkpoints (name, position, store_id) VALUES ($1, $2, $3)', [name, head?.toString() ?? null, await postgres.identity()]);
    let refusals = 0;
    let refusing = true;
    const seen: string[] = [];
    const consumer: DurableConsumer = {
      name,
      categories: ['nomination'],
      handle: async (events) => {
        if (refusing) {
          refusals++;
          throw new EventStoreFailure('KurrentDB refused the append on decision-1: access denied');
        }
        seen.push(...events.map((e) => e.id));
      },
    };
    const subscriber = new DurableSubscriber(database.pool, postgres, consumer, logger, { standbyRetryMs: 50, maxRetryDelayMs: 20 });
    subscribers.push(subscriber);
    subscriber.start();
    const { ids, last } = await appendMany(postgres, 2);
    // Past the attempts after which a batch is retried event by event, where other failures get skipped.
    while (refusals < 6) await new Promise((resolve) => setTimeout(resolve, 10));
    const { rows } = await database.pool.query('SELECT 1 FROM subscription_skipped_events WHERE name = $1', [name]);
    expect(rows).toEqual([]);
    refusing = false;
    await subscriber.waitFor(last, 15_000);
    expect(seen).toEqual(ids);
  });

  it('replays the whole copied log on the other store when it runs with a database of its own (the documented switch)', async () => {
    const name = `consumer-${randomUUID()}`;
    const source = new RecordingConsumer(name);
    const onPostgres = new DurableSubscriber(database.pool, postgres, source, logger, { standbyRetryMs: 50 });
    subscribers.push(onPostgres);
    onPostgres.start();
    const { last } = await appendMany(postgres, 3);
    await onPostgres.waitFor(last);

    const other = new InMemoryEventStore();
    const copied = await copyEventStore(postgres, other, { until: await postgres.headPosition() });
    const fresh = await createTestDatabase({ max: 4 });
    try {
      const consumer = new RecordingConsumer(name);
      const onOther = new DurableSubscriber(fresh.pool, other, consumer, logger, { standbyRetryMs: 50 });
      onOther.start();
      await onOther.waitFor((await other.headPosition())!);
      await onOther.stop();
      // Everything the copy holds, from the start: the read model is built from the new log alone.
      expect(consumer.seen.length).toBe(copied.eventsRead);
      expect(consumer.seen).toEqual(expect.arrayContaining(source.seen));
      const row = (await fresh.pool.query<{ store_id: string }>('SELECT store_id FROM subscription_checkpoints WHERE name = $1', [name])).rows[0];
      expect(row?.store_id).toBe(await other.identity());
    } finally {
      await other.close();
      await fresh.drop();
    }
  });
});
