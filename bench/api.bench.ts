/*
 * HTTP benchmark: the running service under command load, against the store alone.
 *
 *   npm run bench:api                      (32 and 128 connections, 10 s per run)
 *   BENCH_DURATION=20 BENCH_CONNECTIONS=32 npm run bench:api
 *
 * It builds nothing: run `npm run build` first (npm run bench:api does). It creates its own database
 * (dropped at the end), starts the api from dist/ on a free port (API_PROCESSES processes, by default
 * one per core) and the worker beside it (projections, dispatcher; BENCH_WORKER=off leaves it out),
 * and drives the api with autocannon in phases (BENCH_PHASES, default all four):
 *
 *  - mixed: each connection loops through the life of a vn-2025 Bằng khen nomination along its route:
 *    create (proposer, commune 03814) → submit → approve at the commune → approve at the province.
 *    Then, on the same database server, the same number of events is appended straight to the event
 *    store with the same concurrency, and the ratio api ÷ store says what HTTP, auth, validation,
 *    idempotency and folding cost on top of the append itself.
 *  - create: POST /nominations only, for the whole run; every request makes a fresh nomination.
 *  - submit, approve: each request submits (then approves, at the commune) one of the nominations the
 *    create phase made, each exactly once, until they run out: a fresh nomination per request.
 *
 * CPU per command is read from /proc: "api" is the api processes (the primary and its children),
 * "PG" the PostgreSQL backends serving the api's pool (application_name bench-api in
 * pg_stat_activity; PostgreSQL's shared background processes are not counted), "worker" the worker
 * process and its own backends ("worker node" the process alone), counted until its consumers have
 * reached the last event the run appended ("worker catch-up ms" after the load ended, at most 120 s):
 * the worker's share of a run includes the work it was still behind on. On a machine this small,
 * where the api, PostgreSQL, the worker and autocannon share two cores, api + PG per command is the
 * api's figure and worker ms/cmd the worker's.
 *
 * Profiling: BENCH_PROFILE=<dir> loads bench/cpu-profile-hook.mjs into every api process and the worker
 * and writes one .cpuprofile per process (api-<pid>-1, worker-<pid>-1) for the BENCH_PROFILE_PHASE run
 * (default approve) at the first connection count; `npx tsx bench/profile-summary.ts <dir>/*.cpuprofile` lists the top frames.
 * BENCH_PERF=<dir> records the same run with Linux perf instead (`perf record -g` on the api processes,
 * node started with --perf-basic-prof so JIT frames have names; kernel time included, which V8's sampler
 * cannot split from waiting), and the api's PostgreSQL backends beside it:
 * `perf report -i <dir>/perf-<phase>-api.data --no-children --sort dso,sym` (and perf-<phase>-pg.data).
 * BENCH_IDEMPOTENCY_KEYS=1 sends a fresh Idempotency-Key with every command, as the console does, so
 * the key's reservation and stored answer are measured too (without it no request carries one).
 * BENCH_PACE=<k,…> measures the worker instead: create, submit and approve in waves of k concurrent
 * commands (BENCH_PACED_COMMANDS per phase, default 400), each wave waited for until every consumer has
 * committed it; the worker's CPU per command then depends on k (its batch size) and not on how loaded
 * the machine is, so two worker builds compare on any machine.
 * BENCH_RATE=<n> offers a fixed n requests per second (over all connections) in the timed runs instead
 * of as many as the api answers, so that builds compared see the same load (and the worker the same
 * batches). BENCH_API_NODE_ARGS adds node flags to the api, BENCH_API_ENTRY / BENCH_WORKER_ENTRY point at
 * another build to compare against.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { constants, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import type { Pool } from 'pg';
import { signDevelopmentToken, type Role } from '@app/auth';
import { loadConfig } from '@app/config';
import { createTestDatabase } from '@app/database/testing';
import { PostgresEventStore } from '@app/event-store';
import { freePort } from '../test/support/free-port';

const DURATION = Number(process.env['BENCH_DURATION'] ?? 10);
const CONNECTIONS = (process.env['BENCH_CONNECTIONS'] ?? '32,128').split(',').map(Number);
const PHASES = (process.env['BENCH_PHASES'] ?? 'mixed,create,submit,approve').split(',');
// A fixed offered load (requests per second over all connections; autocannon's overallRate) instead of
// as fast as the api answers: two builds then see the same rate, and the worker the same batches.
const RATE = process.env['BENCH_RATE'] === undefined ? undefined : Number(process.env['BENCH_RATE']);
// Paced: waves of k concurrent commands, each wave waited for until every consumer of the worker has
// committed it, so the worker sees batches of about k commands whatever the machine's load.
const PACES = process.env['BENCH_PACE'] === undefined ? undefined : process.env['BENCH_PACE'].split(',').map(Number);
const PACED_COMMANDS = Number(process.env['BENCH_PACED_COMMANDS'] ?? 400);
const WORKER = process.env['BENCH_WORKER'] !== 'off';
const KEYED = process.env['BENCH_IDEMPOTENCY_KEYS'] === '1';
// The built api and worker (relative to the working directory); another build can be pointed at for comparisons.
const API_ENTRY = process.env['BENCH_API_ENTRY'] ?? 'dist/apps/api/apps/api/src/main.js';
const WORKER_ENTRY = process.env['BENCH_WORKER_ENTRY'] ?? 'dist/apps/worker/apps/worker/src/main.js';
const PROFILE_DIR = process.env['BENCH_PROFILE'];
const PERF_DIR = process.env['BENCH_PERF'];
const PROFILE_PHASE = process.env['BENCH_PROFILE_PHASE'] ?? 'approve';
// Extra node flags for the api process only. --cpu-prof writes nothing here (the api is stopped with
// SIGTERM, and Nest re-raises it rather than exiting normally): use BENCH_PROFILE.
const API_NODE_ARGS = [
  ...(process.env['BENCH_API_NODE_ARGS'] ?? '').split(' ').filter((arg) => arg !== ''),
  ...(PROFILE_DIR !== undefined ? ['--import', path.resolve('bench/cpu-profile-hook.mjs')] : []),
  // V8 writes a log beside the perf map: into the perf directory, not the working tree.
  ...(PERF_DIR !== undefined ? ['--perf-basic-prof', `--logfile=${path.resolve(PERF_DIR, 'v8.log')}`] : []),
];

interface ServiceProcess {
  readonly child: ChildProcess;
  /** Settles once, when the process has exited (or failed to spawn), however early that was. */
  readonly exited: Promise<string>;
  /** The last few kilobytes the process wrote (stdout and stderr), for the error message when it dies. */
  output(): string;
}

