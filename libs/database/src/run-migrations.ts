import path from 'node:path';
import { runner } from 'node-pg-migrate';
import type { Pool } from 'pg';

export interface RunMigrationsOptions {
  /** Defaults to `migrations/` under the working directory, i.e. the repository root. */
  readonly dir?: string;
  /** Receives node-pg-migrate's progress lines; silent by default. */
  readonly log?: (message: string) => void;
}

export const MIGRATIONS_TABLE = 'pgmigrations';

/**
 * Applies the pending SQL migrations, each run in one transaction. Several processes may call this at
 * once: node-pg-migrate holds an advisory lock for the whole run and, in 'wait' mode, the others queue
 * on it and then find nothing left to do.
 *
 * Returns the names of the migrations this call applied.
 */
export async function runMigrations(target: Pool | string, options: RunMigrationsOptions = {}): Promise<string[]> {
  const log = options.log ?? (() => undefined);
  const common = {
    dir: options.dir ?? path.resolve(process.cwd(), 'migrations'),
    migrationsTable: MIGRATIONS_TABLE,
    direction: 'up' as const,
    singleTransaction: true,
    checkOrder: true,
    advisoryLockMode: 'wait' as const,
    logger: { debug: log, info: log, warn: log, error: log },
  };
  if (typeof target === 'string') {
    const applied = await runner({ ...common, databaseUrl: target });
    return applied.map((m) => m.name);
  }
  // The lock is session-level, so the whole run must stay on one connection.
  const client = await target.connect();
  try {
    const applied = await runner({ ...common, dbClient: client });
    client.release();
    return applied.map((m) => m.name);
  } catch (error) {
    // Discard the connection: it may still hold the migration lock or an aborted transaction.
    client.release(true);
    throw error;
  }
}
