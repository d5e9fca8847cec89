import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@app/database/testing';
import { PostgresEventStore } from '@app/event-store';
import { loadReferenceData, WorkingDayCalendar } from '@app/nomination';
import { createRootLogger } from '@app/observability';
import { ConsumerGroup } from '@app/platform';
import { PROJECTIONS, ProjectionConsumer, rebuildProjection, rebuildProjections } from '@app/read-models';
import { startReadyChild } from '../libs/platform/src/testing/ready-child';
import { type Journey, journeys } from '../libs/read-models/src/testing/journeys';

/**
 * An appended event is never lost to a read model, nor applied twice, whatever is killed when. The
 * projection runner (a child process) is SIGKILLed at random instants while events are appended;
 * after each run the next one resumes from the committed checkpoints. In the end every read model
 * must equal a from-scratch rebuild of the same log, row for row.
 */
describe('projections survive being killed at any instant, and racing each other', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;
  const logger = createRootLogger({ level: 'silent', service: 'test' });
  const context = { calendar: new WorkingDayCalendar(loadReferenceData().holidays) };

  beforeAll(async () => {
    database = await createTestDatabase({ max: 20 });
    store = new PostgresEventStore(database.pool, { pollIntervalMs: 20 });
  });
  afterAll(async () => {
    await store.close();
    await database.drop();
  });

  /**
   * The last position appended so far. Not headPosition(): that is what subscribers may read *now*,
   * which any open transaction on the (shared) server holds back; the read models must reach this.
   */
  let lastAppended = 0n;

  /** Appends the journeys' events interleaved across streams, one append per event. */
  async function appendInterleaved(list: readonly Journey[]): Promise<void> {
    const cursors = list.map(() => 0);
    let remaining = list.reduce((n, j) => n + j.events.length, 0);
    while (remaining > 0) {
      await Promise.all(list.map(async (journey, i) => {
        const revision = cursors[i]!;
        const event = journey.events[revision];
        if (event === undefined) return;
        cursors[i] = revision + 1;
        remaining--;
        const { position } = await store.append(`nomination-${journey.id}`, [{ id: randomUUID(), type: event.type, data: event.data }], revision === 0 ? 'no_stream' : revision - 1);
        if (position > lastAppended) lastAppended = position;
      }));
    }
  }

  function startRunner(): Promise<ChildProcess> {
    const env = { DATABASE_URL: database.url, BATCH_SIZE: String(3 + Math.floor(Math.random() * 8)) };
    return startReadyChild('test/support/projection-runner.ts', env, children);
  }

  const children = new Set<ChildProcess>();
  afterEach(() => {
    for (const child of children) child.kill('SIGKILL');
  });

  async function kill(child: ChildProcess): Promise<void> {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  /** Runs every projection in-process until it has everything up to the log's head. */
  async function catchUp(): Promise<void> {
    const head = lastAppended;
    const group = projectionGroup({ standbyRetryMs: 50 });
    try {
      await group.waitForAll(head, 60_000);
    } finally {
      await group.stop();
    }
  }

  /** Every projection in one ConsumerGroup (one shared read of the log), as the worker runs them. */
  function projectionGroup(options: { standbyRetryMs: number; batchSize?: number }): ConsumerGroup {
    const group = new ConsumerGroup(database.pool, store, logger, options);
    for (const projection of PROJECTIONS) group.add(new ProjectionConsumer(projection, context));
    group.start();
    return group;
  }

  /** Rows in one table and not the other, both ways (0 = identical contents). */
  async function difference(a: string, b: string): Promise<number> {
    const { rows } = await database.pool.query<{ n: string }>(
      `SELECT (SELECT count(*) FROM (TABLE ${a} EXCEPT ALL TABLE ${b}) x) + (SELECT count(*) FROM (TABLE ${b} EXCEPT ALL TABLE ${a}) y) AS n`,
    );
    if (process.env['CRASH_DEBUG'] && Number(rows[0]!.n) > 0) {
      const diff = await database.pool.query(`SELECT 'live' AS side, * FROM (TABLE ${a} EXCEPT ALL TABLE ${b}) x UNION ALL SELECT 'rebuilt', * FROM (TABLE ${b} EXCEPT ALL TABLE ${a}) y`);
      process.stderr.write(`${JSON.stringify(diff.rows.slice(0, 4).map((r) => ({ ...r, state: JSON.stringify(r.state).slice(0, 300) })), null, 1)}\n`);
    }
    return Number(rows[0]!.n);
  }

  async function expectEqualToRebuild(): Promise<void> {
    for (const projection of PROJECTIONS) {
      const rebuilt = await rebuildProjection(database.pool, store, projection, context, { swap: false, suffix: '__check', until: lastAppended });
      for (const [logical, live] of Object.entries(projection.tables)) {
        const { rows } = await database.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${live}`);
        expect({ table: live, rows: Number(rows[0]!.n) > 0 || live === 'rm_decisions' }).toEqual({ table: live, rows: true });
        expect({ table: live, difference: await difference(live, rebuilt.tables[logical]!) }).toEqual({ table: live, difference: 0 });
      }
    }
  }

  it('equals a from-scratch rebuild after many SIGKILLs at random points', async () => {
    const runs = 5;
    for (let run = 0; run < runs; run++) {
      const child = await startRunner();
      if (process.env['CRASH_DEBUG']) process.stderr.write(`run ${run} started\n`);
      const appending = appendInterleaved(journeys(12));
      await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 400));
      await kill(child);
      await appending;
    }
    if (process.env['CRASH_DEBUG']) process.stderr.write('catching up\n');
    await catchUp();
    if (process.env['CRASH_DEBUG']) process.stderr.write('comparing\n');
    await expectEqualToRebuild();
    // All projections from one replay, with a cache of 3 rows and batches of 5 events: rows evicted and
    // read back, written in many small pipelined batches, still the same rows.
    const together = await rebuildProjections(database.pool, store, PROJECTIONS, context, { swap: false, suffix: '__tiny', until: lastAppended, cacheRows: 3, batchSize: 5 });
    for (const [i, projection] of PROJECTIONS.entries()) {
      for (const [logical, live] of Object.entries(projection.tables)) {
        expect({ table: live, difference: await difference(live, together[i]!.tables[logical]!) }).toEqual({ table: live, difference: 0 });
      }
    }
  }, 240_000);

  it('equals a rebuild when two runners race for the same projections and the active one loses its connection', async () => {
    // Two workers, each with every projection over its own shared read.
    const groups = [0, 1].map(() => projectionGroup({ standbyRetryMs: 20, batchSize: 5 }));
    const appending = appendInterleaved(journeys(16));
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Kill whoever holds the locks, as a dead worker's connections would end.
    await database.pool.query(
      `SELECT pg_terminate_backend(l.pid) FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted
       AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND l.pid <> pg_backend_pid()`,
    );
    await appending;
    const head = lastAppended;
    // Whichever instance is active now gets there; the others stay standby.
    await new Promise<void>((resolve, reject) => {
      const deadline = Date.now() + 60_000;
      const check = async (): Promise<void> => {
        const { rows } = await database.pool.query<{ n: string }>(
          "SELECT count(*) AS n FROM subscription_checkpoints WHERE name LIKE 'projection:%' AND position >= $1", [head.toString()],
        );
        if (Number(rows[0]!.n) === PROJECTIONS.length) resolve();
        else if (Date.now() > deadline) reject(new Error('projections did not catch up'));
        else setTimeout(() => void check().catch(reject), 50);
      };
      void check().catch(reject);
    });
    await Promise.all(groups.map((g) => g.stop()));
    await expectEqualToRebuild();
  }, 120_000);

  it('rebuilds with the runner up and queries answering, and the runner goes on from the swapped tables', async () => {
    const group = projectionGroup({ standbyRetryMs: 20, batchSize: 5 });
    let reads = 0;
    let readFailures = 0;
    let reading = true;
    const reader = (async () => {
      while (reading) {
        try {
          await database.pool.query("SELECT count(*) FROM rm_nominations WHERE code_set = 'gso-2004'");
          reads++;
        } catch {
          readFailures++;
        }
      }
    })();
    const appending = appendInterleaved(journeys(16));
    for (const projection of PROJECTIONS) await rebuildProjection(database.pool, store, projection, context, { batchSize: 7 });
    await appending;
    const head = lastAppended;
    await group.waitForAll(head, 60_000);
    reading = false;
    await reader;
    await group.stop();
    expect(readFailures).toBe(0);
    expect(reads).toBeGreaterThan(0);
    await expectEqualToRebuild();
  }, 120_000);
});
