/*
 * Notification benchmark: events in the log → e-mails accepted by a local SMTP peer.
 *
 *   npm run bench:mail                 (10,000 events; BENCH_EVENTS=20000 npm run bench:mail for more)
 *
 * It builds nothing itself (npm run bench:mail runs `npm run build` first). It creates its own database
 * (dropped at the end) and Redis prefix (deleted at the end), starts an in-process SMTP server (the
 * `smtp-server` package) that accepts everything, and runs one worker process from dist/. Two officers
 * of commune 03814 are in the staff directory, so each NominationSubmitted becomes two mails and each
 * NominationCreated none: BENCH_EVENTS events (half created, half submitted) make BENCH_EVENTS mails.
 *
 *   backlog  all events are appended while the worker is stopped, then the worker starts: mails per
 *            second from its start to the last acceptance (dispatch, queueing, rendering, SMTP and the
 *            sent mark included), and latency from each event's append to the peer's acceptance.
 *   live     the worker runs while the same number of events is appended by 16 concurrent writers as
 *            fast as the store takes them: mails per second, and append → acceptance p50/p95/p99.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { SMTPServer } from 'smtp-server';
import { createTestDatabase } from '@app/database/testing';
import { PostgresEventStore } from '@app/event-store';
import { decide, evolve, findRuleSet, initialNominationState, loadReferenceData, UnitDirectory, WorkingDayCalendar, type Actor } from '@app/nomination';

const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 10_000);
const WORKER_ENTRY = process.env['BENCH_WORKER_ENTRY'] ?? 'dist/apps/worker/apps/worker/src/main.js';
const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379/0';
/** Extra node flags for the worker, e.g. BENCH_WORKER_NODE_ARGS='--cpu-prof --cpu-prof-dir=var/prof' to profile it. */
const WORKER_NODE_ARGS = (process.env['BENCH_WORKER_NODE_ARGS'] ?? '').split(/\s+/).filter((a) => a !== '');

const reference = loadReferenceData();
const directory = UnitDirectory.fromRecords(reference.units, reference.levels.map((l) => l.code), reference.codeSets.map((c) => c.id));
const calendar = new WorkingDayCalendar(reference.holidays);
const ruleSet = findRuleSet(reference.ruleSets, 'vn-2025')!;
const proposer: Actor = { id: 'bench-p-03814', name: 'Lò Văn Tuấn', unit: '03814', codeSet: 'gso-2025', roles: ['proposer'] };

/** Create + submit of one nomination, decided by the real domain: two events, two mails. */
function nominationEvents(n: number): { streamId: string; events: { id: string; type: string; data: unknown; metadata: Record<string, unknown> }[] } {
  const id = randomUUID();
  const now = new Date();
  const ctx = { now, actor: proposer, ruleSet, directory, calendar };
  const created = decide(initialNominationState, {
    type: 'CreateNomination', nominationId: id, awardCode: 'BANG_KHEN_TINH', year: 2025, proposingUnit: '03814',
    nominee: { kind: 'collective', name: `Tổ dân phố số ${n} – Chiềng Lao`, organization: 'UBND xã Chiềng Lao' },
    achievements: 'Hoàn thành xuất sắc nhiệm vụ năm 2025',
    documents: [
      { kind: 'submission', title: 'Tờ trình', sha256: 'a'.repeat(64), url: 'https://vanban.sonla.gov.vn/tt.pdf' },
      { kind: 'achievement_report', title: 'Báo cáo thành tích', sha256: 'b'.repeat(64), url: 'https://vanban.sonla.gov.vn/bc.pdf' },
    ],
  }, ctx);
  const submitted = decide(created.reduce(evolve, initialNominationState), { type: 'SubmitNomination' }, ctx);
  const metadata = { actor: { ...proposer }, correlationId: randomUUID(), commandId: randomUUID() };
  return { streamId: `nomination-${id}`, events: [...created, ...submitted].map((e) => ({ id: randomUUID(), type: e.type, data: e.data, metadata })) };
}

