import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@app/database/testing';
import { PostgresEventStore } from '@app/event-store';
import { createRootLogger } from '@app/observability';
import { type ConsumedEvent, type ConsumerTransaction, DurableSubscriber, type DurableConsumer } from './durable-subscriber';

const logger = createRootLogger({ level: 'silent', service: 'test' });

/** Records what it handled; can be told to crash on one event to simulate a process dying mid-batch. */
class RecordingConsumer implements DurableConsumer {
  readonly name: string;
  readonly categories = ['nomination'] as const;
  readonly seen: string[] = [];
  failOn: string | undefined;
  /** Fails on this event every time (a consumer bug on one event). */
  alwaysFailOn: string | undefined;
  /** Rows written through the transaction, to check they commit with the checkpoint. */
  table: string | undefined;
  constructor(name: string) {
    this.name = name;
  }
  async handle(events: readonly ConsumedEvent[], tx: ConsumerTransaction): Promise<void> {
    for (const event of events) {
      if (this.table !== undefined) await tx.query(`INSERT INTO ${this.table} (event_id) VALUES ($1)`, [event.id]);
      if (event.id === this.alwaysFailOn) throw new TypeError('cannot read properties of undefined');
      if (event.id === this.failOn) {
        this.failOn = undefined;
        throw new Error('simulated crash');
      }
      this.seen.push(event.id);
    }
  }
}

/**
 * Leaves its writes unanswered (tx.write) and reads ahead (read): the batch's statements are pipelined
 * and answered with its commit. Can be told to send one bad write, once.
 */
class PipeliningConsumer implements DurableConsumer<number> {
  readonly categories = ['nomination'] as const;
  /** What read() answered, per handled batch. */
  readonly reads: (number | undefined)[] = [];
  badOnce: string | undefined;
  /** How a statement sent after handle() resolved came out: 'sent', or the error. */
  late: Promise<unknown> | undefined;
  constructor(readonly name: string, private readonly table: string) {}
  async read(_events: readonly ConsumedEvent[], tx: ConsumerTransaction): Promise<number> {
    const { rows } = await tx.query<{ n: string }>(`SELECT count(*) AS n FROM ${this.table}`);
    return Number(rows[0]!.n);
  }
  async handle(events: readonly ConsumedEvent[], tx: ConsumerTransaction, _context: unknown, read?: number): Promise<void> {
    this.reads.push(read);
    for (const event of events) {
      const bad = event.id === this.badOnce;
      if (bad) this.badOnce = undefined;
      void tx.write!(`INSERT INTO ${this.table} (event_id) VALUES ($1::uuid)`, [bad ? 'not a uuid' : event.id]);
    }
    this.late ??= new Promise((resolve) => setTimeout(resolve, 0)).then(() => tx.query('SELECT 1')).then(() => 'sent', (error: unknown) => error);
    return Promise.resolve();
  }
}

