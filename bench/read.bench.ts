/*
 * Read-side benchmark.
 *
 *   npm run bench:read                                   (1,000,000 events)
 *   BENCH_EVENTS=200000 BENCH_DURATION=10 npm run bench:read
 *
 * On a scratch clone of a seeded log (bench/seed-log.ts: the log is written once with COPY, valid
 * chain hashes, kept as a template and reused by later runs with the same fingerprint):
 *  1. the log: BENCH_EVENTS events of Mường La nominations walked down every branch of the workflow
 *     (created, submitted, approved per stage, returned, resubmitted, rejected, withdrawn, awarded),
 *     one created a minute, 2,048 in flight at a time, so a nomination's events lie thousands of
 *     events apart (several rebuild batches);
 *  2. rebuilds every projection from the whole log, as `npm run projections:rebuild` does (one replay
 *     for all five), and prints the throughput in events/s (target ≥ 20,000); then nominations alone
 *     (BENCH_REBUILD=all,nominations: the groups rebuilt, `all` or projection names);
 *  3. starts the built api (npm run bench:read builds it first) and the projections (as the worker
 *     runs them) and drives bench:api's write load for BENCH_DURATION seconds (BENCH_WRITERS
 *     connections, each looping create → submit → approve → approve of a vn-2025 nomination over
 *     HTTP), measuring for each command the time from its answer until every projection has committed
 *     the position it wrote: the projection lag, p50/p99 (target p99 ≤ 500 ms);
 *  4. drives GET /nominations (province officer), GET /nominations?q=… (two searches) and GET /inbox
 *     (district officer, whose inbox is full) with autocannon (10 connections, BENCH_DURATION s each),
 *     printing p50/p95/p99 from every request's latency (target p95 ≤ 30 ms) and the api's CPU per request.
 * The api, PostgreSQL and the load generator share this machine's cores: read the figures with its
 * load (printed beside each) in mind.
 *
 * BENCH_PHASES picks the phases: `rebuild` (2) and `api` (3 and 4, which need the read models the
 * rebuild filled); default rebuild,api. `BENCH_PHASES=rebuild BENCH_REBUILD=all` measures the rebuild
 * alone, and needs no build of the api (`npx tsx --tsconfig tsconfig.json bench/read.bench.ts`).
 * BENCH_REBUILD_WORKERS (default 2, as projections:rebuild) sets the rebuild's worker threads (1: none).
 * Each rebuild prints this process's CPU (every thread) and the bench cluster's PostgreSQL CPU (its postmaster and
 * every backend, from /proc: only meaningful when nothing else uses that cluster meanwhile), both per
 * event. BENCH_PROFILE=<dir> writes a V8 CPU profile of each rebuild (rebuild-<group>.cpuprofile, this
 * process only; `npx tsx bench/profile-summary.ts <dir>/*.cpuprofile`).
 */
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { loadavg } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { signDevelopmentToken, type Role } from '@app/auth';
import { loadConfig } from '@app/config';
import { PostgresEventStore } from '@app/event-store';
import { loadReferenceData, vietnamDate, WorkingDayCalendar } from '@app/nomination';
import { createRootLogger } from '@app/observability';
import { DurableSubscriber } from '@app/platform';
import { Client } from 'pg';
import { listNominationsSql, PROJECTIONS, ProjectionConsumer, projectionNamed, rebuildProjections, type RebuildProgress } from '@app/read-models';
import { journeys } from '../libs/read-models/src/testing/journeys';
import { type SeedEvent, seedLog } from './seed-log';
import { freePort } from '../test/support/free-port';

const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 1_000_000);
const DURATION = Number(process.env['BENCH_DURATION'] ?? 10);
const WRITERS = Number(process.env['BENCH_WRITERS'] ?? 32);
const API_ENTRY = process.env['BENCH_API_ENTRY'] ?? 'dist/apps/api/apps/api/src/main.js';
const PHASES = new Set((process.env['BENCH_PHASES'] ?? 'rebuild,api').split(','));
const PROFILE_DIR = process.env['BENCH_PROFILE'];
/** Worker threads of the rebuild's bulk replay, as projections:rebuild (default 2; 1: all in this thread). */
const REBUILD_WORKERS = Number(process.env['BENCH_REBUILD_WORKERS'] ?? 2);
/** Nominations in flight while the log is generated: how far apart one nomination's events lie. */
const IN_FLIGHT = 2_048;

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** CPU seconds of a process and its children (the api's cluster), from /proc. */
function cpuSeconds(pid: number): number {
  const own = (p: number | string): number => {
    const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  };
  let total = own(pid);
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/u.test(e))) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) total += own(entry);
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

