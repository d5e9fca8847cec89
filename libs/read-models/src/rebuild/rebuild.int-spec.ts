import { randomUUID } from 'node:crypto';
import type { PoolClient } from 'pg';
import { createTestDatabase, type TestDatabase } from '@app/database/testing';
import { PostgresEventStore } from '@app/event-store';
import { loadReferenceData, WorkingDayCalendar } from '@app/nomination';
import { createRootLogger } from '@app/observability';
import { DurableSubscriber } from '@app/platform';
import { ProjectionConsumer } from '../projection';
import { awardStatsProjection } from '../award-stats/award-stats.projection';
import { nominationsProjection } from '../nominations/nominations.projection';
import { journeys } from '../testing/journeys';
import { rebuildProjection, type RebuildProgress } from './rebuild';

/**
 * A rebuild's index phase must not stall the cluster's event readers. They read only below the oldest
 * transaction id running anywhere (pg_snapshot_xmin), and a plain CREATE INDEX holds one for as long as
 * it builds. Here the build is held mid-way, deterministically: the live table gets one more index (test
 * only) whose expression waits on an advisory lock the test holds, so the rebuild's copy of that index
 * stops inside its build until the test lets it go. Meanwhile a live subscriber must take a new event.
 * (With the plain CREATE INDEX the rebuild used before, it does not: its waitFor times out.)
 */
describe('a rebuild building its indexes', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;
  const logger = createRootLogger({ level: 'silent', service: 'test' });
  const context = { calendar: new WorkingDayCalendar(loadReferenceData().holidays) };
  const GATE = 4242;

  beforeAll(async () => {
    database = await createTestDatabase({ max: 12 });
    store = new PostgresEventStore(database.pool, { pollIntervalMs: 20 });
  });
  afterAll(async () => {
    await store.close();
    await database.drop();
  });

  async function append(count: number): Promise<bigint> {
    let last = 0n;
    for (const journey of journeys(count)) {
      const events = journey.events.map((e) => ({ id: randomUUID(), type: e.type, data: e.data }));
      ({ position: last } = await store.append(`nomination-${journey.id}`, events, 'no_stream'));
    }
    return last;
  }

  it('swaps in tables with the live ones\' storage parameters (the fillfactor that keeps updates HOT)', async () => {
    await append(2);
    const reloptions = async (): Promise<string[] | null> =>
      (await database.pool.query<{ options: string[] | null }>("SELECT reloptions AS options FROM pg_class WHERE relname = 'rm_nominations'")).rows[0]!.options;
    const migrated = await reloptions();
    expect(migrated).toContain('fillfactor=50');
    await rebuildProjection(database.pool, store, nominationsProjection as never, context);
    expect(await reloptions()).toEqual(migrated);
  }, 60_000);

  it('leaves the live subscribers reading the log while an index is being built', async () => {
    await append(8);
    // The gate: an index expression that waits while the test holds the advisory lock (a session lock
    // holds no transaction id). IMMUTABLE is a lie an index expression needs.
    await database.pool.query(`
      CREATE FUNCTION test_index_gate(value text) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
      BEGIN PERFORM pg_advisory_xact_lock_shared(${GATE}); RETURN value; END $$;
      CREATE INDEX rm_award_facts_gate ON rm_award_facts (test_index_gate(award_code))`);

    const subscriber = new DurableSubscriber(database.pool, store, new ProjectionConsumer(nominationsProjection, context), logger, { standbyRetryMs: 20 });
    subscriber.start();
    let gate: PoolClient | undefined;
    try {
      await subscriber.waitFor((await store.endPosition())!, 30_000);
      gate = await database.pool.connect();
      await gate.query('SELECT pg_advisory_lock($1)', [GATE]);

      const phases: RebuildProgress['phase'][] = [];
      const rebuilt = rebuildProjection(database.pool, store, awardStatsProjection as never, context, { onProgress: (p) => phases.push(p.phase) });
      rebuilt.catch(() => undefined);
      // The rebuild's backend, stopped inside the gated index's build.
      let builder: { pid: number; xid: string | null; query: string } | undefined;
      while (builder === undefined) {
        const { rows } = await database.pool.query<{ pid: number; xid: string | null; query: string }>(
          `SELECT a.pid, a.backend_xid::text AS xid, a.query FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid
           WHERE a.datname = current_database() AND l.locktype = 'advisory' AND l.objid = $1 AND NOT l.granted`,
          [GATE],
        );
        builder = rows[0];
        // No signal tells when a backend starts waiting on a lock: ask again shortly.
        if (builder === undefined) await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(builder.query).toMatch(/^CREATE INDEX .*rm_award_facts_gate__rebuild/u);
      expect(phases).toContain('indexes');
      expect(phases).not.toContain('swap');
      // It holds no transaction id, so it holds back no reader.
      expect(builder.xid).toBeNull();

      // A new nomination reaches the live projection while the build waits.
      const position = await append(1);
      await subscriber.waitFor(position, 30_000);
      expect(subscriber.checkpoint).toBeGreaterThanOrEqual(position);
      expect(phases).not.toContain('swap');

      await gate.query('SELECT pg_advisory_unlock($1)', [GATE]);
      const result = await rebuilt;
      expect(phases.at(-1)).toBe('done');
      expect(result.position).toBeGreaterThanOrEqual(position);
      // Swapped in, with every index, the gated one too, valid.
      const { rows } = await database.pool.query<{ facts: number; nominations: number; indexes: string[] }>(
        `SELECT (SELECT count(*)::int FROM rm_award_facts) AS facts, (SELECT count(*)::int FROM rm_nominations) AS nominations,
                (SELECT array_agg(c.relname::text ORDER BY c.relname) FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
                 WHERE x.indrelid = 'rm_award_facts'::regclass AND x.indisvalid) AS indexes`,
      );
      expect(rows[0]!.facts).toBeGreaterThan(0);
      expect(rows[0]!.facts).toBeLessThanOrEqual(rows[0]!.nominations);
      expect(rows[0]!.indexes).toEqual(['rm_award_facts_ancestry_units', 'rm_award_facts_gate', 'rm_award_facts_pkey', 'rm_award_facts_report']);
    } finally {
      await gate?.query('SELECT pg_advisory_unlock_all()').catch(() => undefined);
      gate?.release();
      await subscriber.stop();
    }
  }, 120_000);
});
