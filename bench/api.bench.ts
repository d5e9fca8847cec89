/*
 * HTTP benchmark: the running service under a mixed command workload, against the store alone.
 *
 *   npm run bench:api                      (32 and 128 connections, 10 s each)
 *   BENCH_DURATION=20 BENCH_CONNECTIONS=32 npm run bench:api
 *
 * It builds nothing: run `npm run build` first (npm run bench:api does). It creates its own database
 * (dropped at the end), starts the api from dist/ on a free port (API_PROCESSES processes, by default
 * one per core), and drives it with
 * autocannon. Each connection loops through the life of a vn-2025 Bằng khen nomination along its
 * route: create (proposer, commune 03814) → submit → approve at the commune → approve at the province,
 * four commands per nomination. Then, on the same database server, the same number of events is
 * appended straight to the event store with the same concurrency (one stream per nomination, four
 * appends with expected revisions), and the ratio api ÷ store says what HTTP, auth, validation,
 * idempotency and folding cost on top of the append itself. "api CPU ms/cmd" is the api processes' CPU
 * time (from /proc, the primary and its children) divided by the commands they answered: the figure to watch on a machine this small,
 * where the api, PostgreSQL and autocannon share two cores.
 *
 * Profiling the api: BENCH_API_NODE_ARGS is passed to its node (e.g. '-r ./cpu-profile-hook.cjs'), and
 * BENCH_API_ENTRY points at another build of it to compare against.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { constants, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { signDevelopmentToken, type Role } from '@app/auth';
import { loadConfig } from '@app/config';
import { createTestDatabase } from '@app/database/testing';
import { PostgresEventStore } from '@app/event-store';

const DURATION = Number(process.env['BENCH_DURATION'] ?? 10);
const CONNECTIONS = (process.env['BENCH_CONNECTIONS'] ?? '32,128').split(',').map(Number);
// The built api (relative to the working directory); another build can be pointed at for comparisons.
const API_ENTRY = process.env['BENCH_API_ENTRY'] ?? 'dist/apps/api/apps/api/src/main.js';
// Extra node flags for the api process only, e.g. '-r /path/to/profile-hook.cjs' (--cpu-prof writes
// nothing here: the api is stopped with SIGTERM, and Nest re-raises it rather than exiting normally).
const API_NODE_ARGS = (process.env['BENCH_API_NODE_ARGS'] ?? '').split(' ').filter((arg) => arg !== '');

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address !== null ? address.port : 0;
}

interface ApiProcess {
  readonly child: ChildProcess;
  /** Settles once, when the process has exited (or failed to spawn), however early that was. */
  readonly exited: Promise<string>;
  /** The last few kilobytes the api wrote (stdout and stderr), for the error message when it dies. */
  output(): string;
}

/*
 * The api logs JSON to stdout (warnings and worse at LOG_LEVEL=warn) and crashes to stderr: both are
 * piped and drained continuously, so an api that dies at start says why (a refused configuration exits
 * 78, EX_CONFIG, after logging the reason) and a full pipe never blocks a live one. The exit promise is
 * taken right at spawn, so an exit that happens before anyone waits for it is not lost.
 */
function startApi(env: NodeJS.ProcessEnv): ApiProcess {
  const child = spawn(process.execPath, [...API_NODE_ARGS, API_ENTRY], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  const keep = (chunk: string): void => {
    tail = (tail + chunk).slice(-4096);
  };
  child.stdout!.setEncoding('utf8').on('data', keep);
  child.stderr!.setEncoding('utf8').on('data', keep);
  const exited = new Promise<string>((resolve) => {
    child.once('error', (error) => resolve(`could not start: ${error.message}`));
    child.once('exit', (code, signal) => resolve(signal === null ? `exited with ${code}` : `killed by ${signal}`));
  });
  return { child, exited, output: () => tail.trim() };
}

async function waitReady(url: string, api: ApiProcess): Promise<void> {
  const died = api.exited.then((how) => {
    throw new Error(`api ${how} before it was ready${api.output() ? `:\n${api.output()}` : ''}`);
  });
  died.catch(() => undefined);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const ready = await Promise.race([
      fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(2_000) }).then((r) => r.ok, () => false),
      died,
    ]);
    if (ready) return;
    await Promise.race([new Promise((resolve) => setTimeout(resolve, 100)), died]);
  }
  throw new Error('api did not become ready within 60 s');
}