/*
 * The api and the worker log JSON to stdout and crash to stderr: both are piped and drained
 * continuously, so a process that dies at start says why (a refused configuration exits 78, EX_CONFIG,
 * after logging the reason) and a full pipe never blocks a live one. The exit promise is taken right at
 * spawn, so an exit that happens before anyone waits for it is not lost.
 */
function startProcess(args: readonly string[], env: NodeJS.ProcessEnv): ServiceProcess {
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  const keep = (chunk: string): void => {
    tail = (tail + chunk).slice(-8192);
  };
  child.stdout!.setEncoding('utf8').on('data', keep);
  child.stderr!.setEncoding('utf8').on('data', keep);
  const exited = new Promise<string>((resolve) => {
    child.once('error', (error) => resolve(`could not start: ${error.message}`));
    child.once('exit', (code, signal) => resolve(signal === null ? `exited with ${code}` : `killed by ${signal}`));
  });
  return { child, exited, output: () => tail.trim() };
}

async function waitFor(what: string, service: ServiceProcess, ready: () => Promise<boolean>): Promise<void> {
  const died = service.exited.then((how) => {
    throw new Error(`${what} ${how} before it was ready${service.output() ? `:\n${service.output()}` : ''}`);
  });
  died.catch(() => undefined);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (await Promise.race([ready(), died])) return;
    await Promise.race([new Promise((resolve) => setTimeout(resolve, 100)), died]);
  }
  throw new Error(`${what} did not become ready within 60 s`);
}

async function stopProcess(service: ServiceProcess): Promise<void> {
  if (service.child.exitCode === null && service.child.signalCode === null) service.child.kill('SIGTERM');
  const forced = setTimeout(() => service.child.kill('SIGKILL'), 10_000);
  await service.exited;
  clearTimeout(forced);
}

/** The process and its children (an api cluster's processes). */
function processTree(pid: number | undefined): number[] {
  if (pid === undefined) return [];
  const children = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry)).flatMap((entry) => {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      return parent === pid ? [Number(entry)] : [];
    } catch {
      return [];
    }
  });
  return [pid, ...children];
}

/** CPU seconds (user + system) a process has used so far, from /proc; undefined when it is gone or there is no /proc. */
function processCpu(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // clock ticks (USER_HZ, 100 on Linux)
  } catch {
    return undefined;
  }
}

