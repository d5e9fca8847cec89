/**
 * Copies the event log from one store to the other and verifies every copied hash chain:
 *   npm run store:copy -- --from postgres --to kurrentdb
 *   npm run store:copy -- --from kurrentdb --to postgres
 * Both stores come from the service's own configuration (DATABASE_URL, KURRENTDB_URL). Stop the
 * service first; the copy can be interrupted and run again, it skips what is already there.
 * Exit codes: 0 copied and verified, 1 conflict or verification failure, 2 usage or configuration.
 */
import { parseArgs } from 'node:util';
import type { Pool } from 'pg';
import { ConfigError, loadConfig, type AppConfig } from '@app/config';
import { createPool, ensureDatabase, redactUrl, runMigrations } from '@app/database';
import {
  copyEventStore,
  EventStoreUnavailable,
  KurrentDbEventStore,
  PostgresEventStore,
  StoreCopyConflict,
  type EventStore,
  type StoreCopyProgress,
} from '@app/event-store';
import { createAuditServices, loadAuditKeyRing, MigrationRefused, recordLogMigration } from '@app/audit';
import { SERVICE_STREAM_PREFIXES } from '@app/platform';

type Kind = 'postgres' | 'kurrentdb';
const KINDS: readonly Kind[] = ['postgres', 'kurrentdb'];
const USAGE = 'usage: npm run store:copy -- --from postgres|kurrentdb --to kurrentdb|postgres [--batch-size 500] [--prefixes nomination-,decision-]';

function fail(message: string, code = 2): never {
  console.error(`store:copy: ${message}`);
  process.exit(code);
}

interface OpenStore {
  readonly store: EventStore;
  readonly describe: string;
  /** The newest committed position of this service's log: where a copy from this store must reach. */
  lastCommitted(): Promise<bigint | undefined>;
  close(): Promise<void>;
}

async function openStore(kind: Kind, role: 'source' | 'target', config: AppConfig, prefixes: readonly string[]): Promise<OpenStore> {
  if (kind === 'kurrentdb') {
    if (config.kurrentDbUrl === undefined) fail('KURRENTDB_URL is not set');
    const store = new KurrentDbEventStore({ connectionString: config.kurrentDbUrl, streamPrefixes: prefixes, authenticator: loadAuditKeyRing(config) });
    return {
      store,
      describe: `KurrentDB ${redactUrl(config.kurrentDbUrl)}`,
      // KurrentDB shows every committed event to readers at once: its head is the end.
      lastCommitted: () => store.headPosition(),
      close: () => store.close(),
    };
  }
  // A target database may be brand new; a source must already hold the log.
  if (role === 'target') {
    await ensureDatabase(config.databaseUrl);
    await runMigrations(config.databaseUrl);
  }
  const pool: Pool = createPool(config.databaseUrl, { max: 4, applicationName: 'store-copy' });
  // No subscriptions here, so no LISTEN connection either.
  // Copied events keep the MAC and instant they carry (store-copy.ts); new ones are MACed under the current key.
  const store = new PostgresEventStore(pool, { notifyChannel: null, authenticator: loadAuditKeyRing(config) });
  return {
    store,
    describe: `PostgreSQL ${redactUrl(config.databaseUrl)}`,
    // The log (readAll, headPosition) shows only what no still-open transaction anywhere in the
    // cluster could precede, so an empty read is not the end; the table's own maximum is. The port
    // has no call for "newest committed", hence the query (see the KurrentDB hand-over note).
    lastCommitted: async () => {
      const { rows } = await pool.query<{ max: string | null }>('SELECT max(position)::text AS max FROM events');
      const max = rows[0]?.max;
      return max === null || max === undefined ? undefined : BigInt(max);
    },
    close: async () => {
      await store.close();
      await pool.end();
    },
  };
}

/**
 * Records the copy for the audit trail (libs/audit/src/log-migration.ts): the old log verified, the new
 * one checked event for event, each copied event's old position and a signed record kept with the new
 * log, so seals of the old log still verify. The old log's seals are read from SOURCE_DATABASE_URL, the
 * record written to TARGET_DATABASE_URL (each defaults to DATABASE_URL: the database of the store that is
 * PostgreSQL, or of the mode that runs on KurrentDB).
 */