async function stopApi(api: ApiProcess): Promise<void> {
  if (api.child.exitCode === null && api.child.signalCode === null) api.child.kill('SIGTERM');
  const forced = setTimeout(() => api.child.kill('SIGKILL'), 10_000);
  await api.exited;
  clearTimeout(forced);
}

/** CPU seconds (user + system) a process has used so far, from /proc; undefined where there is no /proc. */
function cpuSeconds(pid: number | undefined): number | undefined {
  try {
    const own = processCpu(pid!);
    // With API_PROCESSES > 1 the api is a cluster: count its processes, the children of this one, too.
    const children = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry)).flatMap((entry) => {
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        return parent === pid ? [processCpu(Number(entry))] : [];
      } catch {
        return [];
      }
    });
    return children.reduce((sum, seconds) => sum + seconds, own);
  } catch {
    return undefined;
  }
}

function processCpu(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // clock ticks (USER_HZ, 100 on Linux)
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

interface RunResult {
  readonly connections: number;
  readonly commands: number;
  readonly errors: number;
  readonly perSecond: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  /** CPU time the api process spent per command, in ms (undefined without /proc). */
  readonly apiCpuMs: number | undefined;
}

async function runApi(url: string, tokens: Record<string, string>, connections: number, apiPid: number | undefined): Promise<RunResult> {
  const latencies: number[] = [];
  const cpuBefore = cpuSeconds(apiPid);
  const commandHeaders = (role: string): Record<string, string> => ({
    'content-type': 'application/json',
    authorization: `Bearer ${tokens[role]}`,
  });
  type Context = { id?: string };
  let finish!: (result: autocannon.Result) => void;
  let fail!: (error: Error) => void;
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const instance = autocannon({
    url,
    connections,
    duration: DURATION,
    requests: [
      {
        method: 'POST', path: '/nominations', headers: commandHeaders('proposer'), body: createBody,
        onResponse: (status: number, body: string, context: Context) => {
          if (status === 201) context.id = (JSON.parse(body) as { id: string }).id;
        },
      },
      {
        method: 'POST', headers: commandHeaders('proposer'), body: '{}',
        setupRequest: (request: { path?: string }, context: Context) => (context.id ? { ...request, path: `/nominations/${context.id}/submit` } : undefined),
      },
      {
        method: 'POST', headers: commandHeaders('communeOfficer'), body: '{"comment":"Đủ điều kiện, đề nghị cấp tỉnh xem xét"}',
        setupRequest: (request: { path?: string }, context: Context) => (context.id ? { ...request, path: `/nominations/${context.id}/approve` } : undefined),
      },
      {
        method: 'POST', headers: commandHeaders('provinceOfficer'), body: '{"comment":"Trình Chủ tịch UBND tỉnh"}',
        setupRequest: (request: { path?: string }, context: Context) => (context.id ? { ...request, path: `/nominations/${context.id}/approve` } : undefined),
      },
    ],
  } as autocannon.Options, (error, result) => (error ? fail(error) : finish(result)));
  instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => latencies.push(responseTime));
  const result = await done;
  const cpuAfter = cpuSeconds(apiPid);
  latencies.sort((a, b) => a - b);
  const errors = result.non2xx + result.errors + result.timeouts;
  if (errors > 0) {
    // Every command of the workload is valid: anything but 2xx is a fault of the bench or of the api.
    const statuses = Object.entries(result.statusCodeStats ?? {}).map(([status, { count }]) => `${status}×${count}`).join(' ');
    console.error(`${connections} connections: ${result.non2xx} non-2xx (${statuses}), ${result.errors} errors, ${result.timeouts} timeouts`);
  }
  return {
    connections,
    commands: result.requests.total,
    errors,
    perSecond: result.requests.total / (result.duration || DURATION),
    p50: round1(percentile(latencies, 50)),
    p95: round1(percentile(latencies, 95)),
    p99: round1(percentile(latencies, 99)),
    apiCpuMs: cpuBefore === undefined || cpuAfter === undefined || result.requests.total === 0
      ? undefined
      : Math.round(((cpuAfter - cpuBefore) * 1000 * 100) / result.requests.total) / 100,
  };
}

