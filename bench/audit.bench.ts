/*
 * Audit trail benchmark:
 *   npm run bench:audit                         (1,000,000 events)
 *   BENCH_AUDIT_EVENTS=200000 npm run bench:audit
 *
 * On a scratch database (dropped at the end) it writes BENCH_AUDIT_EVENTS events in streams of ten,
 * spread over the communes of the reference data, each with a valid chain hash and MAC, straight into
 * the tables (the append path has its own benchmark, bench:store); fills the audit read model from them
 * with SQL; then measures:
 *   - the MAC's own cost per event (HMAC-SHA-256 over the canonical event), in-process;
 *   - sealing the whole log from nothing (every event checked and hashed);
 *   - whole-log verification (events/s), against the seal;
 *   - GET /audit/events latency (p50/p95/p99) for auditors at province, district and commune level, deep
 *     pages, and each filter, over HTTP to the built api running in its own process (`npm run build`
 *     first; bench:audit does it), port BENCH_AUDIT_PORT (default 3600);
 *   - the CSV export of every event a province auditor sees: rows/s, MB/s, and the api process's RSS
 *     before and at its peak during the export.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Pool } from 'pg';
import { AuditKeyRing, createAuditServices } from '@app/audit';
import { loadConfig } from '@app/config';
import { canonicalJson, chainHashOfText, PostgresEventStore } from '@app/event-store';
import { signDevelopmentToken } from '@app/auth';
import { forEachRange, seedLog, type SeedEvent } from './seed-log';

const API_ENTRY = process.env['BENCH_API_ENTRY'] ?? 'dist/apps/api/apps/api/src/main.js';
const TOTAL = Number(process.env['BENCH_AUDIT_EVENTS'] ?? 1_000_000);
const PER_STREAM = 10;
const SAMPLES = Number(process.env['BENCH_AUDIT_SAMPLES'] ?? 200);
const COMMUNES = ['03808', '03814', '03820', '03841', '03847', '03850'];
const TYPES = ['NominationCreated', 'NominationSubmitted', 'StageApproved', 'CouncilVoteRecorded', 'StageApproved', 'NominationApproved', 'NominationAwarded', 'StageApproved', 'NominationReturned', 'NominationSubmitted'];

function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Resident set size of a process, from /proc. */
function rssOf(pid: number | undefined): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match === null ? 0 : Number(match[1]) * 1024;
  } catch {
    return 0;
  }
}

async function waitReady(url: string, api: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (api.exitCode !== null) throw new Error(`api exited with ${api.exitCode}:\n${output()}`);
    const ready = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(2_000) }).then((r) => r.ok, () => false);
    if (ready) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`api did not become ready within 60 s:\n${output()}`);
}

/** Bench-only audit key, derived from a fixed text so that a seeded template's MACs stay valid across runs. */
const BENCH_AUDIT_KEY = createHash('sha256').update('nomination-approvals bench:audit key (never a real key)').digest('base64url');

/**
 * The log: nominations in streams of ten, interleaved as a busy service writes them (a block of 600
 * streams advances one revision at a time), spread over the communes of the reference data.
 */
function* auditEvents(total: number): Generator<SeedEvent> {
  const block = 600;
  let emitted = 0;
  for (let first = 0; emitted < total; first += block) {
    const ids = Array.from({ length: block }, () => randomUUID());
    for (let revision = 0; revision < PER_STREAM; revision++) {
      for (let s = 0; s < block; s++) {
        const nominationId = ids[s]!;
        const commune = COMMUNES[(first + s) % COMMUNES.length]!;
        const at = new Date(Date.UTC(2023, 0, 1) + emitted * 1000);
        const by = { id: `u-${commune}-${revision % 3}`, name: 'Lò Thị Hoa', unit: commune, roles: ['officer'] };
        const data = {
          schemaVersion: 1, nominationId, at: at.toISOString(), by,
          comment: 'Hồ sơ đầy đủ, thành tích xuất sắc trong phong trào thi đua năm 2022, đề nghị cấp trên xem xét.',
          ...(revision === 0 ? { proposingUnit: commune, codeSet: 'gso-2004', route: [{ unit: commune, level: 'commune' }, { unit: '120', level: 'district' }, { unit: '14', level: 'province' }] } : {}),
        };
        yield { streamId: `nomination-${nominationId}`, type: TYPES[revision]!, data, metadata: { actor: by, correlationId: randomUUID(), commandId: randomUUID() }, recordedAt: at };
        if (++emitted >= total) return;
      }
    }
  }
}

