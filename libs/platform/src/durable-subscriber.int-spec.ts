import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@app/database/testing';
import { PostgresEventStore, type RecordedEvent } from '@app/event-store';
import { createRootLogger } from '@app/observability';
import { DurableSubscriber, type DurableConsumer } from './durable-subscriber';

const logger = createRootLogger({ level: 'silent', service: 'test' });

/** Records what it handled; can be told to crash on one event to simulate a process dying mid-batch. */
class RecordingConsumer implements DurableConsumer {
  readonly name: string;
  readonly seen: string[] = [];
  failOn: string | undefined;
  constructor(name: string) {
    this.name = name;
  }
  async handle(events: readonly RecordedEvent[]): Promise<void> {
    for (const event of events) {
      if (event.id === this.failOn) {
        this.failOn = undefined;
        throw new Error('simulated crash');
      }
      this.seen.push(event.id);
    }
  }
}

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('DurableSubscriber', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;

  beforeAll(async () => {
    database = await createTestDatabase({ max: 20 });
    store = new PostgresEventStore(database.pool, { pollIntervalMs: 50 });
  });
  afterAll(async () => {
    await store.close();
    await database.drop();
  });

  async function appendMany(n: number): Promise<{ ids: string[]; last: bigint }> {
    const ids: string[] = [];
    let last = 0n;
    for (let i = 0; i < n; i++) {
      const id = randomUUID();
      ids.push(id);
      last = (await store.append(`nomination-${randomUUID()}`, [{ id, type: 'TestEvent', data: { i } }], 'no_stream')).position;
    }
    return { ids, last };
  }

  it('runs one active instance across processes; a standby takes over from the checkpoint', async () => {
    const name = `consumer-${randomUUID()}`;
    const a = new RecordingConsumer(name);
    const b = new RecordingConsumer(name);
    const first = new DurableSubscriber(database.pool, store, a, logger, { standbyRetryMs: 50 });
    const second = new DurableSubscriber(database.pool, store, b, logger, { standbyRetryMs: 50 });
    first.start();
    await until(() => first.isActive);
    second.start();

    const batch1 = await appendMany(5);
    await first.waitFor(batch1.last);
    expect(second.isActive).toBe(false);
    expect(b.seen).toEqual([]);

    await first.stop();
    await until(() => second.isActive);
    const batch2 = await appendMany(5);
    await second.waitFor(batch2.last);
    await second.stop();

    // Between them, every event exactly once: nothing lost at the handover, nothing repeated.
    const all = [...a.seen, ...b.seen];
    for (const id of [...batch1.ids, ...batch2.ids]) expect(all.filter((x) => x === id)).toHaveLength(1);
    expect(b.seen).toEqual(expect.arrayContaining(batch2.ids));
  });

  it('hands over when the active instance loses its connection (a killed process)', async () => {
    const name = `consumer-${randomUUID()}`;
    const a = new RecordingConsumer(name);
    const b = new RecordingConsumer(name);
    const first = new DurableSubscriber(database.pool, store, a, logger, { standbyRetryMs: 50 });
    const second = new DurableSubscriber(database.pool, store, b, logger, { standbyRetryMs: 50 });
    first.start();
    await until(() => first.isActive);
    second.start();
    const batch1 = await appendMany(3);
    await first.waitFor(batch1.last);

    // Kill the lock holder's session from outside, as a dead process's connection would end.
    await database.pool.query(
      `SELECT pg_terminate_backend(l.pid) FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    await until(() => second.isActive, 15_000);
    const batch2 = await appendMany(3);
    await second.waitFor(batch2.last);
    expect(b.seen).toEqual(expect.arrayContaining(batch2.ids));
    await first.stop();
    await second.stop();
  });

  it('redelivers a batch whose handling crashed, from the last checkpoint', async () => {
    const consumer = new RecordingConsumer(`consumer-${randomUUID()}`);
    const batch = await appendMany(4);
    consumer.failOn = batch.ids[2];
    const subscriber = new DurableSubscriber(database.pool, store, consumer, logger, { standbyRetryMs: 50, batchSize: 1 });
    subscriber.start();
    await subscriber.waitFor(batch.last, 15_000);
    await subscriber.stop();
    for (const id of batch.ids) expect(consumer.seen).toContain(id);
    expect(consumer.seen.indexOf(batch.ids[3]!)).toBeGreaterThan(consumer.seen.indexOf(batch.ids[2]!));
  });
});
