/*
 * A large event log, fast, for the benchmarks (bench:audit, bench:read): shared so there is one seeder.
 *
 *   const seeded = await seedLog({ name: 'audit', version: 1, events: 1_000_000, generate, macKey });
 *   ... seeded.database.pool / .url (a scratch clone, yours to write to) ...
 *   await seeded.database.drop();
 *
 * The events go straight into the `events` table with COPY (no append path: bench:store measures that),
 * each with its chain hash computed here exactly as the stores compute it (SHA-256 over the previous
 * hash and the canonical JSON of {data, metadata, revision, type}) and, given `macKey`, the MAC the
 * audit key ring computes (libs/event-store/src/event-mac.ts: version 2, over the chain hash and the
 * recorded instant, unless `macVersion: 1` asks for a log as written before). So the log verifies,
 * seals and projects like one written by the service.
 *
 * Reuse. The seeded log is kept as a template database `bench_seed_<name>_<fingerprint>`; the
 * fingerprint covers the name, `version` (bump it when the generator or `prepare` changes), the event
 * count, the MAC key's id and the list of migrations. A later run with the same fingerprint skips the
 * seeding and clones the template (`CREATE DATABASE … TEMPLATE`, a file copy: seconds), so a bench can
 * write to its clone (reads recorded, seals, projections) and the template stays as seeded. Templates
 * of older fingerprints for the same name are dropped. `BENCH_SEED_FRESH=1` reseeds anyway.
 *
 * Writes go in short transactions (a COPY of 5,000 events, a prepare step by ranges): PostgreSQL's
 * event readers only read below the oldest transaction running anywhere in the cluster, so one long
 * transaction would stall every other database's subscribers on the machine while it ran.
 *
 * Positions. position = transaction id × 100000 + index (the events table's CHECK). Seeded events use
 * made-up transaction ids from 3 up, 50,000 events each: below any real transaction id of the cluster,
 * hence visible to readers at once and before anything appended later, as a real older log would be.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Client, escapeIdentifier, type Pool, type PoolClient } from 'pg';
import { from as copyStream } from 'pg-copy-streams';
import { AuditKeyRing } from '@app/audit';
import { createPool, runMigrations } from '@app/database';
import { testDatabaseBaseUrl, type TestDatabase } from '@app/database/testing';
import { canonicalJson, chainHashOfText, GENESIS_HASH } from '@app/event-store';

/** One event in log order; the seeder gives it its revision, id (unless given), hash, MAC and position. */
export interface SeedEvent {
  readonly streamId: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata?: Readonly<Record<string, unknown>>;
  readonly recordedAt: Date;
  readonly id?: string;
}

export interface SeedLogOptions {
  /** Names the template: `bench_seed_<name>_…` (lowercase letters, digits, _). */
  readonly name: string;
  /** Bump when `generate` or `prepare` changes what they make. */
  readonly version: number;
  /** How many events `generate` is asked for. */
  readonly events: number;
  /** The events in log order: called once, iterated until it ends or `events` are taken. */
  readonly generate: (events: number) => Iterable<SeedEvent>;
  /** An audit key (base64url secret, as AUDIT_SIGNING_KEY): every event gets its MAC. Omit: unsigned. */
  readonly macKey?: string;
  /** The MAC version (event-mac.ts) to write: 2 (default), or 1 for a log as written before version 2. */
  readonly macVersion?: 1 | 2;
  /**
   * Runs on the template once the events are in (fill read models, seal…); part of what is reused.
   * Keep its transactions short (see above): work by position ranges, e.g. with forEachRange().
   */
  readonly prepare?: (pool: Pool, log: (line: string) => void) => Promise<void>;
  /** Progress lines (default console.log). */
  readonly log?: (line: string) => void;
}

export interface SeededLog {
  /** A clone of the template, dropped by `drop()`. */
  readonly database: TestDatabase;
  /** The template was already there: nothing was seeded this run. */
  readonly reused: boolean;
  readonly template: string;
  /** Seconds spent seeding (0 when reused) and cloning. */
  readonly seedSeconds: number;
  readonly cloneSeconds: number;
}

const EVENTS_PER_TRANSACTION = 50_000;
const FIRST_TRANSACTION = 3n;
const COPY_CHUNK = 1 << 20;
const EVENTS_PER_COPY = 5_000;
const MIGRATIONS_DIR = path.join(__dirname, '..', 'migrations');

function withDatabase(base: string, database: string): string {
  const url = new URL(base);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

async function maintenance<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: withDatabase(testDatabaseBaseUrl(), 'postgres') });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function dropDatabase(client: Client, name: string): Promise<void> {
  await client.query(`DROP DATABASE IF EXISTS ${escapeIdentifier(name)} WITH (FORCE)`);
}