/** The audit read model, filled from the log by SQL (the consumer's own rate is bench:read's business). */
async function fillReadModel(pool: Pool, log: (line: string) => void): Promise<void> {
  const t = performance.now();
  await forEachRange(pool, `
    INSERT INTO audit_events (position, event_id, stream_id, revision, type, recorded_at, recorded_at_max, actor_id, actor_name, actor_unit, actor_roles, nomination_id, data)
    SELECT position, event_id, stream_id, revision, type, recorded_at, recorded_at, metadata->'actor'->>'id', metadata->'actor'->>'name',
           metadata->'actor'->>'unit', metadata->'actor'->'roles', (data->>'nominationId')::uuid, data
    FROM events WHERE position > $1 AND position <= $2 AND stream_id LIKE 'nomination-%'`);
  await forEachRange(pool, `
    INSERT INTO audit_event_scopes (code_set, unit, position, type, actor_id, recorded_at)
    SELECT 'gso-2004', u, e.position, e.type, e.actor_id, e.recorded_at FROM audit_events e
    CROSS JOIN LATERAL (VALUES (e.actor_unit), ('120'), ('14')) AS v(u)
    WHERE e.position > $1 AND e.position <= $2`);
  await pool.query('VACUUM ANALYZE audit_events');
  await pool.query('VACUUM ANALYZE audit_event_scopes');
  log(`  audit read model filled by SQL in ${fmt((performance.now() - t) / 1000, 1)} s`);
}

const load = (): string => `load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`;

