import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@app/database/testing';
import { PostgresEventStore } from '@app/event-store';
import { loadReferenceData, WorkingDayCalendar } from '@app/nomination';
import { createRootLogger } from '@app/observability';
import { DurableSubscriber } from '@app/platform';
import { PROJECTIONS, ProjectionConsumer, rebuildProjections } from '@app/read-models';
import { type Journey, journeys } from '../libs/read-models/src/testing/journeys';

/**
 * `npm run projections:rebuild` with its worker threads (the default on PostgreSQL): the bulk of the
 * replay split by stream between two workers, then what was appended meanwhile and the swap in the
 * script's own thread, all while the live projections run and events keep coming. Afterwards the
 * live tables (swapped in, then carried on by the live runners) equal a from-scratch rebuild.
 */
describe('projections:rebuild with worker threads', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;
  const logger = createRootLogger({ level: 'silent', service: 'test' });
  const context = { calendar: new WorkingDayCalendar(loadReferenceData().holidays) };
  let lastAppended = 0n;

  beforeAll(async () => {
    database = await createTestDatabase({ max: 20 });
    store = new PostgresEventStore(database.pool, { pollIntervalMs: 20 });
  });
  afterAll(async () => {
    await store.close();
    await database.drop();
  });

  async function appendInterleaved(list: readonly Journey[]): Promise<void> {
    const longest = Math.max(...list.map((j) => j.events.length));
    for (let revision = 0; revision < longest; revision++) {
      await Promise.all(list.map(async (journey) => {
        const event = journey.events[revision];
        if (event === undefined) return;
        const { position } = await store.append(`nomination-${journey.id}`, [{ id: randomUUID(), type: event.type, data: event.data }], revision === 0 ? 'no_stream' : revision - 1);
        if (position > lastAppended) lastAppended = position;
      }));
    }
  }

  function runScript(): Promise<{ code: number | null; lines: Record<string, unknown>[]; stderr: string }> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/projections-rebuild.ts', '--batch-size', '7', '--workers', '2'], {
      env: { ...process.env, TSX_TSCONFIG_PATH: 'tsconfig.json', DATABASE_URL: database.url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    return new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => resolve({ code, stderr, lines: stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>) }));
    });
  }

  it('swaps in tables that, carried on by the live runners, equal a from-scratch rebuild', async () => {
    const subscribers = PROJECTIONS.map((p) => new DurableSubscriber(database.pool, store, new ProjectionConsumer(p, context), logger, { standbyRetryMs: 20, batchSize: 5 }));
    for (const s of subscribers) s.start();
    try {
      await appendInterleaved(journeys(40));
      const rebuilt = runScript();
      // Appended while the script runs: some before its workers' end, some after (the script's own thread replays those).
      await appendInterleaved(journeys(24));
      const { code, lines, stderr } = await rebuilt;
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      const swapped = lines.filter((l) => l['phase'] === 'swapped').map((l) => l['projection']);
      expect(swapped).toEqual(PROJECTIONS.map((p) => p.name));
      // By the index phase every event up to where the workers stopped has been read.
      expect(lines.some((l) => l['phase'] === 'indexes' && Number(l['events']) > 0)).toBe(true);
      await Promise.all(subscribers.map((s) => s.waitFor(lastAppended, 60_000)));
    } finally {
      await Promise.all(subscribers.map((s) => s.stop()));
    }

    const check = await rebuildProjections(database.pool, store, PROJECTIONS, context, { swap: false, suffix: '__check', until: lastAppended });
    for (const [i, projection] of PROJECTIONS.entries()) {
      for (const [logical, live] of Object.entries(projection.tables)) {
        const shadow = check[i]!.tables[logical]!;
        const { rows } = await database.pool.query<{ n: string; live: string }>(
          `SELECT (SELECT count(*) FROM (TABLE ${live} EXCEPT ALL TABLE ${shadow}) x) + (SELECT count(*) FROM (TABLE ${shadow} EXCEPT ALL TABLE ${live}) y) AS n,
                  (SELECT count(*) FROM ${live}) AS live`,
        );
        expect({ table: live, difference: Number(rows[0]!.n), empty: Number(rows[0]!.live) === 0 && live !== 'rm_decisions' })
          .toEqual({ table: live, difference: 0, empty: false });
      }
    }
  }, 180_000);
});
