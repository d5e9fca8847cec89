/**
 * Rebuilds read models from the event log into fresh tables and swaps them in atomically, while the
 * api keeps answering from the old ones and the worker keeps running:
 *   npm run projections:rebuild                 # every projection, from one replay of the log
 *   npm run projections:rebuild -- nominations  # only these (names: see below)
 *   npm run projections:rebuild -- --workers 1  # all in this thread (default 2 on PostgreSQL: the
 *                                               # bulk of the replay split by stream between worker threads)
 * Progress: a bar on a terminal, a JSON line every 2 s otherwise. Configuration as the service's
 * (DATABASE_URL, EVENT_STORE, KURRENTDB_URL). Exit codes: 0 done, 1 failed, 2 usage.
 */
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '@app/config';
import { createPool, ensureDatabase, runMigrations } from '@app/database';
import { loadReferenceData, WorkingDayCalendar } from '@app/nomination';
import { createRootLogger } from '@app/observability';
import { createEventStore } from '@app/platform';
import { loadAuditKeyRing } from '@app/audit';
import { PROJECTIONS, projectionNamed, rebuildProjections, type RebuildProgress } from '@app/read-models';

const USAGE = `usage: npm run projections:rebuild [-- <name> ...] [--batch-size 10000] [--workers 2]; names: ${PROJECTIONS.map((p) => p.name).join(', ')}`;

function fail(message: string, code: number): never {
  console.error(`projections:rebuild: ${message}`);
  process.exit(code);
}

function progressPrinter(): (p: RebuildProgress) => void {
  const tty = process.stderr.isTTY === true;
  let lastLine = 0;
  let lastPhase = '';
  return (p) => {
    const rate = p.elapsedMs > 0 ? Math.round((p.events / p.elapsedMs) * 1000) : 0;
    if (tty) {
      const width = 30;
      const share = p.total ? Math.min(1, p.events / p.total) : 0;
      const bar = p.total ? `[${'#'.repeat(Math.round(share * width)).padEnd(width, '.')}] ${(share * 100).toFixed(1).padStart(5)}%` : '[?]';
      process.stderr.write(`\r${p.projection.padEnd(14)} ${bar} ${p.events}${p.total ? `/${p.total}` : ''} events ${rate} ev/s ${p.phase}   `);
      if (p.phase === 'done') process.stderr.write('\n');
      return;
    }
    const now = Date.now();
    if (p.phase !== lastPhase || now - lastLine >= 2_000) {
      lastLine = now;
      lastPhase = p.phase;
      process.stdout.write(`${JSON.stringify({ ...p, eventsPerSecond: rate })}\n`);
    }
  };
}

async function main(): Promise<void> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ options: { 'batch-size': { type: 'string' }, workers: { type: 'string' }, help: { type: 'boolean' } }, allowPositionals: true });
  } catch (error) {
    fail(`${(error as Error).message}\n${USAGE}`, 2);
  }
  if (parsed.values['help']) {
    console.log(USAGE);
    return;
  }
  const batchSize = parsed.values['batch-size'] === undefined ? 10_000 : Number(parsed.values['batch-size']);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 50_000) fail(`--batch-size must be 1–50000\n${USAGE}`, 2);
  const workerCount = parsed.values['workers'] === undefined ? 2 : Number(parsed.values['workers']);
  if (!Number.isInteger(workerCount) || workerCount < 1 || workerCount > 16) fail(`--workers must be 1–16\n${USAGE}`, 2);
  let projections;
  try {
    projections = parsed.positionals.length === 0 ? PROJECTIONS : parsed.positionals.map((name) => projectionNamed(name));
  } catch (error) {
    fail(`${(error as Error).message}\n${USAGE}`, 2);
  }
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message, 2);
    throw error;
  }
  await ensureDatabase(config.databaseUrl);
  await runMigrations(config.databaseUrl);
  const logger = createRootLogger({ level: 'warn', service: 'projections-rebuild' });
  // A connection per projection being rebuilt, and some for reading the log.
  const pool = createPool(config.databaseUrl, { max: projections.length + 3, applicationName: 'projections-rebuild' });
  const store = createEventStore(config, pool, logger, loadAuditKeyRing(config));
  const context = { calendar: new WorkingDayCalendar(loadReferenceData().holidays) };
  const print = progressPrinter();
  try {
    // One replay of the log for all of them (each batch read and decoded once), then one swap each.
    // Worker threads read the PostgreSQL log themselves; another store is replayed in this thread.
    const workers = config.eventStore === 'postgres' && workerCount > 1 ? { count: workerCount, connectionString: config.databaseUrl } : undefined;
    const results = await rebuildProjections(pool, store, projections, context, { batchSize, onProgress: print, ...(workers ? { workers } : {}) });
    if (process.stderr.isTTY !== true) {
      for (const result of results) {
        process.stdout.write(`${JSON.stringify({ projection: result.projection, phase: 'swapped', events: result.events, position: result.position?.toString() ?? null, elapsedMs: result.elapsedMs })}\n`);
      }
    }
  } finally {
    await store.close();
    await pool.end();
  }
}

main().catch((error: unknown) => fail(error instanceof Error ? error.stack ?? error.message : String(error), 1));
