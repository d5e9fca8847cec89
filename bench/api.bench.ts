/*
 * HTTP benchmark: the running service under a mixed command workload, against the store alone.
 *
 *   npm run bench:api                      (32 and 128 connections, 10 s each)
 *   BENCH_DURATION=20 BENCH_CONNECTIONS=32 npm run bench:api
 *
 * It builds nothing: run `npm run build` first (npm run bench:api does). It creates its own database
 * (dropped at the end), starts one api process from dist/ on a free port, and drives it with
 * autocannon. Each connection loops through the life of a vn-2025 Bằng khen nomination along its
 * route: create (proposer, commune 03814) → submit → approve at the commune → approve at the province,
 * four commands per nomination. Then, on the same database server, the same number of events is
 * appended straight to the event store with the same concurrency (one stream per nomination, four
 * appends with expected revisions), and the ratio api ÷ store says what HTTP, auth, validation,
 * idempotency and folding cost on top of the append itself.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID, randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { signDevelopmentToken, type Role } from '@app/auth';
import { loadConfig } from '@app/config';
import { createTestDatabase } from '@app/database/testing';
import { PostgresEventStore } from '@app/event-store';

const DURATION = Number(process.env['BENCH_DURATION'] ?? 10);
const CONNECTIONS = (process.env['BENCH_CONNECTIONS'] ?? '32,128').split(',').map(Number);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address !== null ? address.port : 0;
}

async function waitReady(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 300; i++) {
    console.error('probe', i, child.exitCode);
    if (child.exitCode !== null) throw new Error(`api exited with ${child.exitCode}`);
    try {
      const response = await fetch(`${url}/health/ready`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('api did not become ready');
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

interface RunResult {
  readonly connections: number;
  readonly commands: number;
  readonly errors: number;
  readonly perSecond: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

async function runApi(url: string, tokens: Record<string, string>, connections: number): Promise<RunResult> {
  const latencies: number[] = [];
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
  latencies.sort((a, b) => a - b);
  const errors = result.non2xx + result.errors + result.timeouts;
  return {
    connections,
    commands: result.requests.total,
    errors,
    perSecond: result.requests.total / DURATION,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
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
  // undici leaves no ref'd handle while a fetch waits on a socket; keep the loop alive for the run.
  const keepAlive = setInterval(() => undefined, 60_000);
  const database = await createTestDatabase({ max: 40 });
  console.error('db ok');
  const port = await freePort();
  console.error('port', port);
  const url = `http://127.0.0.1:${port}`;
  const env = {
    ...process.env, NODE_ENV: 'development', PORT: String(port), DATABASE_URL: database.url, LOG_LEVEL: 'warn',
    DATABASE_POOL_MAX: '40', WRITE_RATE_LIMIT_PER_MINUTE: '100000000', QUEUE_PREFIX: `bench-${process.pid}`,
  };
  const child = spawn(process.execPath, ['dist/apps/api/apps/api/src/main.js'], { env, stdio: 'ignore' });
  try {
    await waitReady(url, child);
    console.error('ready');
    const config = loadConfig({ NODE_ENV: 'development' });
    const sign = (sub: string, roles: Role[], unit: string): Promise<string> =>
      signDevelopmentToken({ sub, name: `Cán bộ ${sub}`, roles, unit, codeSet: 'gso-2025' }, config, { expiresIn: '2h' });
    const tokens = {
      proposer: await sign('bench-proposer', ['proposer'], '03814'),
      communeOfficer: await sign('bench-commune-officer', ['officer'], '03814'),
      provinceOfficer: await sign('bench-province-officer', ['officer'], '14'),
    };
    console.error('tokens');
    await runApi(url, tokens, 8); // warm-up: JIT, pool, caches
    const store = new PostgresEventStore(database.pool);
    const rows: (RunResult & { storePerSecond: number })[] = [];
    for (const connections of CONNECTIONS) {
      const api = await runApi(url, tokens, connections);
      const storePerSecond = await runStore(store, Math.max(1, Math.round(api.commands / 4)), connections);
      rows.push({ ...api, storePerSecond });
    }
    await store.close();
    console.log(`\nAPI benchmark: ${DURATION} s per run, mixed create/submit/approve/approve, one api process, PostgreSQL local`);
    console.table(rows.map((r) => ({
      connections: r.connections,
      'commands/s': Math.round(r.perSecond),
      'non-2xx/errors': r.errors,
      'p50 ms': r.p50,
      'p95 ms': r.p95,
      'p99 ms': r.p99,
      'store appends/s': Math.round(r.storePerSecond),
      'api ÷ store': (r.perSecond / r.storePerSecond).toFixed(2),
    })));
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    await database.drop();
    clearInterval(keepAlive);
  }
}

console.log("bench:api starting");
process.on("beforeExit", (c) => console.error("beforeExit", c));
process.on("exit", (c) => console.error("exit", c));
main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