/** A valid, minimal nomination event (the subscriber decodes everything it hands over). */
const withdrawn = (i: number): { type: string; data: unknown } => ({
  type: 'NominationWithdrawn',
  data: {
    schemaVersion: 1, at: new Date(Date.UTC(2023, 0, 1, 0, 0, i)).toISOString(), by: { id: 'u', name: 'Lò Văn A', unit: '03814', roles: ['proposer'] },
    fromStatus: 'draft', stageIndex: null, reason: `lần ${i}`,
  },
});

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

  /** A new consumer starts at the start of the log: these tests share one log, so start at its head. */
  async function startAtHead(name: string): Promise<void> {
    const head = await store.headPosition();
    await database.pool.query('INSERT INTO subscription_checkpoints (name, position) VALUES ($1, $2)', [name, head?.toString() ?? null]);
  }

  async function appendMany(n: number): Promise<{ ids: string[]; last: bigint }> {
    const ids: string[] = [];
    let last = 0n;
    for (let i = 0; i < n; i++) {
      const id = randomUUID();
      ids.push(id);
      last = (await store.append(`nomination-${randomUUID()}`, [{ id, ...withdrawn(i) }], 'no_stream')).position;
    }
    return { ids, last };
  }

  /**
   * Six events through `consumer` in batches of three from the head, the fifth failing its batch once
   * (`failOnce` arms the consumer with its id): the event ids and the rows left in `table`.
   */
  async function sixWithOneFailure<Read>(consumer: DurableConsumer<Read>, table: string, failOnce: (eventId: string) => void) {
    await startAtHead(consumer.name);
    const batch = await appendMany(6);
    failOnce(batch.ids[4]!);
    const subscriber = new DurableSubscriber(database.pool, store, consumer, logger, { standbyRetryMs: 50, batchSize: 3, maxRetryDelayMs: 50 });
    subscriber.start();
    await subscriber.waitFor(batch.last, 15_000);
    await subscriber.stop();
    const { rows } = await database.pool.query<{ event_id: string }>(`SELECT event_id FROM ${table}`);
    return { batch, rowIds: rows.map((r) => r.event_id) };
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
    // A dead process does not come back for the lock (left running, the first runner could win it
    // again, and the standby would rightly stay a standby).
    const firstGone = first.stop();
    await until(() => second.isActive, 15_000);
    const batch2 = await appendMany(3);
    await second.waitFor(batch2.last);
    expect(b.seen).toEqual(expect.arrayContaining(batch2.ids));
    await firstGone;
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

  it('skips what it cannot decode and streams of other categories, and delivers the rest', async () => {
    const consumer = new RecordingConsumer(`consumer-${randomUUID()}`);
    const before = await appendMany(1);
    const unknown = randomUUID();
    const future = randomUUID();
    await store.append(`nomination-${randomUUID()}`, [{ id: unknown, type: 'NominationTeleported', data: { schemaVersion: 1 } }], 'no_stream');
    await store.append(`nomination-${randomUUID()}`, [{ id: future, ...withdrawn(0), data: { ...(withdrawn(0).data as object), schemaVersion: 99 } }], 'no_stream');
    const other = randomUUID();
    await store.append(`decision-${randomUUID()}`, [{ id: other, type: 'DecisionIssued', data: {} }], 'no_stream');
    const after = await appendMany(1);
    const subscriber = new DurableSubscriber(database.pool, store, consumer, logger, { standbyRetryMs: 50 });
    subscriber.start();
    await subscriber.waitFor(after.last);
    await subscriber.stop();
    expect(consumer.seen).toEqual(expect.arrayContaining([...before.ids, ...after.ids]));
    expect(consumer.seen).not.toContain(unknown);
    expect(consumer.seen).not.toContain(future);
    expect(consumer.seen).not.toContain(other);
  });

  it("commits the consumer's rows with its checkpoint: a failed batch leaves neither", async () => {
    const table = `rows_${randomUUID().replaceAll('-', '')}`;
    await database.pool.query(`CREATE TABLE ${table} (event_id uuid PRIMARY KEY)`);
    const consumer = new RecordingConsumer(`consumer-${randomUUID()}`);
    consumer.table = table;
    const { batch, rowIds } = await sixWithOneFailure(consumer, table, (id) => (consumer.failOn = id));
    // The second batch ran twice (it failed once after writing a row), yet each row exists once:
    // the primary key would have refused a doubled insert, so the failed attempt's row was rolled back.
    expect(rowIds.sort()).toEqual([...batch.ids].sort());
    const { rows: checkpoint } = await database.pool.query<{ position: string }>('SELECT position FROM subscription_checkpoints WHERE name = $1', [consumer.name]);
    expect(BigInt(checkpoint[0]!.position)).toBe(batch.last);
  });

  it('answers writes left unanswered before the commit: one that fails fails its batch, which leaves no row', async () => {
    // No primary key: a failed attempt's rows, had they committed, would be there twice.
    const table = `rows_${randomUUID().replaceAll('-', '')}`;
    await database.pool.query(`CREATE TABLE ${table} (event_id uuid NOT NULL)`);
    const consumer = new PipeliningConsumer(`consumer-${randomUUID()}`, table);
    const { batch, rowIds } = await sixWithOneFailure(consumer, table, (id) => (consumer.badOnce = id));
    expect(rowIds.sort()).toEqual([...batch.ids].sort());
    // Read ahead with each batch's lock, in its transaction: the second batch, tried twice, saw the first's rows only.
    expect(consumer.reads).toEqual([0, 3, 3]);
    // Nothing is sent once a batch is over.
    expect(await consumer.late).toEqual(expect.objectContaining({ message: expect.stringMatching(/transaction is over/) }));
  });

  it('skips and records an event it keeps failing on, and goes on with the next ones', async () => {
    const consumer = new RecordingConsumer(`consumer-${randomUUID()}`);
    const batch = await appendMany(5);
    consumer.alwaysFailOn = batch.ids[2];
    const subscriber = new DurableSubscriber(database.pool, store, consumer, logger, { standbyRetryMs: 50, maxRetryDelayMs: 20 });
    subscriber.start();
    await subscriber.waitFor(batch.last, 15_000);
    await subscriber.stop();
    for (const id of batch.ids.filter((id) => id !== batch.ids[2])) expect(consumer.seen).toContain(id);
    const { rows } = await database.pool.query<{ event_id: string; error: string }>('SELECT event_id, error FROM subscription_skipped_events WHERE name = $1', [consumer.name]);
    expect(rows).toEqual([{ event_id: batch.ids[2], error: expect.stringContaining('cannot read properties') }]);
  });

  it('resumes from the stored checkpoint when someone else moves it (a rebuild swapping tables)', async () => {
    const consumer = new RecordingConsumer(`consumer-${randomUUID()}`);
    await startAtHead(consumer.name);
    const subscriber = new DurableSubscriber(database.pool, store, consumer, logger, { standbyRetryMs: 50 });
    subscriber.start();
    const first = await appendMany(1);
    await subscriber.waitFor(first.last);
    // Held back: the runner cannot commit while the row is locked; then the checkpoint jumps ahead.
    const locker = await database.pool.connect();
    await locker.query('BEGIN');
    await locker.query('SELECT 1 FROM subscription_checkpoints WHERE name = $1 FOR UPDATE', [consumer.name]);
    const skipped = await appendMany(2);
    await locker.query('UPDATE subscription_checkpoints SET position = $2 WHERE name = $1', [consumer.name, skipped.last.toString()]);
    await locker.query('COMMIT');
    locker.release();
    const next = await appendMany(1);
    await subscriber.waitFor(next.last);
    await subscriber.stop();
    expect(consumer.seen).toEqual([...first.ids, ...next.ids]);
  });
  it('stops promptly when told to stop while it is still reading its checkpoint (a worker shut down during start-up)', async () => {
    // An empty log and no checkpoint yet, as in a worker's first start: nothing would ever wake the runner.
    const empty = await createTestDatabase({ max: 5 });
    const emptyStore = new PostgresEventStore(empty.pool, { pollIntervalMs: 50 });
    const consumer = new RecordingConsumer(`consumer-${randomUUID()}`);
    let subscriber: DurableSubscriber | undefined;
    let stopping: Promise<void> | undefined;
    // The stop request arrives while the runner's checkpoint read is on the wire, before it subscribes.
    const pool = new Proxy(empty.pool, {
      get(target, property, receiver) {
        if (property !== 'connect') return Reflect.get(target, property, receiver);
        return async () => {
          const client = await target.connect();
          const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
          (client as unknown as { query: unknown }).query = (...args: unknown[]) => {
            const pending = query(...args);
            if (typeof args[0] === 'string' && args[0].startsWith('SELECT position') && stopping === undefined) stopping = subscriber!.stop();
            return pending;
          };
          return client;
        };
      },
    });
    try {
      subscriber = new DurableSubscriber(pool, emptyStore, consumer, logger, { standbyRetryMs: 50 });
      subscriber.start();
      await until(() => stopping !== undefined);
      let timer: NodeJS.Timeout | undefined;
      const outcome = await Promise.race([
        stopping!.then(() => 'stopped'),
        new Promise((resolve) => { timer = setTimeout(resolve, 10_000, 'still running'); }),
      ]);
      clearTimeout(timer);
      expect(outcome).toBe('stopped');
      expect(subscriber.isActive).toBe(false);
    } finally {
      await emptyStore.close();
      await empty.drop();
    }
  });
});