async function runStore(store: PostgresEventStore, nominations: number, concurrency: number): Promise<number> {
  let next = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (next < nominations) {
      next++;
      const stream = `nomination-${randomUUID()}`;
      for (let revision = 0; revision < 4; revision++) {
        await store.append(stream, [{ id: randomUUID(), type: 'BenchEvent', data: { revision, name: 'Trường Tiểu học Chiềng Lao' }, metadata: { actor: { id: 'u' } } }], revision === 0 ? 'no_stream' : revision - 1);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return (nominations * 4) / ((performance.now() - started) / 1000);
}

async function main(): Promise<void> {
  const database = await createTestDatabase({ max: 40 });
  let api: ApiProcess | undefined;
  let cleaning: Promise<void> | undefined;
  const cleanup = (): Promise<void> =>
    (cleaning ??= (async () => {
      if (api !== undefined) await stopApi(api);
      await database.drop();
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
      ...process.env, NODE_ENV: 'development', PORT: String(port), METRICS_PORT: '0', DATABASE_URL: database.url, LOG_LEVEL: 'warn',
      // The per-user write limit is the config's maximum: three bench users write far more than 600 a minute.
      DATABASE_POOL_MAX: '40', WRITE_RATE_LIMIT_PER_MINUTE: '1000000', QUEUE_PREFIX: `bench-${process.pid}`,
    };
    // The api's own configuration, read here first: a refused variable fails now, by name, and the tokens
    // are signed with exactly the secret, issuer and audience the api will verify.
    const config = loadConfig(env);
    api = startApi(env);
    const running = api;
    // However this process ends, the api does not outlive it.
    process.once('exit', () => running.child.kill('SIGKILL'));
    await waitReady(url, api);
    const sign = (sub: string, roles: Role[], unit: string): Promise<string> =>
      signDevelopmentToken({ sub, name: `Cán bộ ${sub}`, roles, unit, codeSet: 'gso-2025' }, config, { expiresIn: '2h' });
    const tokens = {
      proposer: await sign('bench-proposer', ['proposer'], '03814'),
      communeOfficer: await sign('bench-commune-officer', ['officer'], '03814'),
      provinceOfficer: await sign('bench-province-officer', ['officer'], '14'),
    };
    // Warm-up at the largest concurrency: JIT, and every pooled connection opened (with its server
    // backend and prepared statements) before anything is measured.
    await runApi(url, tokens, Math.max(...CONNECTIONS), api.child.pid);
    const store = new PostgresEventStore(database.pool);
    const rows: (RunResult & { storePerSecond: number })[] = [];
    for (const connections of CONNECTIONS) {
      const result = await runApi(url, tokens, connections, api.child.pid);
      const storePerSecond = await runStore(store, Math.max(1, Math.round(result.commands / 4)), connections);
      rows.push({ ...result, storePerSecond });
    }
    await store.close();
    const processes = config.apiProcesses;
    console.log(`\nAPI benchmark: ${DURATION} s per run, mixed create/submit/approve/approve, ${processes} api process${processes === 1 ? '' : 'es'} (API_PROCESSES), PostgreSQL local, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    console.table(rows.map((r) => ({
      connections: r.connections,
      'commands/s': Math.round(r.perSecond),
      'non-2xx/errors': r.errors,
      'p50 ms': r.p50,
      'p95 ms': r.p95,
      'p99 ms': r.p99,
      'api CPU ms/cmd': r.apiCpuMs ?? '-',
      'store appends/s': Math.round(r.storePerSecond),
      'api ÷ store': (r.perSecond / r.storePerSecond).toFixed(2),
    })));
  } finally {
    await cleanup();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