/** COPY text format: backslash, tab, newline and carriage return escaped. */
function copyText(value: string): string {
  return /[\\\t\n\r]/.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r')) : value;
}

/** COPY … FROM STDIN over a pg client (pg-copy-streams), fed from a generator of text chunks. */
export async function copyFrom(client: PoolClient | Client, text: string, chunks: () => AsyncGenerator<string> | Generator<string>): Promise<void> {
  await pipeline(Readable.from(chunks()), client.query(copyStream(text)));
}

/** The fingerprint of a seed: what must match for a template to be reused. */
export function seedFingerprint(options: Pick<SeedLogOptions, 'name' | 'version' | 'events' | 'macKey' | 'macVersion'>): string {
  const keyId = options.macKey === undefined ? 'unsigned' : `${new AuditKeyRing([options.macKey]).currentKeyId}/mac-v${options.macVersion ?? 2}`;
  const migrations = readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.sql')).sort();
  return createHash('sha256')
    .update(JSON.stringify({ name: options.name, version: options.version, events: options.events, keyId, migrations }))
    .digest('hex')
    .slice(0, 12);
}

/** Writes the events into `pool`'s (migrated, empty) events table. Returns how many were written. */
export async function writeSeedEvents(pool: Pool, options: Pick<SeedLogOptions, 'events' | 'generate' | 'macKey' | 'macVersion'>, log: (line: string) => void): Promise<number> {
  const macKey = options.macKey === undefined ? undefined : new AuditKeyRing([options.macKey]);
  const streams = new Map<string, { revision: number; hash: string }>();
  let written = 0;
  const started = performance.now();
  function* lines(): Generator<string> {
    for (const event of options.generate(options.events)) {
      if (written >= options.events) return;
      const state = streams.get(event.streamId);
      const revision = state === undefined ? 0 : state.revision + 1;
      const dataJson = canonicalJson(event.data);
      const metadataJson = canonicalJson(event.metadata ?? {});
      const hash = chainHashOfText(state?.hash ?? GENESIS_HASH, revision, event.type, dataJson, metadataJson);
      streams.set(event.streamId, { revision, hash });
      const id = (event.id ?? randomUUID()).toLowerCase();
      // Instants are recorded in milliseconds, as the stores record them.
      const recordedAt = new Date(Math.floor(event.recordedAt.getTime())).toISOString();
      const content = { streamId: event.streamId, revision, id, type: event.type, dataJson, metadataJson, hash, recordedAt };
      const mac = macKey === undefined ? '' : options.macVersion === 1 ? macKey.macV1(content) : macKey.mac(content);
      const transaction = FIRST_TRANSACTION + BigInt(Math.floor(written / EVENTS_PER_TRANSACTION));
      const position = transaction * 100000n + BigInt(written % EVENTS_PER_TRANSACTION);
      written++;
      if (written % 100_000 === 0) log(`  seeded ${written.toLocaleString('en')} events (${Math.round(written / ((performance.now() - started) / 1000)).toLocaleString('en')}/s)`);
      yield `${position}\t${transaction}\t${id}\t${copyText(event.streamId)}\t${revision}\t${copyText(event.type)}\t${copyText(dataJson)}\t` +
        `${copyText(metadataJson)}\t${hash}\t${mac}\t${recordedAt}\n`;
    }
  }
  const source = lines();
  let ended = false;
  /** The next EVENTS_PER_COPY lines, in chunks of about COPY_CHUNK characters. */
  function* nextCopy(): Generator<string> {
    let chunk = '';
    for (let n = 0; n < EVENTS_PER_COPY; n++) {
      const line = source.next();
      if (line.done === true) {
        ended = true;
        break;
      }
      chunk += line.value;
      if (chunk.length >= COPY_CHUNK) {
        yield chunk;
        chunk = '';
      }
    }
    if (chunk !== '') yield chunk;
  }
  const client = await pool.connect();
  try {
    const { rows: [current] } = await client.query<{ xid: string }>('SELECT pg_current_xact_id()::text AS xid');
    const last = FIRST_TRANSACTION + BigInt(Math.ceil(options.events / EVENTS_PER_TRANSACTION));
    if (BigInt(current!.xid) <= last) throw new Error(`the cluster's transaction ids (${current!.xid}) are too young to seed below them`);
    await client.query('SET synchronous_commit = off');
    // Many short COPYs, never one long one: an open writing transaction holds back every event
    // reader in the cluster (they read below the oldest running transaction), other databases' too.
    while (!ended && written < options.events) {
      await copyFrom(
        client,
        'COPY events (position, transaction_id, event_id, stream_id, revision, type, data, metadata, hash, mac, recorded_at) FROM STDIN',
        nextCopy,
      );
    }
    await client.query('ANALYZE events');
  } finally {
    client.release();
  }
  return written;
}