/** CPU seconds of the bench cluster's PostgreSQL (postmaster and every backend, live or exited): it runs on this machine. */
async function postgresCpuSeconds(pool: { query: (text: string) => Promise<{ rows: { dir: string }[] }> }): Promise<number | null> {
  try {
    const { rows } = await pool.query("SELECT current_setting('data_directory') AS dir");
    const postmaster = Number(readFileSync(path.join(rows[0]!.dir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    // Backends that have exited (a pool's connections once it ends) are counted in the postmaster's
    // cutime/cstime once it has reaped them; the live ones in their own utime/stime.
    const stat = readFileSync(`/proc/${postmaster}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return cpuSeconds(postmaster) + (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return null;
  }
}

/** A V8 CPU profile of this process around `run`, written to BENCH_PROFILE/<name>.cpuprofile. */
async function profiled<T>(name: string, run: () => Promise<T>): Promise<T> {
  if (PROFILE_DIR === undefined) return run();
  const session = new Session();
  session.connect();
  const post = (method: string, params: object = {}): Promise<unknown> =>
    new Promise((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 500 });
  await post('Profiler.start');
  try {
    return await run();
  } finally {
    const { profile } = (await post('Profiler.stop')) as { profile: unknown };
    mkdirSync(PROFILE_DIR, { recursive: true });
    writeFileSync(path.join(PROFILE_DIR, `${name}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  }
}

const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');

/**
 * The seeded log: template journeys (decided once by the domain) under fresh ids, each nominee
 * numbered so that searches select a few; IN_FLIGHT nominations advance one event at a time, round robin.
 */
function* generate(total: number): Generator<SeedEvent> {
  const template = journeys(64);
  const started = Date.UTC(2023, 0, 2);
  let made = 0;
  let emitted = 0;
  const flight: { streamId: string; events: { type: string; data: unknown }[]; next: number }[] = [];
  const start = (): void => {
    const n = made++;
    const id = randomUUID();
    // A minute apart: nominations are created in log order, as in a real log (the list's order).
    const shift = n * 60_000;
    const events = template[n % template.length]!.events.map((e) => {
      const at = new Date(Date.parse(e.data.at) + shift).toISOString();
      return e.type === 'NominationCreated'
        ? { type: e.type, data: { ...e.data, at, nominationId: id, nominee: { ...e.data.nominee, name: `Tổ dân phố số ${n}, xã Chiềng Lao` } } }
        : { type: e.type, data: { ...e.data, at } };
    });
    flight.push({ streamId: `nomination-${id}`, events, next: 0 });
  };
  while (emitted < total) {
    while (flight.length < IN_FLIGHT) start();
    for (let i = 0; i < flight.length && emitted < total; i++) {
      const journey = flight[i]!;
      const event = journey.events[journey.next++]!;
      yield { streamId: journey.streamId, type: event.type, data: event.data, recordedAt: new Date(started + emitted * 1000) };
      emitted++;
      if (journey.next === journey.events.length) flight.splice(i--, 1);
    }
  }
}

const createBody = JSON.stringify({
  ruleSet: 'vn-2025', awardCode: 'BANG_KHEN_TINH', year: 2025, proposingUnit: '03814',
  nominee: { kind: 'collective', name: 'Trường Tiểu học Chiềng Lao', organization: 'UBND xã Chiềng Lao' },
  achievements: 'Hoàn thành xuất sắc nhiệm vụ năm học 2024-2025, dẫn đầu phong trào thi đua của xã.',
  documents: [
    { kind: 'submission', title: 'Tờ trình đề nghị khen thưởng', sha256: randomBytes(32).toString('hex'), url: 'https://tailieu.sonla.gov.vn/to-trinh.pdf' },
    { kind: 'achievement_report', title: 'Báo cáo thành tích', sha256: randomBytes(32).toString('hex'), url: 'https://tailieu.sonla.gov.vn/bao-cao.pdf' },
  ],
});

async function main(): Promise<void> {
  console.log(`bench:read — ${EVENTS.toLocaleString('en')} events, ${DURATION} s phases, load average ${load()}`);
  // 1. The log.
  const seeded = await seedLog({ name: 'read', version: 2, events: EVENTS, generate });
  const database = seeded.database;
  console.log(`log ready (${seeded.reused ? 'reused' : `seeded in ${seeded.seedSeconds.toFixed(1)} s`}, cloned in ${seeded.cloneSeconds.toFixed(1)} s), load ${load()}`);
  const store = new PostgresEventStore(database.pool, { pollIntervalMs: 50 });
  const context = { calendar: new WorkingDayCalendar(loadReferenceData().holidays) };
  const logger = createRootLogger({ level: 'silent', service: 'bench' });
  let api: ReturnType<typeof spawn> | undefined;
  try {
    // 2. Rebuild throughput: all five from one replay (npm run projections:rebuild), then nominations alone.
    if (PHASES.has('rebuild')) {
      console.log(`\nrebuild from the whole log (batches of 10,000 events, ${REBUILD_WORKERS > 1 ? `${REBUILD_WORKERS} worker threads` : 'in this thread'}):`);
      const groups = (process.env['BENCH_REBUILD'] ?? 'all,nominations').split(',').map((name) => (name === 'all' ? PROJECTIONS : [projectionNamed(name)]));
      for (const group of groups) {
        const label = group.length === PROJECTIONS.length ? 'all' : group.map((p) => p.name).join('+');
        const pgBefore = await postgresCpuSeconds(database.pool);
        const started = performance.now();
        const cpu = process.cpuUsage();
        // While the index phase runs, how often a backend of this database (only the rebuild's, here)
        // holds a transaction id, which holds back every event reader of the cluster (pg_snapshot_xmin).
        const phases = new Map<string, number>();
        const sampler = new Client({ connectionString: database.url });
        await sampler.connect();
        const xidSamples = { held: 0, total: 0 };
        let sampling: Promise<void> | undefined;
        const onProgress = (p: RebuildProgress): void => {
          if (!phases.has(p.phase)) phases.set(p.phase, performance.now());
          if (p.phase === 'indexes' && sampling === undefined) {
            sampling = (async () => {
              while (!phases.has('swap') && !phases.has('done')) {
                const { rows } = await sampler.query<{ held: number }>(
                  'SELECT count(*) FILTER (WHERE backend_xid IS NOT NULL)::int AS held FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
                );
                xidSamples.total++;
                if (rows[0]!.held > 0) xidSamples.held++;
                await new Promise((resolve) => setTimeout(resolve, 10));
              }
            })();
          }
        };
        // PostgreSQL CPU of this database's backends only (other benches may share the cluster): each
        // backend's CPU as last seen, sampled every 200 ms (a backend that exits loses at most that).
        const backendCpu = new Map<number, { first: number; last: number }>();
        let measuring = true;
        const backendSampler = new Client({ connectionString: database.url });
        await backendSampler.connect();
        const sampleBackends = async (): Promise<void> => {
          const { rows } = await backendSampler.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
          for (const { pid } of rows) {
            try {
              const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
              const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
              const seconds = (Number(fields[11]) + Number(fields[12])) / 100;
              const seen = backendCpu.get(pid);
              if (seen === undefined) backendCpu.set(pid, { first: seconds, last: seconds });
              else seen.last = seconds;
            } catch {
              // exited meanwhile
            }
          }
        };
        await sampleBackends();
        // A backend first seen during the run started during it: it counts from zero.
        const atStart = new Set(backendCpu.keys());
        const backendLoop = (async () => {
          while (measuring) {
            await new Promise((resolve) => setTimeout(resolve, 200));
            await sampleBackends();
          }
        })();
        const results = await profiled(`rebuild-${label}`, () => rebuildProjections(database.pool, store, group, context, {
          onProgress, ...(REBUILD_WORKERS > 1 ? { workers: { count: REBUILD_WORKERS, connectionString: database.url } } : {}),
        }));
        const seconds = (performance.now() - started) / 1000;
        await sampling;
        await sampler.end();
        measuring = false;
        await backendLoop;
        await sampleBackends();
        await backendSampler.end();
        let databaseCpu = 0;
        for (const [pid, { first, last }] of backendCpu) databaseCpu += last - (atStart.has(pid) ? first : 0);
        const phaseSeconds = (from: string, to: string): string => (((phases.get(to) ?? performance.now()) - (phases.get(from) ?? started)) / 1000).toFixed(1);
        const used = process.cpuUsage(cpu);
        const pgAfter = await postgresCpuSeconds(database.pool);
        const events = results[0]!.events;
        const rate = Math.round(events / seconds);
        const nodeCpu = (used.user + used.system) / 1e6;
        const pgCpu = pgBefore === null || pgAfter === null ? null : pgAfter - pgBefore;
        const perEvent = (cpuSecondsUsed: number): string => `${((cpuSecondsUsed * 1e6) / Math.max(1, events)).toFixed(1)} µs/event`;
        console.log(`  ${group.map((p) => p.name).join(' + ').padEnd(54)} ${events} events in ${seconds.toFixed(1)} s = ${rate} events/s  ${rate >= 20_000 ? 'ok' : 'BELOW 20000'}`
          + `  (bench process CPU ${nodeCpu.toFixed(1)} s = ${perEvent(nodeCpu)}, this database's PostgreSQL backends ${databaseCpu.toFixed(1)} s = ${perEvent(databaseCpu)}`
          + ` (whole cluster ${pgCpu === null ? '?' : `${pgCpu.toFixed(1)} s = ${perEvent(pgCpu)}`}), load ${load()})`);
        console.log(`    replay ${phaseSeconds('start', 'indexes')} s, indexes and analyse ${phaseSeconds('indexes', 'swap')} s (a transaction id held in ${xidSamples.held} of ${xidSamples.total} samples), swap ${phaseSeconds('swap', 'done')} s`);
      }
      const counts = await database.pool.query<{ n: string; inbox: string }>('SELECT (SELECT count(*) FROM rm_nominations) AS n, (SELECT count(*) FROM rm_inbox) AS inbox');
      console.log(`  read models: ${counts.rows[0]!.n} nominations, ${counts.rows[0]!.inbox} inbox rows`);
    }
    if (!PHASES.has('api')) return;

    // 3. Lag under bench:api's write load: the api answers commands, the projections run as in the worker.
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const env = {
      ...process.env, NODE_ENV: 'test', PORT: String(port), METRICS_PORT: String(await freePort()), DATABASE_URL: database.url, LOG_LEVEL: 'warn',
      // A handful of bench users make far more requests a minute than the per-user limits allow.
      DATABASE_POOL_MAX: '40', WRITE_RATE_LIMIT_PER_MINUTE: '1000000', READ_RATE_LIMIT_PER_MINUTE: '10000000',
      QUEUE_PREFIX: `read-models-bench-${process.pid}`,
    };
    const config = loadConfig(env);
    api = spawn(process.execPath, [API_ENTRY], { env, stdio: ['ignore', 'ignore', 'inherit'] });
    const deadline = Date.now() + 60_000;
    while (!(await fetch(`${url}/health/live`).then((r) => r.ok, () => false))) {
      if (Date.now() > deadline || api.exitCode !== null) throw new Error('the api did not start (npm run build first)');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const token = (roles: Role[], unit: string, codeSet: 'gso-2004' | 'gso-2025' = 'gso-2004'): Promise<string> =>
      signDevelopmentToken({ sub: `bench-${codeSet}-${unit}-${roles.join('-')}`, name: 'Cán bộ thi đua', roles, unit, codeSet }, config);

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
    const headers = (bearer: string): Record<string, string> => ({ 'content-type': 'application/json', authorization: `Bearer ${bearer}` });
    const [proposer, communeOfficer, provinceOfficer25] = await Promise.all([
      token(['proposer'], '03814', 'gso-2025'), token(['officer'], '03814', 'gso-2025'), token(['officer'], '14', 'gso-2025'),
    ]);
    type Context = { id?: string };
    const written = (status: number, body: string): void => {
      if (status < 200 || status >= 300) return;
      const position = BigInt((JSON.parse(body) as { position: string }).position);
      const at = performance.now();
      // Kept in position order: a later answer can carry a lower position.
      const index = pending.findIndex((p) => p.position > position);
      pending.splice(index < 0 ? pending.length : index, 0, { position, at });
    };
    const step = (action: string, bearer: string, body: string) => ({
      method: 'POST' as const, headers: headers(bearer), body,
      setupRequest: (request: { path?: string }, context: Context) => (context.id ? { ...request, path: `/nominations/${context.id}/${action}` } : undefined),
      onResponse: (status: number, responseBody: string) => written(status, responseBody),
    });
    const writeLoad = await autocannon({
      url, connections: WRITERS, duration: DURATION,
      requests: [
        {
          method: 'POST', path: '/nominations', headers: headers(proposer), body: createBody,
          onResponse: (status: number, body: string, context: Context) => {
            if (status === 201) context.id = (JSON.parse(body) as { id: string }).id;
            written(status, body);
          },
        },
        step('submit', proposer, '{}'),
        step('approve', communeOfficer, '{"comment":"Đủ điều kiện, đề nghị cấp tỉnh xem xét"}'),
        step('approve', provinceOfficer25, '{"comment":"Trình Chủ tịch UBND tỉnh"}'),
      ],
    } as autocannon.Options);
    writing = false;
    await watcher;
    await Promise.all(subscribers.map((s) => s.stop()));
    lags.sort((a, b) => a - b);
    console.log(`\nprojection lag under bench:api's write load (${WRITERS} connections, ${DURATION} s): ${writeLoad.requests.total} commands (${Math.round(writeLoad.requests.total / DURATION)}/s, non-2xx ${writeLoad.non2xx})`);
    console.log(`  p50 ${percentile(lags, 50).toFixed(1)} ms  p99 ${percentile(lags, 99).toFixed(1)} ms  max ${lags.at(-1)?.toFixed(1)} ms  ${writeLoad.non2xx > 0 ? 'FAILED COMMANDS' : percentile(lags, 99) <= 500 ? 'ok' : 'ABOVE 500 ms'}  (load ${load()})`);

    // As autovacuum would after such a load; without statistics the planner cannot choose well.
    for (const table of PROJECTIONS.flatMap((p) => Object.values(p.tables))) await database.pool.query(`VACUUM (ANALYZE) ${table}`);

    // 4. Query latency through the api.
    const province = await token(['officer'], '14');
    const district = await token(['officer'], '120');
    console.log(`\nqueries, 10 connections, ${DURATION} s each (p95 from every request's latency):`);
    for (const [label, path, bearer] of [
      ['GET /nominations (province officer)', '/nominations?limit=50', province],
      ['GET /nominations?q=to dan pho so 12', `/nominations?q=${encodeURIComponent('to dan pho so 12')}&limit=50`, province],
      ['GET /nominations?q=hang anh', `/nominations?q=${encodeURIComponent('hang anh')}&limit=50`, province],
      ['GET /inbox (district officer)', '/inbox?limit=50', district],
    ] as const) {
      const sample = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${bearer}` } });
      const items = ((await sample.json()) as { items?: unknown[] }).items?.length ?? 0;
      const latencies: number[] = [];
      const cpuBefore = cpuSeconds(api.pid!);
      let finish!: (result: autocannon.Result) => void;
      let fail!: (error: Error) => void;
      const done = new Promise<autocannon.Result>((resolve, reject) => {
        finish = resolve;
        fail = reject;
      });
      const run = autocannon(
        { url: `${url}${path}`, connections: 10, duration: DURATION, headers: { authorization: `Bearer ${bearer}` } },
        (error, result) => (error ? fail(error) : finish(result)),
      );
      run.on('response', (_client: unknown, status: number, _bytes: number, responseTime: number) => {
        if (status >= 200 && status < 300) latencies.push(responseTime);
      });
      const result = await done;
      const cpuMs = ((cpuSeconds(api.pid!) - cpuBefore) * 1000) / Math.max(1, result.requests.total);
      latencies.sort((a, b) => a - b);
      const p95 = percentile(latencies, 95);
      console.log(`  ${label.padEnd(38)} ${String(items).padStart(2)} items  p50 ${percentile(latencies, 50).toFixed(1)} ms  p95 ${p95.toFixed(1)} ms  p99 ${percentile(latencies, 99).toFixed(1)} ms`
        + `  ${Math.round(result.requests.average)} req/s  non-2xx ${result.non2xx}  api CPU ${cpuMs.toFixed(2)} ms/req  ${result.non2xx > 0 ? 'FAILED REQUESTS' : p95 <= 30 ? 'ok' : 'ABOVE 30 ms'}  (load ${load()})`);
    }
    // The plans of the very statements the api runs (the same builder), for the province officer above.
    const province14 = { codeSet: 'gso-2004', unit: '14' };
    for (const [label, q] of [
      ['GET /nominations (province officer)', undefined],
      ['GET /nominations?q=to dan pho so 12', 'to dan pho so 12'],
      ['GET /nominations?q=hang anh', 'hang anh'],
      ['GET /nominations?q=pho so 1234 (selective)', 'pho so 1234'],
    ] as const) {
      const { text, values } = listNominationsSql(province14, q === undefined ? {} : { q }, { limit: 50 }, vietnamDate(new Date()));
      const plan = await database.pool.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, COSTS OFF, BUFFERS) ${text}`, values);
      console.log(`\nplan, ${label}:\n${plan.rows.map((r) => `  ${r['QUERY PLAN']}`).join('\n')}`);
    }
  } finally {
    api?.kill('SIGTERM');
    await store.close();
    await database.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