/** The PostgreSQL backends of one process's pool, by the application_name it connects with. */
async function backends(pool: Pool, applicationName: string): Promise<number[]> {
  const { rows } = await pool.query<{ pid: number }>(
    'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1', [applicationName],
  );
  return rows.map((r) => r.pid);
}

/** CPU seconds per pid now; a sample taken later is compared pid by pid (a pid born since counts from 0). */
type CpuSample = Map<number, number>;
function sample(pids: readonly number[]): CpuSample {
  return new Map(pids.flatMap((pid) => {
    const seconds = processCpu(pid);
    return seconds === undefined ? [] : [[pid, seconds] as const];
  }));
}
function cpuSince(before: CpuSample, after: CpuSample): number {
  let sum = 0;
  for (const [pid, seconds] of after) sum += seconds - (before.get(pid) ?? 0);
  return sum;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const createBody = JSON.stringify({
  ruleSet: 'vn-2025',
  awardCode: 'BANG_KHEN_TINH',
  year: 2025,
  proposingUnit: '03814',
  nominee: { kind: 'collective', name: 'Trường Tiểu học Chiềng Lao', organization: 'UBND xã Chiềng Lao' },
  achievements: 'Hoàn thành xuất sắc nhiệm vụ năm học 2024-2025, dẫn đầu phong trào thi đua của xã.',
  documents: [
    { kind: 'submission', title: 'Tờ trình đề nghị khen thưởng', sha256: randomBytes(32).toString('hex'), url: 'https://tailieu.sonla.gov.vn/to-trinh.pdf' },
    { kind: 'achievement_report', title: 'Báo cáo thành tích', sha256: randomBytes(32).toString('hex'), url: 'https://tailieu.sonla.gov.vn/bao-cao.pdf' },
  ],
});

const round1 = (n: number): number => Math.round(n * 10) / 10;
const round2 = (n: number): number => Math.round(n * 100) / 100;

interface RunResult {
  readonly phase: string;
  readonly connections: number;
  readonly commands: number;
  readonly errors: number;
  readonly perSecond: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  /** CPU ms per command of the api processes, of their PostgreSQL backends, and of the worker with its backends. */
  readonly apiCpuMs: number;
  readonly pgCpuMs: number;
  readonly workerCpuMs: number | undefined;
  /** Of workerCpuMs, the worker's node process alone (the rest is its PostgreSQL backends). */
  readonly workerNodeCpuMs: number | undefined;
  /** How long after the load ended the worker's consumers reached the log's end (Infinity: not within 120 s). */
  readonly workerCatchUpMs: number | undefined;
  /** Paced runs: workerCpuMs less what the worker uses when idle (timers, polling, the sealer) over the run's time. */
  readonly workerNetCpuMs?: number;
  readonly load: string;
}

interface Probes {
  readonly pool: Pool;
  readonly apiPid: number | undefined;
  readonly workerPid: number | undefined;
}

type Request = autocannon.Request & Record<string, unknown>;
type Setup<C> = (request: autocannon.Request, context: C) => autocannon.Request | undefined;

/** With BENCH_IDEMPOTENCY_KEYS=1, each request `setup` builds gets an Idempotency-Key of its own. */
function keyed<C>(setup: Setup<C> = (request) => request): Setup<C> {
  if (!KEYED) return setup;
  return (request, context) => {
    const built = setup(request, context);
    return built === undefined ? undefined : { ...built, headers: { ...built.headers, 'idempotency-key': randomUUID() } };
  };
}

/** One autocannon run: for DURATION seconds, or exactly `amount` requests. */
async function drive(
  phase: string, url: string, connections: number, requests: readonly Request[], probes: Probes, options: { amount?: number; profile?: boolean } = {},
): Promise<RunResult> {
  const latencies: number[] = [];
  const apiPids = processTree(probes.apiPid);
  const apiBackends = await backends(probes.pool, 'bench-api');
  const workerNode = processTree(probes.workerPid);
  const workerBackends = probes.workerPid !== undefined ? await backends(probes.pool, 'bench-worker') : [];
  // A single process serves by itself; a cluster's primary only supervises, its children are profiled.
  const profiled = apiPids.length > 1 ? apiPids.slice(1) : apiPids;
  if (options.profile === true && PROFILE_DIR !== undefined) for (const pid of [...profiled, ...(probes.workerPid !== undefined ? [probes.workerPid] : [])]) process.kill(pid, 'SIGWINCH');
  const perf = options.profile === true && PERF_DIR !== undefined ? [startPerf(`${phase}-api`, profiled), startPerf(`${phase}-pg`, apiBackends)] : [];
  const before = { api: sample(apiPids), pg: sample(apiBackends), workerNode: sample(workerNode), workerPg: sample(workerBackends) };
  let finish!: (result: autocannon.Result) => void;
  let fail!: (error: Error) => void;
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const instance = autocannon({
    url, connections, requests,
    ...(RATE !== undefined && phase !== 'warm-up' ? { overallRate: RATE } : {}),
    ...(options.amount !== undefined ? { amount: options.amount } : { duration: DURATION }),
  } as unknown as autocannon.Options, (error, result) => (error ? fail(error) : finish(result)));
  instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => latencies.push(responseTime));
  const failures = new Map<string, number>();
  instance.on('reqError', (error: Error) => failures.set(error.message, (failures.get(error.message) ?? 0) + 1));
  const result = await done;
  // Backends opened during the run count from zero; the worker's pool grows as it needs.
  const after = {
    api: sample(processTree(probes.apiPid)),
    pg: sample(await backends(probes.pool, 'bench-api')),
  };
  await Promise.all(perf.map((stop) => stop()));
  // The worker's work for this run is done only once its consumers have reached the log's end: its CPU
  // is counted until then (or until 120 s have passed), so a worker that falls behind during the run is
  // not flattered, and the next run does not pay for this one.
  const loadEnded = performance.now();
  const caughtUp = probes.workerPid === undefined ? true : await workerCaughtUp(probes.pool, 120_000);
  const catchUpMs = performance.now() - loadEnded;
  const workerAfter = { node: sample(processTree(probes.workerPid)), pg: sample(probes.workerPid !== undefined ? await backends(probes.pool, 'bench-worker') : []) };
  if (options.profile === true && PROFILE_DIR !== undefined) for (const pid of [...profiled, ...(probes.workerPid !== undefined ? [probes.workerPid] : [])]) process.kill(pid, 'SIGWINCH');
  latencies.sort((a, b) => a - b);
  const errors = result.non2xx + result.errors + result.timeouts;
  if (errors > 0) {
    // Every command of the workload is valid: anything but 2xx is a fault of the bench or of the api.
    const statuses = Object.entries(result.statusCodeStats ?? {}).map(([status, { count }]) => `${status}×${count}`).join(' ');
    console.error(`${phase} at ${connections} connections: ${result.non2xx} non-2xx (${statuses}), ${result.errors} errors, ${result.timeouts} timeouts`
      + `${failures.size > 0 ? ` (${[...failures].map(([message, count]) => `${message} ×${count}`).join(', ')})` : ''}`);
  }
  const total = Math.max(1, result.requests.total);
  const perCommandMs = (seconds: number): number => round2((seconds * 1000) / total);
  return {
    phase,
    connections,
    commands: result.requests.total,
    errors,
    perSecond: result.requests.total / (result.duration || DURATION),
    p50: round1(percentile(latencies, 50)),
    p95: round1(percentile(latencies, 95)),
    p99: round1(percentile(latencies, 99)),
    apiCpuMs: perCommandMs(cpuSince(before.api, after.api)),
    pgCpuMs: perCommandMs(cpuSince(before.pg, after.pg)),
    workerCpuMs: probes.workerPid === undefined ? undefined : perCommandMs(cpuSince(before.workerNode, workerAfter.node) + cpuSince(before.workerPg, workerAfter.pg)),
    workerNodeCpuMs: probes.workerPid === undefined ? undefined : perCommandMs(cpuSince(before.workerNode, workerAfter.node)),
    workerCatchUpMs: probes.workerPid === undefined ? undefined : caughtUp ? Math.round(catchUpMs) : Number.POSITIVE_INFINITY,
    load: loadavg().map((l) => l.toFixed(2)).join(' '),
  };
}