/**
 * Runs `statement` (with $1, $2 the exclusive lower and inclusive upper position) over the events
 * table's positions in ranges of about `rows` events, each range its own short transaction.
 */
export async function forEachRange(pool: Pool, statement: string, rows = 20_000): Promise<void> {
  let after = '-1';
  for (;;) {
    const { rows: [next] } = await pool.query<{ upto: string | null }>(
      'SELECT max(position)::text AS upto FROM (SELECT position FROM events WHERE position > $1 ORDER BY position LIMIT $2) AS r',
      [after, rows],
    );
    if (next?.upto === null || next?.upto === undefined) return;
    await pool.query(statement, [after, next.upto]);
    after = next.upto;
  }
}

/** The seeded log, from the reused template when it matches, as a scratch clone. */
export async function seedLog(options: SeedLogOptions): Promise<SeededLog> {
  const log = options.log ?? ((line: string) => console.log(line));
  if (!/^[a-z0-9_]{1,30}$/.test(options.name)) throw new Error(`seed name ${options.name}: lowercase letters, digits and _ only`);
  const base = testDatabaseBaseUrl();
  const fingerprint = seedFingerprint(options);
  const template = `bench_seed_${options.name}_${fingerprint}`;
  const fresh = process.env['BENCH_SEED_FRESH'] === '1';

  const existing = await maintenance(async (client) => {
    const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [`bench_seed_${options.name}_%`]);
    for (const { datname } of rows) {
      if (datname !== template || fresh) {
        log(`  dropping the seed template ${datname}${datname === template ? ' (BENCH_SEED_FRESH=1)' : ' (another fingerprint)'}`);
        await dropDatabase(client, datname);
      }
    }
    return rows.some((r) => r.datname === template) && !fresh;
  });

  let reused = existing;
  if (reused) {
    // A template whose seeding was interrupted has no completion mark: seed it again.
    const pool = createPool(withDatabase(base, template), { max: 1, applicationName: 'bench-seed' });
    try {
      const { rows } = await pool.query<{ events: string }>('SELECT events::text FROM bench_seed WHERE fingerprint = $1', [fingerprint]).catch(() => ({ rows: [] }));
      reused = rows[0] !== undefined && Number(rows[0].events) > 0;
    } finally {
      await pool.end();
    }
    if (!reused) await maintenance((client) => dropDatabase(client, template));
  }

  let seedSeconds = 0;
  if (reused) {
    log(`Reusing the seeded log ${template} (same fingerprint: generator version ${options.version}, ${options.events.toLocaleString('en')} events, key, migrations)`);
  } else {
    const started = performance.now();
    log(`Seeding ${options.events.toLocaleString('en')} events into the template ${template} (kept for later runs)`);
    await maintenance((client) => client.query(`CREATE DATABASE ${escapeIdentifier(template)}`));
    await runMigrations(withDatabase(base, template));
    const pool = createPool(withDatabase(base, template), { max: 4, applicationName: 'bench-seed' });
    try {
      const written = await writeSeedEvents(pool, options, log);
      log(`  ${written.toLocaleString('en')} events copied in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      if (options.prepare !== undefined) await options.prepare(pool, log);
      await pool.query('CREATE TABLE bench_seed (fingerprint text PRIMARY KEY, events bigint NOT NULL, seeded_at timestamptz NOT NULL DEFAULT now())');
      await pool.query('INSERT INTO bench_seed (fingerprint, events) VALUES ($1, $2)', [fingerprint, written]);
      await pool.query('CHECKPOINT');
    } finally {
      await pool.end();
    }
    seedSeconds = (performance.now() - started) / 1000;
    log(`Seeded in ${seedSeconds.toFixed(1)} s`);
  }

  const cloneStarted = performance.now();
  const name = `nomination_test_${options.name}_${randomUUID().slice(0, 8)}`;
  await maintenance(async (client) => {
    await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [template]);
    // FILE_COPY: a file copy after a checkpoint, seconds for a 1,000,000-event log (WAL_LOG, the default, writes it all to the WAL).
    await client.query(`CREATE DATABASE ${escapeIdentifier(name)} TEMPLATE ${escapeIdentifier(template)} STRATEGY = FILE_COPY`);
  });
  const cloneSeconds = (performance.now() - cloneStarted) / 1000;
  const url = withDatabase(base, name);
  const pool = createPool(url, { max: 12, applicationName: 'bench' });
  let dropped = false;
  return {
    reused,
    template,
    seedSeconds,
    cloneSeconds,
    database: {
      name,
      url,
      pool,
      async drop() {
        if (dropped) return;
        dropped = true;
        await pool.end().catch(() => undefined);
        await maintenance((client) => dropDatabase(client, name));
      },
    },
  };
}

