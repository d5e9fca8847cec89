import type { PoolClient } from 'pg';
import { createTestDatabase, type TestDatabase } from '@app/database/testing';
import { testEvent, testStreamId } from '@app/event-store/testing';
import { PostgresEventStore, type ExpectedRevision, type NewEvent, type RecordedEvent } from '@app/event-store';
import { prepareAppend } from '../append-validation';
import { appendQuery } from './postgres-append-sql';
import { PostgresSubscription } from './postgres-subscription';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase({ max: 20 });
});

afterAll(async () => {
  await database?.drop();
});

/** Appends through the store's own INSERT on a client the test controls, so it can hold it open. */
async function appendOn(client: PoolClient, streamId: string, events: NewEvent[], expected: ExpectedRevision) {
  const { rows } = await client.query<{ position: string }>(appendQuery(streamId, prepareAppend(streamId, events, expected), expected));
  return BigInt(rows.at(-1)!.position);
}

async function openTransaction(): Promise<PoolClient> {
  const client = await database.pool.connect();
  await client.query('BEGIN');
  return client;
}

async function finish(client: PoolClient, how: 'COMMIT' | 'ROLLBACK'): Promise<void> {
  try {
    await client.query(how);
  } finally {
    client.release();
  }
}

/**
 * A subscription whose reads the test can count, so it can say "the subscriber has read the log twice
 * since then and still not delivered X" without waiting for a length of time.
 */
function countingSubscription(store: PostgresEventStore, after: bigint | undefined, streams: ReadonlySet<string>) {
  const received: RecordedEvent[] = [];
  let reads = 0;
  const readWaiters: { target: number; resolve: () => void }[] = [];
  const subscription = new PostgresSubscription(
    {
      readAll: async (from, limit) => {
        const batch = await store.readAll({ after: from, limit });
        reads++;
        for (const waiter of readWaiters.splice(0)) {
          if (reads >= waiter.target) waiter.resolve();
          else readWaiters.push(waiter);
        }
        return batch;
      },
      onAppended: () => async () => undefined,
      committedHead: async () => undefined,
    },
    { onEvents: async (events) => void received.push(...events.filter((e) => streams.has(e.streamId))) },
    { after, batchSize: 1000, pollIntervalMs: 20 },
  );
  return {
    received,
    subscription,
    /** Resolves once the subscription has completed `count` more reads of the log. */
    moreReads: (count: number) => new Promise<void>((resolve) => readWaiters.push({ target: reads + count, resolve })),
  };
}