async function recordMigration(config: AppConfig, source: EventStore, target: EventStore): Promise<void> {
  const keys = loadAuditKeyRing(config);
  const sourceUrl = process.env['SOURCE_DATABASE_URL'] ?? config.databaseUrl;
  const targetUrl = process.env['TARGET_DATABASE_URL'] ?? config.databaseUrl;
  if (targetUrl !== config.databaseUrl) {
    await ensureDatabase(targetUrl);
    await runMigrations(targetUrl);
  }
  const sourcePool = createPool(sourceUrl, { max: 2, applicationName: 'store-copy' });
  const targetPool = targetUrl === sourceUrl ? sourcePool : createPool(targetUrl, { max: 2, applicationName: 'store-copy' });
  try {
    const sourceAudit = createAuditServices(sourcePool, source, keys);
    const targetAudit = createAuditServices(targetPool, target, keys);
    const migration = await recordLogMigration({ source: { store: source, ...sourceAudit }, target: { store: target, ...targetAudit }, keys });
    console.log(`  audit:              copy recorded in ${redactUrl(targetUrl)}: ${migration.eventCount} events with their old positions;`);
    console.log(`                      seals of the old log (latest #${migration.sourceSeal?.sequence ?? '-'}) verify against the new one (README, "Seals after a store switch")`);
  } catch (error) {
    if (!(error instanceof MigrationRefused)) throw error;
    console.error(`  audit: the copy is NOT recorded: ${error.message}`);
    process.exitCode = 1;
  } finally {
    await sourcePool.end();
    if (targetPool !== sourcePool) await targetPool.end();
  }
}

function parse(): { from: Kind; to: Kind; batchSize: number; prefixes: readonly string[] } {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        from: { type: 'string' },
        to: { type: 'string' },
        'batch-size': { type: 'string', default: '500' },
        prefixes: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    fail(`${(error as Error).message}\n${USAGE}`);
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const from = values.from as Kind;
  const to = values.to as Kind;
  if (!KINDS.includes(from) || !KINDS.includes(to)) fail(USAGE);
  if (from === to) fail('--from and --to must name different stores (both come from the same configuration)');
  const batchSize = Number(values['batch-size']);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) fail('--batch-size must be an integer from 1 to 10000');
  const prefixes = values.prefixes?.split(',').map((p) => p.trim()).filter((p) => p.length > 0) ?? [...SERVICE_STREAM_PREFIXES];
  if (prefixes.length === 0) fail('--prefixes needs at least one prefix');
  return { from, to, batchSize, prefixes };
}

function printProgress(progress: StoreCopyProgress): void {
  console.log(
    `  read ${progress.eventsRead}, copied ${progress.eventsCopied}, already there ${progress.eventsSkipped}, streams ${progress.streams}, at position ${String(progress.position)}`,
  );
}

async function main(): Promise<void> {
  const { from, to, batchSize, prefixes } = parse();
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }

  const opened: OpenStore[] = [];
  try {
    const source = await openStore(from, 'source', config, prefixes);
    opened.push(source);
    const target = await openStore(to, 'target', config, prefixes);
    opened.push(target);
    for (const { store, describe } of opened) {
      try {
        await store.ping();
      } catch (error) {
        if (error instanceof EventStoreUnavailable) fail(`${describe} is not reachable: ${error.message}`, 1);
        throw error;
      }
    }
    console.log(`Copying ${source.describe} -> ${target.describe} (streams starting with ${prefixes.join(', ')})`);

    let lastPrint = 0;
    const started = Date.now();
    const until = await source.lastCommitted();
    const summary = await copyEventStore(source.store, target.store, {
      batchSize,
      until,
      onProgress: (progress) => {
        if (Date.now() - lastPrint < 1000) return;
        lastPrint = Date.now();
        printProgress(progress);
      },
    });

    console.log(`Done in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
    console.log(`  streams:            ${summary.streams}`);
    console.log(`  events read:        ${summary.eventsRead}`);
    console.log(`  events copied:      ${summary.eventsCopied}`);
    console.log(`  already there:      ${summary.eventsSkipped}`);
    console.log(`  chains verified:    ${summary.verifiedStreams} of ${summary.streams}`);
    for (const mismatch of summary.mismatches) {
      const at = mismatch.firstBrokenRevision === undefined ? '' : ` (first broken revision ${mismatch.firstBrokenRevision})`;
      console.error(`  MISMATCH ${mismatch.streamId}: ${mismatch.reason}${at}`);
    }
    if (summary.mismatches.length > 0) process.exitCode = 1;
    else {
      console.log(`  target log:         ${await target.store.identity()}`);
      await recordMigration(config, source.store, target.store);
      console.log('Next: run the service on the target with a PostgreSQL database of its own, so that its read models and');
      console.log('checkpoints are built from the new log (README, "Switching stores").');
    }
  } catch (error) {
    if (error instanceof StoreCopyConflict) fail(`${error.message}\nThe target is not a copy of this source; nothing after that event was copied.`, 1);
    if (error instanceof EventStoreUnavailable) fail(`${error.message}\nRun the copy again once the store is back; it resumes where it stopped.`, 1);
    throw error;
  } finally {
    await Promise.all(opened.map((o) => o.close().catch(() => undefined)));
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