interface Peer {
  readonly accepted: Map<string, number>;
  readonly port: number;
  untilCount(n: number, timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

async function startPeer(): Promise<Peer> {
  const accepted = new Map<string, number>();
  const waiters: { n: number; resolve: () => void }[] = [];
  const server = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS', 'AUTH'], logger: false, maxClients: 100,
    onData(stream, _session, callback) {
      let head = '';
      stream.on('data', (chunk: Buffer) => {
        if (head.length < 8192) head += chunk.toString('utf8');
      });
      stream.on('end', () => {
        const id = /^message-id:\s*(<[^>]+>)/im.exec(head)?.[1] ?? '';
        if (!accepted.has(id)) accepted.set(id, performance.timeOrigin + performance.now());
        callback();
        for (let i = waiters.length - 1; i >= 0; i--) if (accepted.size >= waiters[i]!.n) waiters.splice(i, 1)[0]!.resolve();
      });
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server as unknown as { server: { address(): { port: number } } }).server.address().port;
  return {
    accepted, port,
    untilCount: (n, timeoutMs) => new Promise<void>((resolve, reject) => {
      if (accepted.size >= n) return resolve();
      const timer = setTimeout(() => reject(new Error(`only ${accepted.size} of ${n} mails within ${timeoutMs} ms`)), timeoutMs);
      waiters.push({ n, resolve: () => { clearTimeout(timer); resolve(); } });
    }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function startWorker(env: NodeJS.ProcessEnv): { child: ChildProcess; started: Promise<void>; output: () => string } {
  const child = spawn(process.execPath, [...WORKER_NODE_ARGS, WORKER_ENTRY], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  const started = new Promise<void>((resolve, reject) => {
    const keep = (chunk: string): void => {
      tail = (tail + chunk).slice(-8192);
      if (tail.includes('"msg":"worker started"')) resolve();
    };
    child.stdout!.setEncoding('utf8').on('data', keep);
    child.stderr!.setEncoding('utf8').on('data', keep);
    child.once('exit', (code, signal) => reject(new Error(`worker exited (${code ?? signal}):\n${tail}`)));
  });
  return { child, started, output: () => tail };
}

async function stopWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

async function appendAll(store: PostgresEventStore, nominations: ReturnType<typeof nominationEvents>[], writers: number): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: writers }, async () => {
    while (next < nominations.length) {
      const { streamId, events } = nominations[next++]!;
      await store.append(streamId, events, 'no_stream');
    }
  }));
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); undefined elsewhere. */
function cpuSecondsOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

async function redisCpuSeconds(): Promise<number> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const info = await redis.info('cpu');
  redis.disconnect();
  return Number(/used_cpu_user:([\d.]+)/.exec(info)?.[1] ?? 0) + Number(/used_cpu_sys:([\d.]+)/.exec(info)?.[1] ?? 0);
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function deletePrefix(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
  redis.disconnect();
}

async function run(mode: 'backlog' | 'live'): Promise<void> {
  const database = await createTestDatabase({ max: 20 });
  const prefix = `bench-mail-${randomBytes(4).toString('hex')}`;
  const peer = await startPeer();
  const store = new PostgresEventStore(database.pool);
  let worker: ReturnType<typeof startWorker> | undefined;
  try {
    for (const [id, name, locale] of [['bench-o1', 'Cầm Thị Duyên', 'vi'], ['bench-o2', 'Lường Văn Hùng', 'en']] as const) {
      await database.pool.query(
        "INSERT INTO staff (id, name, email, unit, code_set, roles, locale, active) VALUES ($1, $2, $3, '03814', 'gso-2025', '{officer}', $4, true)",
        [id, name, `${id}@chienglao.sonla.gov.vn`, locale],
      );
    }
    const nominations = Array.from({ length: Math.ceil(EVENTS / 2) }, (_, i) => nominationEvents(i + 1));
    const mails = nominations.length * 2;
    const env: NodeJS.ProcessEnv = {
      PATH: process.env['PATH'], NODE_ENV: 'production', AUTH_JWT_SECRET: randomBytes(32).toString('hex'), AUDIT_SIGNING_KEY: randomBytes(32).toString('base64url'), LOG_LEVEL: 'info',
      DATABASE_URL: database.url, REDIS_URL, QUEUE_PREFIX: prefix, SMTP_URL: `smtp://127.0.0.1:${peer.port}`,
      MAIL_FROM: 'Khen thưởng <no-reply@sonla.gov.vn>', PUBLIC_URL: 'https://khenthuong.sonla.gov.vn', WORKER_METRICS_PORT: '0',
      ...(process.env['MAIL_CONCURRENCY'] ? { MAIL_CONCURRENCY: process.env['MAIL_CONCURRENCY'] } : {}),
    };
    let t0: number;
    const benchCpu0 = process.cpuUsage();
    const redisCpu0 = await redisCpuSeconds();
    if (mode === 'backlog') {
      await appendAll(store, nominations, 16);
      worker = startWorker(env);
      t0 = performance.timeOrigin + performance.now();
      await worker.started;
    } else {
      worker = startWorker(env);
      await worker.started;
      t0 = performance.timeOrigin + performance.now();
      await appendAll(store, nominations, 16);
    }
    await peer.untilCount(mails, 600_000);
    // CPU per process over the run (the peer shares the bench process with the appends in live mode; Redis is shared with other users).
    const benchCpu = process.cpuUsage(benchCpu0);
    const { rows: backends } = await database.pool.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
    const cpu = {
      worker: cpuSecondsOf(worker.child.pid),
      postgresBackends: backends.reduce((sum, b) => sum + (cpuSecondsOf(b.pid) ?? 0), 0),
      redis: (await redisCpuSeconds()) - redisCpu0,
      benchAndPeer: (benchCpu.user + benchCpu.system) / 1e6,
    };
    const last = Math.max(...peer.accepted.values());
    const seconds = (last - t0) / 1000;
    const { rows } = await database.pool.query<{ message_id: string; occurred_at: Date; created_at: Date; sent: boolean }>(
      "SELECT message_id, occurred_at, created_at, status = 'sent' AS sent FROM notification_outbox",
    );
    // Where the time went: the dispatcher's last outbox row (its transaction's start) against the last acceptance.
    const dispatched = Math.max(...rows.map((r) => r.created_at.getTime()));
    const latencies = rows.map((r) => peer.accepted.get(r.message_id)! - r.occurred_at.getTime()).filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
    console.log(JSON.stringify({
      mode, events: nominations.length * 2, mails, outboxRows: rows.length, distinctAccepted: peer.accepted.size,
      seconds: Number(seconds.toFixed(2)), mailsPerSecond: Math.round(mails / seconds),
      lastDispatchedAtSeconds: Number(((dispatched - t0) / 1000).toFixed(2)),
      cpuSeconds: Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, v === undefined ? null : Number(v.toFixed(1))])),
      appendToAcceptanceMs: { p50: Math.round(percentile(latencies, 50)), p95: Math.round(percentile(latencies, 95)), p99: Math.round(percentile(latencies, 99)), max: Math.round(latencies[latencies.length - 1]!) },
    }));
  } finally {
    if (worker) await stopWorker(worker.child);
    await peer.close();
    await database.drop();
    await deletePrefix(prefix);
  }
}

async function main(): Promise<void> {
  const modes = (process.env['BENCH_MODES'] ?? 'backlog,live').split(',') as ('backlog' | 'live')[];
  console.log(`bench:mail: ${EVENTS} events per run; worker ${WORKER_ENTRY}; load average ${(await import('node:os')).loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  for (const mode of modes) await run(mode);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
