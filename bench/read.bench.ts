/*
 * Read-side benchmark.
 *
 *   npm run bench:read                                   (1,000,000 events)
 *   BENCH_EVENTS=200000 BENCH_DURATION=10 npm run bench:read
 *
 * On its own database (dropped at the end):
 *  1. loads BENCH_EVENTS events: Mường La nominations walked down every branch of the workflow
 *     (created, submitted, approved per stage, returned, resubmitted, rejected, withdrawn, awarded),
 *     appended a whole nomination per append, 16 at a time;
 *  2. rebuilds every projection from the whole log (npm run projections:rebuild does the same) and
 *     prints each one's throughput in events/s (target ≥ 20,000);
 *  3. starts the projections live (as the worker runs them) and appends a write load for
 *     BENCH_DURATION seconds (BENCH_WRITERS concurrent writers, one event per append, like the
 *     commands of bench:api), measuring for each write the time until every projection has committed
 *     it: the projection lag, p50/p99 (target p99 ≤ 500 ms);
 *  4. starts the built api (npm run bench:read builds it first) on a free port and drives GET /nominations, GET /nominations?q=… and
 *     GET /inbox with autocannon (10 connections, BENCH_DURATION s each), printing p50/p95/p99
 *     (target p95 ≤ 30 ms).
 * The api, PostgreSQL and the load generator share this machine's cores: read the figures with its
 * load (printed) in mind.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { signDevelopmentToken } from '@app/auth';
import { loadConfig } from '@app/config';
import { createTestDatabase } from '@app/database/testing';
import { PostgresEventStore } from '@app/event-store';
import { loadReferenceData, WorkingDayCalendar } from '@app/nomination';
import { createRootLogger } from '@app/observability';
import { DurableSubscriber } from '@app/platform';
import { PROJECTIONS, ProjectionConsumer, rebuildProjection } from '@app/read-models';
import { type Journey, journeys } from '../libs/read-models/src/testing/journeys';

const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 1_000_000);
const DURATION = Number(process.env['BENCH_DURATION'] ?? 10);
const WRITERS = Number(process.env['BENCH_WRITERS'] ?? 16);
const API_ENTRY = process.env['BENCH_API_ENTRY'] ?? 'dist/apps/api/apps/api/src/main.js';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address !== null ? address.port : 0;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');

async function main(): Promise<void> {
  console.log(`bench:read — ${EVENTS} events, ${DURATION} s phases, load average ${load()}`);
  const database = await createTestDatabase({ max: 30 });
  const store = new PostgresEventStore(database.pool, { pollIntervalMs: 50 });
  const context = { calendar: new WorkingDayCalendar(loadReferenceData().holidays) };
  const logger = createRootLogger({ level: 'silent', service: 'bench' });
  try {
    // 1. Load.
    const loadStarted = performance.now();
    let loaded = 0;
    const template = journeys(64);
    const perJourney = template.reduce((n, j) => n + j.events.length, 0) / template.length;
    const count = Math.ceil(EVENTS / perJourney);
    let next = 0;
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (next < count) {
        // Deciding every event again would cost more than appending it: reuse the template journeys
        // under fresh ids (and a numbered nominee, so that searches select a few).
        const n = next++;
        const id = randomUUID();
        const events = template[n % template.length]!.events.map((e) => (e.type === 'NominationCreated'
          ? { ...e, data: { ...e.data, nominationId: id, nominee: { ...e.data.nominee, name: `Tổ dân phố số ${n}, xã Chiềng Lao` } } }
          : e));
        await store.append(`nomination-${id}`, events.map((e) => ({ id: randomUUID(), type: e.type, data: e.data })), 'no_stream');
        loaded += events.length;
      }
    }));
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    console.log(`loaded ${loaded} events (${count} nominations) in ${loadSeconds.toFixed(1)} s (${Math.round(loaded / loadSeconds)} events/s appended), load ${load()}`);

    // 2. Rebuild throughput.
    console.log('\nrebuild from the whole log (batch 5000):');
    for (const projection of PROJECTIONS) {
      const result = await rebuildProjection(database.pool, store, projection, context, { batchSize: 5_000 });
      const rate = Math.round(result.events / (result.elapsedMs / 1000));
      console.log(`  ${projection.name.padEnd(14)} ${result.events} events in ${(result.elapsedMs / 1000).toFixed(1)} s = ${rate} events/s  ${rate >= 20_000 ? 'ok' : 'BELOW 20000'}  (load ${load()})`);
    }

    // 3. Lag under a write load.
    const subscribers = PROJECTIONS.map((p) => new DurableSubscriber(database.pool, store, new ProjectionConsumer(p, context), logger, { standbyRetryMs: 100 }));
    for (const s of subscribers) s.start();
    await Promise.all(subscribers.map(async (s) => s.waitFor((await store.headPosition())!, 120_000)));
    const lags: number[] = [];
    const pending: { position: bigint; at: number }[] = [];
    let writing = true;
    const watcher = (async () => {
      while (writing || pending.length > 0) {
        const committed = subscribers.reduce<bigint | undefined>((min, s) => (s.checkpoint === undefined ? min : min === undefined || s.checkpoint < min ? s.checkpoint : min), undefined);
        const now = performance.now();
        while (pending.length > 0 && committed !== undefined && pending[0]!.position <= committed) lags.push(now - pending.shift()!.at);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    })();
    let written = 0;
    const stopAt = performance.now() + DURATION * 1000;
    await Promise.all(Array.from({ length: WRITERS }, async () => {
      while (performance.now() < stopAt) {
        const journey: Journey = journeys(1)[0]!;
        for (const [revision, event] of journey.events.entries()) {
          if (performance.now() >= stopAt) break;
          const { position } = await store.append(`nomination-${journey.id}`, [{ id: randomUUID(), type: event.type, data: event.data }], revision === 0 ? 'no_stream' : revision - 1);
          const at = performance.now();
          // Kept in position order: a later append can commit with a lower position.
          const index = pending.findIndex((p) => p.position > position);
          pending.splice(index < 0 ? pending.length : index, 0, { position, at });
          written++;
        }
      }
    }));
    writing = false;
    await watcher;
    await Promise.all(subscribers.map((s) => s.stop()));
    lags.sort((a, b) => a - b);
    console.log(`\nprojection lag under ${WRITERS} concurrent writers for ${DURATION} s: ${written} events (${Math.round(written / DURATION)}/s)`);
    console.log(`  p50 ${percentile(lags, 50).toFixed(1)} ms  p99 ${percentile(lags, 99).toFixed(1)} ms  max ${lags.at(-1)?.toFixed(1)} ms  ${percentile(lags, 99) <= 500 ? 'ok' : 'ABOVE 500 ms'}  (load ${load()})`);

    // As autovacuum would after such a load; without statistics the planner cannot choose well.
    for (const table of PROJECTIONS.flatMap((p) => Object.values(p.tables))) await database.pool.query(`ANALYZE ${table}`);

    // 4. Query latency through the api: the built api (tsx cannot emit the decorator metadata Nest's
    // injection needs), one process, on a free port.
    const port = await freePort();
    const env = { ...process.env, NODE_ENV: 'test', PORT: String(port), DATABASE_URL: database.url, LOG_LEVEL: 'warn', QUEUE_PREFIX: `read-models-bench-${process.pid}` };
    const config = loadConfig(env);
    const api = spawn(process.execPath, [API_ENTRY], { env, stdio: ['ignore', 'ignore', 'inherit'] });
    const deadline = Date.now() + 60_000;
    while (!(await fetch(`http://127.0.0.1:${port}/health/live`).then((r) => r.ok, () => false))) {
      if (Date.now() > deadline || api.exitCode !== null) throw new Error('the api did not start (npm run build first)');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const token = (roles: ('officer' | 'proposer')[], unit: string): Promise<string> =>
      signDevelopmentToken({ sub: `bench-${unit}`, name: 'Cán bộ thi đua', roles, unit, codeSet: 'gso-2004' }, config);
    const province = await token(['officer'], '14');
    const commune = await token(['officer'], '03814');
    const rows = await database.pool.query<{ n: string }>('SELECT count(*) AS n FROM rm_nominations');
    console.log(`\nqueries (${rows.rows[0]!.n} nominations in the read model), 10 connections, ${DURATION} s each:`);
    for (const [label, path, bearer] of [
      ['GET /nominations (province officer)', '/nominations?limit=50', province],
      ['GET /nominations?q=to dan pho so 12', `/nominations?q=${encodeURIComponent('to dan pho so 12')}&limit=50`, province],
      ['GET /nominations?q=hang anh', `/nominations?q=${encodeURIComponent('hang anh')}&limit=50`, province],
      ['GET /inbox (commune officer)', '/inbox?limit=50', commune],
    ] as const) {
      const result = await autocannon({ url: `http://127.0.0.1:${port}${path}`, connections: 10, duration: DURATION, headers: { authorization: `Bearer ${bearer}` } });
      const p = result.latency;
      const non2xx = result.non2xx;
      // autocannon reports p90 and p97.5, not p95: p95 lies between them.
      console.log(`  ${label.padEnd(38)} p50 ${p.p50} ms  p90 ${p.p90} ms  p97.5 ${p.p97_5} ms  p99 ${p.p99} ms  ${Math.round(result.requests.average)} req/s  non-2xx ${non2xx}  (load ${load()})`);
    }
    const plan = await database.pool.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN SELECT id FROM rm_nominations WHERE code_set = 'gso-2004' AND search_key LIKE '%hang%' AND search_key LIKE '%anh%' ORDER BY created_at DESC, id DESC LIMIT 51`,
    );
    console.log(`\nplan of a q search:\n${plan.rows.map((r) => `  ${r['QUERY PLAN']}`).join('\n')}`);
    api.kill('SIGTERM');
  } finally {
    await store.close();
    await database.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