describe('PostgreSQL subscriptions and late commits', () => {
  let store: PostgresEventStore;

  beforeEach(() => {
    store = new PostgresEventStore(database.pool, { pollIntervalMs: 50 });
  });

  afterEach(async () => {
    await store.close();
  });

  it('holds back everything after a transaction still open, then delivers it all once, in order', async () => {
    const start = await store.headPosition();
    const held = testStreamId();
    const others = [testStreamId(), testStreamId(), testStreamId()];
    const streams = new Set([held, ...others]);
    const reader = countingSubscription(store, start, streams);
    const heldEvent = testEvent('Held');

    const holder = await openTransaction();
    let committed = false;
    try {
      const heldPosition = await appendOn(holder, held, [heldEvent], 'no_stream');
      const later: bigint[] = [];
      for (const stream of others) later.push((await store.append(stream, [testEvent('Later')], 'no_stream')).position);
      expect(later.every((p) => p > heldPosition)).toBe(true);

      // The later events are committed and visible to any query, yet neither readAll nor the
      // subscriber hands them out: they sit after a transaction that has not finished.
      const visible = await database.pool.query('SELECT count(*)::int AS n FROM events WHERE stream_id = ANY($1)', [others]);
      expect(visible.rows[0].n).toBe(3);
      const page = await store.readAll({ after: start, limit: 1000 });
      expect(page.events.filter((e) => streams.has(e.streamId))).toEqual([]);
      await reader.moreReads(2);
      expect(reader.received).toEqual([]);
      expect(reader.subscription.position === start || reader.subscription.position! < heldPosition).toBe(true);

      await finish(holder, 'COMMIT');
      committed = true;
      await reader.subscription.waitFor(later.at(-1)!);

      expect(reader.received.map((e) => e.streamId)).toEqual([held, ...others]);
      expect(reader.received[0]!.id).toBe(heldEvent.id);
      const all = await store.readAll({ after: start, limit: 1000 });
      expect(all.events.filter((e) => streams.has(e.streamId)).map((e) => e.id)).toEqual(reader.received.map((e) => e.id));
    } finally {
      if (!committed) await finish(holder, 'ROLLBACK');
      await reader.subscription.stop();
    }
  });

  it('loses nothing when the held transaction rolls back instead', async () => {
    const start = await store.headPosition();
    const stream = testStreamId();
    const holder = await openTransaction();
    await appendOn(holder, stream, [testEvent('RolledBack')], 'no_stream');
    const after = await store.append(testStreamId(), [testEvent('Later')], 'no_stream');
    const reader = countingSubscription(store, start, new Set([stream]));
    await reader.moreReads(1);

    await finish(holder, 'ROLLBACK');
    await reader.subscription.waitFor(after.position);

    expect(reader.received).toEqual([]);
    await reader.subscription.stop();
  });

  it('never skips a younger transaction that commits after an older one that inserted later', async () => {
    // The order a sequence would get wrong: the older transaction has its id first but inserts last,
    // and commits while the younger one is still open. With sequence positions the younger event
    // would sit below the older one and be passed by a reader that already took the older one.
    const start = await store.headPosition();
    const older = await openTransaction();
    const younger = await openTransaction();
    const olderStream = testStreamId();
    const youngerStream = testStreamId();
    const streams = new Set([olderStream, youngerStream]);
    try {
      await older.query('SELECT pg_current_xact_id()');
      const youngerPosition = await appendOn(younger, youngerStream, [testEvent('Younger')], 'no_stream');
      const olderPosition = await appendOn(older, olderStream, [testEvent('Older')], 'no_stream');
      await finish(older, 'COMMIT');

      expect(olderPosition).toBeLessThan(youngerPosition);
      // The reader takes the older event (once every transaction older than it has ended, on the whole
      // server) while the younger one is still open, and so moves its checkpoint past the older one.
      const reader = countingSubscription(store, start, streams);
      await reader.subscription.waitFor(olderPosition);
      expect(reader.received.map((e) => e.streamId)).toEqual([olderStream]);

      await finish(younger, 'COMMIT');
      await reader.subscription.waitFor(youngerPosition);
      await reader.subscription.stop();

      expect(reader.received.map((e) => e.streamId)).toEqual([olderStream, youngerStream]);
    } catch (error) {
      for (const client of [older, younger]) {
        await client.query('ROLLBACK').catch(() => undefined);
        try {
          client.release();
        } catch {
          // Already released by finish().
        }
      }
      throw error;
    }
  });

  it('delivers across racing writers even while transactions hold the horizon back', async () => {
    const start = await store.headPosition();
    const streams = Array.from({ length: 12 }, () => testStreamId());
    const received: RecordedEvent[] = [];
    const subscription = store.subscribe(
      { onEvents: async (events) => void received.push(...events.filter((e) => streams.includes(e.streamId))) },
      { after: start, batchSize: 7 },
    );
    const holders = await Promise.all([openTransaction(), openTransaction()]);
    let highest = 0n;
    try {
      const [heldA, heldB] = await Promise.all([
        appendOn(holders[0]!, streams[0]!, [testEvent('Held')], 'no_stream'),
        appendOn(holders[1]!, streams[1]!, [testEvent('Held'), testEvent('Held')], 'no_stream'),
      ]);
      highest = heldA > heldB ? heldA : heldB;
      await Promise.all(
        streams.slice(2).map(async (stream, i) => {
          let expected: ExpectedRevision = 'no_stream';
          for (let n = 0; n < 6; n++) {
            const result = await store.append(stream, [testEvent('Racing')], expected);
            expected = result.nextRevision;
            if (result.position > highest) highest = result.position;
            if (i === 3 && n === 2) await finish(holders[1]!, 'COMMIT');
          }
        }),
      );
      await finish(holders[0]!, 'COMMIT');
      await subscription.waitFor(highest);
    } finally {
      await subscription.stop();
    }

    const ids = received.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(received).toHaveLength(1 + 2 + 10 * 6);
    for (let i = 1; i < received.length; i++) expect(received[i]!.position > received[i - 1]!.position).toBe(true);
  });
});