async function main(): Promise<void> {
  console.log(`Audit trail benchmark: ${fmt(TOTAL)} events in streams of ${PER_STREAM}, ${load()}`);
  const seeded = await seedLog({ name: 'audit', version: 2, events: TOTAL, generate: auditEvents, macKey: BENCH_AUDIT_KEY, prepare: fillReadModel });
  console.log(`Log ready (${seeded.reused ? 'reused' : `seeded in ${fmt(seeded.seedSeconds, 1)} s`}; cloned in ${fmt(seeded.cloneSeconds, 1)} s): ${seeded.database.name}, ${load()}`);
  const database = seeded.database;
  if (process.env['BENCH_AUDIT_ONLY'] === 'seed') {
    await database.drop();
    return;
  }
  const secret = BENCH_AUDIT_KEY;
  const keys = new AuditKeyRing([secret]);
  const store = new PostgresEventStore(database.pool, { authenticator: keys, notifyChannel: null });
  try {
    // ---- The MAC's own cost, in-process ---------------------------------------------------------------
    {
      const dataJson = canonicalJson({ schemaVersion: 1, nominationId: randomUUID(), comment: 'Hồ sơ đầy đủ, thành tích xuất sắc trong phong trào thi đua năm 2022.', by: { id: 'u-1', name: 'Lò Thị Hoa', unit: '03814', roles: ['officer'] } });
      const metadataJson = canonicalJson({ actor: { id: 'u-1', name: 'Lò Thị Hoa', unit: '03814', roles: ['officer'] }, correlationId: randomUUID(), commandId: randomUUID() });
      const n = 200_000;
      const id = '00000000-0000-4000-8000-000000000000';
      const recordedAt = new Date().toISOString();
      const hash = 'a'.repeat(64);
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < n; i++) keys.macV1({ streamId: 'nomination-x', revision: i, id, type: 'StageApproved', dataJson, metadataJson, hash, recordedAt });
      const v1 = Number(process.hrtime.bigint() - t0) / n / 1000;
      // Version 2 on an append: the service computes the chain hash (SHA-256 over the content), then the MAC over the small record.
      const t1 = process.hrtime.bigint();
      for (let i = 0; i < n; i++) {
        const chained = chainHashOfText(hash, i, 'StageApproved', dataJson, metadataJson);
        keys.mac({ streamId: 'nomination-x', revision: i, id, type: 'StageApproved', hash: chained, recordedAt });
      }
      const v2 = Number(process.hrtime.bigint() - t1) / n / 1000;
      console.log(`MAC, in-process, per event: version 1 (HMAC-SHA-256 over the canonical event) ${fmt(v1, 2)} µs; ` +
        `version 2 (chain hash in the service + HMAC over {hash, id, recordedAt, revision, stream, type}) ${fmt(v2, 2)} µs, ${load()}`);
    }

    // ---- Seal and verify -----------------------------------------------------------------------------
    const audit = createAuditServices(database.pool, store, keys);
    let t = performance.now();
    const sealed = await audit.sealer.seal();
    const sealSeconds = (performance.now() - t) / 1000;
    console.log(`Sealing the whole log from nothing: ${fmt(sealed!.seal.eventCount)} events in ${fmt(sealSeconds, 1)} s = ${fmt(sealed!.seal.eventCount / sealSeconds)} events/s, ${load()}`);
    t = performance.now();
    const verification = await audit.verifier.verifyLog({ heldSeal: sealed!.seal });
    const verifySeconds = (performance.now() - t) / 1000;
    if (!verification.ok) throw new Error(`verification failed: ${JSON.stringify(verification.firstBroken)}`);
    console.log(`Whole-log verification against the seal: ${fmt(verification.checked)} events in ${fmt(verifySeconds, 1)} s = ${fmt(verification.checked / verifySeconds)} events/s (target >= 50,000), ${load()}`);
    if (process.env['BENCH_AUDIT_ONLY'] === 'verify') return;

    // ---- GET /audit/events, against the built api in its own process -------------------------------------
    const port = Number(process.env['BENCH_AUDIT_PORT'] ?? 3600);
    const url = `http://127.0.0.1:${port}`;
    const env = {
      ...process.env, NODE_ENV: 'development', PORT: String(port), DATABASE_URL: database.url, LOG_LEVEL: 'warn', AUDIT_SIGNING_KEY: secret,
      QUEUE_PREFIX: `bench-audit-${process.pid}`, DATABASE_POOL_MAX: '10',
    };
    const config = loadConfig(env);
    const api = spawn(process.execPath, [API_ENTRY], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let apiOutput = '';
    api.stdout!.setEncoding('utf8').on('data', (chunk: string) => void (apiOutput = (apiOutput + chunk).slice(-4096)));
    api.stderr!.setEncoding('utf8').on('data', (chunk: string) => void (apiOutput = (apiOutput + chunk).slice(-4096)));
    process.once('exit', () => api.kill('SIGKILL'));
    try {
      await waitReady(url, api, () => apiOutput);
      const token = (unit: string) => signDevelopmentToken({ sub: `a-${unit}`, name: 'Thanh tra', roles: ['auditor'], unit, codeSet: 'gso-2004' }, config, { expiresIn: '2h' });
      const tokens = { province: await token('14'), district: await token('120'), commune: await token('03814') };
      const { rows: [middle] } = await database.pool.query<{ position: string }>('SELECT position::text AS position FROM audit_events ORDER BY position OFFSET $1 LIMIT 1', [Math.floor(TOTAL / 2)]);
      const { rows: [someStream] } = await database.pool.query<{ nomination_id: string }>('SELECT nomination_id FROM audit_events OFFSET $1 LIMIT 1', [Math.floor(TOTAL / 3)]);
      const deep = Buffer.from(`p:${middle!.position}`).toString('base64url');
      const cases: [string, string, string][] = [
        ['province auditor, first page (50)', tokens.province, '/audit/events'],
        ['province auditor, 200 rows from the middle', tokens.province, `/audit/events?limit=200&cursor=${deep}`],
        ['district auditor, first page', tokens.district, '/audit/events'],
        ['commune auditor, page from the middle', tokens.commune, `/audit/events?cursor=${deep}`],
        ['one nomination', tokens.province, `/audit/events?nominationId=${someStream!.nomination_id}`],
        ['type=NominationAwarded', tokens.province, '/audit/events?type=NominationAwarded'],
        ['actor=u-03814-1', tokens.district, '/audit/events?actor=u-03814-1'],
        ['unit=03820, from 2023-01-01 12:00', tokens.province, '/audit/events?unit=03820&from=2023-01-01T12:00:00Z'],
        ['from 2023-01-12 (the newest few %)', tokens.province, '/audit/events?from=2023-01-12T00:00:00Z'],
        ['from + to, a six-hour window mid-log', tokens.province, '/audit/events?from=2023-01-06T18:00:00Z&to=2023-01-07T00:00:00Z'],
        ['type=NominationReturned, from the middle', tokens.province, `/audit/events?type=NominationReturned&cursor=${deep}`],
        ['a type that never occurs', tokens.province, '/audit/events?type=NominationRevoked'],
      ];
      console.log(`\nGET /audit/events over HTTP to the built api, ${SAMPLES} requests each, one at a time (each also records the read), ${load()}`);
      console.log('case                                          |   p50 ms |   p95 ms |   p99 ms | rows');
      console.log('----------------------------------------------+----------+----------+----------+-----');
      for (const [name, bearer, path] of cases) {
        const times: number[] = [];
        let rows = 0;
        for (let i = 0; i < SAMPLES + 10; i++) {
          const t0 = performance.now();
          const response = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${bearer}` } });
          const body = await response.text();
          const elapsed = performance.now() - t0;
          if (response.status !== 200) throw new Error(`${path}: ${response.status} ${body.slice(0, 300)}`);
          if (i >= 10) times.push(elapsed);
          rows = (JSON.parse(body) as { items: unknown[] }).items.length;
        }
        times.sort((a, b) => a - b);
        console.log(`${name.padEnd(46)}| ${fmt(percentile(times, 50), 2).padStart(8)} | ${fmt(percentile(times, 95), 2).padStart(8)} | ${fmt(percentile(times, 99), 2).padStart(8)} | ${rows}`);
      }

      // ---- CSV export: every event a province auditor sees -------------------------------------------------
      const before = rssOf(api.pid);
      let peak = before;
      const sampler = setInterval(() => {
        peak = Math.max(peak, rssOf(api.pid));
      }, 50);
      t = performance.now();
      const response = await fetch(`${url}/audit/events`, { headers: { authorization: `Bearer ${tokens.province}`, accept: 'text/csv' } });
      if (response.status !== 200 || response.body === null) throw new Error(`CSV export: ${response.status}`);
      let bytes = 0;
      let lines = 0;
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        bytes += chunk.length;
        for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) lines++;
      }
      clearInterval(sampler);
      const csvSeconds = (performance.now() - t) / 1000;
      console.log(`\nCSV export of everything a province auditor sees: ${fmt(lines - 1)} rows, ${fmt(bytes / 1e6, 1)} MB in ${fmt(csvSeconds, 1)} s = ${fmt((lines - 1) / csvSeconds)} rows/s, ${fmt(bytes / 1e6 / csvSeconds, 1)} MB/s, ${load()}`);
      console.log(`  api process RSS before the export ${fmt(before / 1e6)} MB, peak during it ${fmt(peak / 1e6)} MB (+${fmt((peak - before) / 1e6)} MB), sampled every 50 ms`);
    } finally {
      api.kill('SIGTERM');
      await new Promise((resolve) => api.once('exit', resolve));
    }

    // ---- The MAC's cost on an append: bench:store's two variants, alternating slices -------------------
    {
      const plain = new PostgresEventStore(database.pool, { notifyChannel: null });
      const signed = new PostgresEventStore(database.pool, { notifyChannel: null, authenticator: keys });
      const writers = 8;
      const slice = async (target: PostgresEventStore): Promise<{ count: number; seconds: number }> => {
        const deadline = performance.now() + 1_000;
        const started = performance.now();
        let count = 0;
        await Promise.all(Array.from({ length: writers }, async () => {
          while (performance.now() < deadline) {
            const id = randomUUID();
            await target.append(`nomination-${id}`, [{ id: randomUUID(), type: 'NominationSubmitted', data: { schemaVersion: 1, nominationId: id, comment: 'Hồ sơ đầy đủ, đề nghị cấp trên xem xét.' }, metadata: { actor: { id: 'u-1', name: 'Lò Thị Hoa', unit: '03814', roles: ['proposer'] } } }], 'no_stream');
            count++;
          }
        }));
        return { count, seconds: (performance.now() - started) / 1000 };
      };
      const totals = { plain: { count: 0, seconds: 0 }, signed: { count: 0, seconds: 0 } };
      await slice(plain);
      await slice(signed);
      for (let round = 0; round < 5; round++) {
        for (const [name, target] of [['plain', plain], ['signed', signed]] as const) {
          const r = await slice(target);
          totals[name].count += r.count;
          totals[name].seconds += r.seconds;
        }
      }
      const plainRate = totals.plain.count / totals.plain.seconds;
      const signedRate = totals.signed.count / totals.signed.seconds;
      console.log(`\nAppends (one event, new stream, ${writers} writers, 5 alternating 1 s slices each): without MAC ${fmt(plainRate)}/s, with MAC ${fmt(signedRate)}/s ` +
        `(${fmt((1 / signedRate - 1 / plainRate) * 1e6 * writers, 0)} µs per append of wall time per writer; bench:store has the full table), ${load()}`);
      await Promise.all([plain.close(), signed.close()]);
    }
  } finally {
    await store.close();
    await database.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