/** Waits (polling: this is a bench) until every consumer's checkpoint is at the last committed event. */
async function workerCaughtUp(pool: Pool, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  const { rows: [end] } = await pool.query<{ position: string | null }>('SELECT max(position)::text AS position FROM events');
  if (end?.position === null || end?.position === undefined) return true;
  for (;;) {
    const { rows } = await pool.query<{ behind: string }>(
      'SELECT count(*) AS behind FROM subscription_checkpoints WHERE position IS NULL OR position < $1', [end.position],
    );
    if (Number(rows[0]!.behind) === 0) return true;
    if (performance.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Waits (polling: this is a bench) until every consumer's checkpoint is at `position` or past it. */
async function consumersAt(pool: Pool, position: bigint): Promise<void> {
  for (;;) {
    const { rows } = await pool.query<{ behind: string }>(
      'SELECT count(*) AS behind FROM subscription_checkpoints WHERE position IS NULL OR position < $1', [position.toString()],
    );
    if (Number(rows[0]!.behind) === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/**
 * One paced phase: `commands` requests (made by `request(i)`) in waves of `pace` at once; after each wave,
 * wait for the worker to have committed the highest Log-Position the wave answered with.
 */
async function paced(
  phase: string, url: string, pace: number, commands: number, probes: Probes, idleWorkerCpuPerSecond: number,
  request: (i: number) => { path: string; token: string; body: string; onBody?: (body: { id: string }) => void },
): Promise<RunResult> {
  const apiPids = processTree(probes.apiPid);
  const workerNode = processTree(probes.workerPid);
  const before = {
    api: sample(apiPids), pg: sample(await backends(probes.pool, 'bench-api')),
    workerNode: sample(workerNode), workerPg: sample(await backends(probes.pool, 'bench-worker')),
  };
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  for (let i = 0; i < commands; i += pace) {
    const positions = await Promise.all(Array.from({ length: Math.min(pace, commands - i) }, async (_, j) => {
      const { path: target, token, body, onBody } = request(i + j);
      const sent = performance.now();
      const response = await fetch(`${url}${target}`, { method: 'POST', headers: headersOf(token), body });
      const text = await response.text();
      latencies.push(performance.now() - sent);
      if (!response.ok) {
        errors++;
        return 0n;
      }
      onBody?.(JSON.parse(text) as { id: string });
      return BigInt(response.headers.get('log-position') ?? '0');
    }));
    await consumersAt(probes.pool, positions.reduce((a, b) => (b > a ? b : a), 0n));
  }
  const elapsed = (performance.now() - started) / 1000;
  const after = {
    api: sample(processTree(probes.apiPid)), pg: sample(await backends(probes.pool, 'bench-api')),
    workerNode: sample(processTree(probes.workerPid)), workerPg: sample(await backends(probes.pool, 'bench-worker')),
  };
  latencies.sort((a, b) => a - b);
  const perCommandMs = (seconds: number): number => round2((seconds * 1000) / commands);
  const workerSeconds = cpuSince(before.workerNode, after.workerNode) + cpuSince(before.workerPg, after.workerPg);
  return {
    workerNetCpuMs: perCommandMs(workerSeconds - idleWorkerCpuPerSecond * elapsed),
    phase: `${phase} k=${pace}`, connections: pace, commands, errors, perSecond: commands / elapsed,
    p50: round1(percentile(latencies, 50)), p95: round1(percentile(latencies, 95)), p99: round1(percentile(latencies, 99)),
    apiCpuMs: perCommandMs(cpuSince(before.api, after.api)), pgCpuMs: perCommandMs(cpuSince(before.pg, after.pg)),
    workerCpuMs: perCommandMs(cpuSince(before.workerNode, after.workerNode) + cpuSince(before.workerPg, after.workerPg)),
    workerNodeCpuMs: perCommandMs(cpuSince(before.workerNode, after.workerNode)),
    workerCatchUpMs: 0,
    load: loadavg().map((l) => l.toFixed(2)).join(' '),
  };
}

/** `perf record` on `pids` until the returned function is called (it stops perf and waits for its file). */
function startPerf(phase: string, pids: readonly number[]): () => Promise<void> {
  mkdirSync(PERF_DIR!, { recursive: true });
  const output = path.join(PERF_DIR!, `perf-${phase}.data`);
  const perf = spawn('perf', ['record', '-F', '999', '-g', '-o', output, '-p', pids.join(',')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let errors = '';
  perf.stderr.setEncoding('utf8').on('data', (chunk: string) => (errors += chunk));
  const exited = new Promise<number | null>((resolve) => {
    perf.once('error', () => resolve(-1));
    perf.once('exit', resolve);
  });
  return async () => {
    perf.kill('SIGINT');
    if ((await exited) !== 0) console.error(`perf record: ${errors.trim()}`);
  };
}

type Tokens = Record<'proposer' | 'communeOfficer' | 'provinceOfficer', string>;

const headersOf = (token: string): Record<string, string> => ({ 'content-type': 'application/json', authorization: `Bearer ${token}` });

/** The four commands of one nomination's route, looped by every connection. */
function mixedRequests(tokens: Tokens): Request[] {
  type Context = { id?: string };
  return [
    {
      method: 'POST', path: '/nominations', headers: headersOf(tokens.proposer), body: createBody, setupRequest: keyed(),
      onResponse: (status: number, body: string, context: Context) => {
        if (status === 201) context.id = (JSON.parse(body) as { id: string }).id;
      },
    },
    {
      method: 'POST', headers: headersOf(tokens.proposer), body: '{}',
      setupRequest: keyed((request: autocannon.Request, context: Context) => (context.id ? { ...request, path: `/nominations/${context.id}/submit` } : undefined)),
    },
    {
      method: 'POST', headers: headersOf(tokens.communeOfficer), body: '{"comment":"Đủ điều kiện, đề nghị cấp tỉnh xem xét"}',
      setupRequest: keyed((request: autocannon.Request, context: Context) => (context.id ? { ...request, path: `/nominations/${context.id}/approve` } : undefined)),
    },
    {
      method: 'POST', headers: headersOf(tokens.provinceOfficer), body: '{"comment":"Trình Chủ tịch UBND tỉnh"}',
      setupRequest: keyed((request: autocannon.Request, context: Context) => (context.id ? { ...request, path: `/nominations/${context.id}/approve` } : undefined)),
    },
  ] as Request[];
}

/** Collects the id of every nomination a request answered with `status`. */
function collectIds(status: number, into: string[]) {
  return (got: number, body: string): void => {
    if (got === status) into.push((JSON.parse(body) as { id: string }).id);
  };
}

/**
 * One request per nomination of `ids`, each exactly once. autocannon builds each connection's next
 * request before it knows whether it will be sent, so a reserve of two per connection is kept out of
 * `amount`: every request sent names a nomination no other request named.
 */
function onceEach(ids: readonly string[], connections: number, command: string, token: string, body: string, done: string[]): { requests: Request[]; amount: number } | undefined {
  const amount = ids.length - 2 * connections;
  if (amount < 2 * connections) return undefined;
  let next = 0;
  return {
    amount,
    requests: [{
      method: 'POST', headers: headersOf(token), body,
      setupRequest: keyed((request: autocannon.Request) => ({ ...request, path: `/nominations/${ids[Math.min(next++, ids.length - 1)]}/${command}` })),
      onResponse: collectIds(200, done),
    }] as Request[],
  };
}

async function runStore(store: PostgresEventStore, nominations: number, concurrency: number): Promise<number> {
  let next = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (next < nominations) {
      next++;
      // Its own stream category, which the worker's consumers pass over.
      const stream = `benchstore-${randomUUID()}`;
      for (let revision = 0; revision < 4; revision++) {
        await store.append(stream, [{ id: randomUUID(), type: 'BenchEvent', data: { revision, name: 'Trường Tiểu học Chiềng Lao' }, metadata: { actor: { id: 'u' } } }], revision === 0 ? 'no_stream' : revision - 1);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return (nominations * 4) / ((performance.now() - started) / 1000);
}

async function main(): Promise<void> {
  // The store comparison's pool: 16 connections at most (the server is shared, max_connections 100).
  const database = await createTestDatabase({ max: 16 });
  const mailDir = mkdtempSync(path.join(tmpdir(), 'bench-api-mail-'));
  let api: ServiceProcess | undefined;
  let worker: ServiceProcess | undefined;
  let cleaning: Promise<void> | undefined;
  const cleanup = (): Promise<void> =>
    (cleaning ??= (async () => {
      await Promise.all([api, worker].map((p) => (p === undefined ? undefined : stopProcess(p))));
      await database.drop();
      rmSync(mailDir, { recursive: true, force: true });
    })());
  // Interrupted (Ctrl-C, or a time limit's SIGTERM): stop the api and drop the database before going.
  // `on`, not `once`: a signal sent to the process group arrives twice (directly, and relayed by the tsx
  // CLI), and with no listener left tsx's own handler would exit at once, in the middle of the cleanup.
  let interrupted = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (interrupted) return;
      interrupted = true;
      console.error(`${signal}: stopping the api and dropping ${database.name}`);
      void cleanup().finally(() => process.exit(128 + constants.signals[signal]));
    });
  }
  try {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const env = {
      ...process.env, NODE_ENV: 'development', PORT: String(port), METRICS_PORT: '0', WORKER_METRICS_PORT: '0', DATABASE_URL: database.url, LOG_LEVEL: 'warn',
      // The per-user write limit is the config's maximum: three bench users write far more than 600 a minute.
      WRITE_RATE_LIMIT_PER_MINUTE: '1000000', QUEUE_PREFIX: `bench-${process.pid}`, MAIL_DIR: mailDir, DEMO: 'off',
      ...(PROFILE_DIR !== undefined ? { BENCH_PROFILE_DIR: path.resolve(PROFILE_DIR) } : {}),
    };
    // The api's own configuration, read here first: a refused variable fails now, by name, and the tokens
    // are signed with exactly the secret, issuer and audience the api will verify.
    const config = loadConfig(env);
    // 32 pooled connections across the api's processes, as many as the HTTP connections of a run (the
    // server is shared: max_connections is 100).
    const apiPool = String(Math.ceil(32 / config.apiProcesses));
    // Each pool names itself (PGAPPNAME), so pg_stat_activity tells whose backend is whose.
    api = startProcess([...API_NODE_ARGS, API_ENTRY], { ...env, DATABASE_POOL_MAX: apiPool, PGAPPNAME: 'bench-api' });
    const runningApi = api;
    // However this process ends, the api and worker do not outlive it.
    process.once('exit', () => {
      runningApi.child.kill('SIGKILL');
      worker?.child.kill('SIGKILL');
    });
    await waitFor('api', api, () => fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(2_000) }).then((r) => r.ok, () => false));
    if (WORKER) {
      // Started once the api has migrated the database.
      // Each of its 8 consumers holds a pooled connection for its advisory lock: 16 leaves them 8 to work with.
      worker = startProcess([...(PROFILE_DIR !== undefined ? ['--import', path.resolve('bench/cpu-profile-hook.mjs')] : []), WORKER_ENTRY], {
        ...env, LOG_LEVEL: 'info', DATABASE_POOL_MAX: '16', PGAPPNAME: 'bench-worker', BENCH_PROFILE_ROLE: 'worker',
      });
      const running = worker;
      await waitFor('worker', worker, () => Promise.resolve(running.output().includes('"msg":"worker started"')));
    }
    const sign = (sub: string, roles: Role[], unit: string): Promise<string> =>
      signDevelopmentToken({ sub, name: `Cán bộ ${sub}`, roles, unit, codeSet: 'gso-2025' }, config, { expiresIn: '2h' });
    const tokens: Tokens = {
      proposer: await sign('bench-proposer', ['proposer'], '03814'),
      communeOfficer: await sign('bench-commune-officer', ['officer'], '03814'),
      provinceOfficer: await sign('bench-province-officer', ['officer'], '14'),
    };
    const probes: Probes = { pool: database.pool, apiPid: api.child.pid, workerPid: worker?.child.pid };
    // Warm-up at the largest concurrency: JIT, and every pooled connection opened (with its server
    // backend and prepared statements) before anything is measured.
    await drive('warm-up', url, Math.max(...CONNECTIONS), mixedRequests(tokens), probes);
    const store = new PostgresEventStore(database.pool);
    const rows: (RunResult & { storePerSecond?: number })[] = [];
    // What the worker spends doing nothing (polling, timers, sealing rounds), per second: at a few commands
    // a second it is most of its CPU per command, so paced runs also show their figure net of it.
    let idleWorkerCpuPerSecond = 0;
    if (WORKER && PACES !== undefined) {
      const pids = async (): Promise<number[]> => [...processTree(probes.workerPid), ...(await backends(probes.pool, 'bench-worker'))];
      await workerCaughtUp(probes.pool, 120_000);
      const idleFrom = sample(await pids());
      const idleStarted = performance.now();
      await new Promise((resolve) => setTimeout(resolve, 10_000));
      idleWorkerCpuPerSecond = cpuSince(idleFrom, sample(await pids())) / ((performance.now() - idleStarted) / 1000);
      console.log(`worker idle: ${(idleWorkerCpuPerSecond * 1000).toFixed(1)} ms CPU per second`);
    }
    for (const pace of WORKER ? PACES ?? [] : []) {
      const ids: string[] = [];
      rows.push(await paced('create', url, pace, PACED_COMMANDS, probes, idleWorkerCpuPerSecond, () => ({
        path: '/nominations', token: tokens.proposer, body: createBody, onBody: (body) => ids.push(body.id),
      })));
      rows.push(await paced('submit', url, pace, ids.length, probes, idleWorkerCpuPerSecond, (i) => ({ path: `/nominations/${ids[i]}/submit`, token: tokens.proposer, body: '{}' })));
      rows.push(await paced('approve', url, pace, ids.length, probes, idleWorkerCpuPerSecond, (i) => ({
        path: `/nominations/${ids[i]}/approve`, token: tokens.communeOfficer, body: '{"comment":"Đủ điều kiện, đề nghị cấp tỉnh xem xét"}',
      })));
    }
    for (const [index, connections] of (PACES === undefined ? CONNECTIONS : []).entries()) {
      const profile = (phase: string): boolean => (PROFILE_DIR !== undefined || PERF_DIR !== undefined) && index === 0 && phase === PROFILE_PHASE;
      if (PHASES.includes('mixed')) {
        const result = await drive('mixed', url, connections, mixedRequests(tokens), probes, { profile: profile('mixed') });
        // The comparison is a side figure: a server out of connections (max_connections) skips it.
        const storePerSecond = await runStore(store, Math.max(1, Math.round(result.commands / 4)), connections).catch((error: unknown) => {
          console.error(`store comparison skipped: ${(error as Error).message}`);
          return undefined;
        });
        rows.push({ ...result, ...(storePerSecond !== undefined ? { storePerSecond } : {}) });
      }
      const created: string[] = [];
      const submitted: string[] = [];
      const approved: string[] = [];
      if (PHASES.includes('create')) {
        const requests = [{ method: 'POST', path: '/nominations', headers: headersOf(tokens.proposer), body: createBody, setupRequest: keyed(), onResponse: collectIds(201, created) }] as Request[];
        rows.push(await drive('create', url, connections, requests, probes, { profile: profile('create') }));
      }
      const submit = PHASES.includes('submit') || PHASES.includes('approve') ? onceEach(created, connections, 'submit', tokens.proposer, '{}', submitted) : undefined;
      if (submit !== undefined) {
        const result = await drive('submit', url, connections, submit.requests, probes, { amount: submit.amount, profile: profile('submit') });
        if (PHASES.includes('submit')) rows.push(result);
      }
      const approve = PHASES.includes('approve')
        ? onceEach(submitted, connections, 'approve', tokens.communeOfficer, '{"comment":"Đủ điều kiện, đề nghị cấp tỉnh xem xét"}', approved)
        : undefined;
      if (approve !== undefined) rows.push(await drive('approve', url, connections, approve.requests, probes, { amount: approve.amount, profile: profile('approve') }));
    }
    // Whether the worker kept up: its consumers' checkpoints against the log's head, at the end.
    const head = await store.headPosition();
    const { rows: checkpoints } = await database.pool.query<{ name: string; position: string | null }>('SELECT name, position FROM subscription_checkpoints ORDER BY name');
    await store.close();
    const processes = config.apiProcesses;
    console.log(`\nAPI benchmark: ${DURATION} s per timed run, ${processes} api process${processes === 1 ? '' : 'es'} (API_PROCESSES), `
      + `${WORKER ? 'worker running' : 'no worker'}, ${KEYED ? 'an Idempotency-Key on every command' : 'no Idempotency-Key'}, PostgreSQL local, ${API_ENTRY}`);
    console.table(rows.map((r) => ({
      phase: r.phase,
      conns: r.connections,
      'cmd/s': Math.round(r.perSecond),
      'non-2xx': r.errors,
      'p50 ms': r.p50,
      'p95 ms': r.p95,
      'p99 ms': r.p99,
      'api CPU ms/cmd': r.apiCpuMs,
      'PG CPU ms/cmd': r.pgCpuMs,
      'api+PG ms/cmd': round2(r.apiCpuMs + r.pgCpuMs),
      'worker ms/cmd': r.workerCpuMs ?? '-',
      'worker node ms/cmd': r.workerNodeCpuMs ?? '-',
      'worker catch-up ms': r.workerCatchUpMs ?? '-',
      ...(r.workerNetCpuMs !== undefined ? { 'worker net ms/cmd': r.workerNetCpuMs } : {}),
      'store appends/s': r.storePerSecond === undefined ? '-' : Math.round(r.storePerSecond),
      'api ÷ store': r.storePerSecond === undefined ? '-' : (r.perSecond / r.storePerSecond).toFixed(2),
      'load avg': r.load,
    })));
    if (WORKER) {
      const behind = checkpoints.filter((c) => head !== undefined && (c.position === null || BigInt(c.position) < head)).map((c) => c.name);
      console.log(`worker consumers at the end: ${checkpoints.length - behind.length} of ${checkpoints.length} at the head${behind.length > 0 ? ` (behind: ${behind.join(', ')})` : ''}`);
      if (process.env['BENCH_VERBOSE'] === '1') console.log(worker?.output());
    }
  } finally {
    await cleanup();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