describe('PostgreSQL live delivery', () => {
  it('wakes a subscriber in another store through LISTEN/NOTIFY, and again after the listener reconnects', async () => {
    // The reader polls once a minute: within the waits below, only a notification can wake it.
    const writer = new PostgresEventStore(database.pool);
    const reader = new PostgresEventStore(database.pool, { pollIntervalMs: 60_000, listenerReconnectDelayMs: 20 });
    const stream = testStreamId();
    const received: RecordedEvent[] = [];
    const subscription = reader.subscribe(
      { onEvents: async (events) => void received.push(...events.filter((e) => e.streamId === stream)) },
      { after: await writer.headPosition() },
    );
    try {
      await until(() => reader.notificationListener!.connections === 1);
      const first = await writer.append(stream, [testEvent()], 'no_stream');
      await subscription.waitFor(first.position, 5_000);

      const terminated = await database.pool.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = current_database() AND query LIKE 'LISTEN%' AND pid <> pg_backend_pid()`,
      );
      expect(terminated.rowCount).toBeGreaterThanOrEqual(1);
      // Appended while nobody listens: the reconnection itself must make the subscriber read.
      const missed = await writer.append(stream, [testEvent()], 0);
      await until(() => reader.notificationListener!.connections >= 2);
      await subscription.waitFor(missed.position, 5_000);

      const after = await writer.append(stream, [testEvent()], 1);
      await subscription.waitFor(after.position, 5_000);
      expect(received.map((e) => e.revision)).toEqual([0, 1, 2]);
    } finally {
      await subscription.stop();
      await Promise.all([reader.close(), writer.close()]);
    }
  });

  it('falls back to polling when notifications are off', async () => {
    const writer = new PostgresEventStore(database.pool, { notifyChannel: null });
    const reader = new PostgresEventStore(database.pool, { notifyChannel: null, pollIntervalMs: 30 });
    const stream = testStreamId();
    const subscription = reader.subscribe({ onEvents: async () => undefined }, { after: await reader.headPosition() });
    try {
      const result = await writer.append(stream, [testEvent()], 'no_stream');
      await subscription.waitFor(result.position, 5_000);
      expect(reader.notificationListener).toBeUndefined();
    } finally {
      await subscription.stop();
      await Promise.all([reader.close(), writer.close()]);
    }
  });

  it('keeps its checkpoint and carries on when its connections are killed', async () => {
    const store = new PostgresEventStore(database.pool, { pollIntervalMs: 30 });
    const stream = testStreamId();
    const received: RecordedEvent[] = [];
    const subscription = store.subscribe(
      { onEvents: async (events) => void received.push(...events.filter((e) => e.streamId === stream)) },
      { after: await store.headPosition() },
    );
    try {
      const first = await store.append(stream, [testEvent()], 'no_stream');
      await subscription.waitFor(first.position);
      await database.pool.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
      );
      const second = await appendRetrying(store, stream, 0);
      await subscription.waitFor(second, 10_000);
      expect(received.map((e) => e.revision)).toEqual([0, 1]);
    } finally {
      await subscription.stop();
      await store.close();
    }
  });
});

/** Appends, retrying while the pool discovers that its connections were terminated. */
async function appendRetrying(store: PostgresEventStore, stream: string, expected: number): Promise<bigint> {
  const events = [testEvent()];
  for (let attempt = 1; ; attempt++) {
    try {
      return (await store.append(stream, events, expected)).position;
    } catch (error) {
      if (attempt >= 5) throw error;
    }
  }
}

/** Waits for a condition on the listener's state; it has no event to await. */
async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
