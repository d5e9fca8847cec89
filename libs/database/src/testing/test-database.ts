import { randomBytes } from 'node:crypto';
import { Client, escapeIdentifier, type Pool } from 'pg';
import { createPool } from '../create-pool';
import { parseDatabaseUrl } from '../ensure-database';
import { runMigrations } from '../run-migrations';

export const DEFAULT_TEST_DATABASE_BASE_URL = 'postgres://postgres@127.0.0.1:5432';

export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  readonly pool: Pool;
  /** Ends the pool, terminates every other connection to the database and drops it. */
  drop(): Promise<void>;
}

export interface CreateTestDatabaseOptions {
  /** Pool size (default 10). */
  readonly max?: number;
  /** Skip migrations (a test of the migrations themselves). */
  readonly migrate?: boolean;
}

/** The server tests run against: TEST_DATABASE_BASE_URL, or the local trust-auth default. */
export function testDatabaseBaseUrl(): string {
  return (process.env['TEST_DATABASE_BASE_URL'] ?? DEFAULT_TEST_DATABASE_BASE_URL).replace(/\/+$/, '');
}

/** A fresh, migrated database `nomination_test_<random>` for one test file. */
export async function createTestDatabase(options: CreateTestDatabaseOptions = {}): Promise<TestDatabase> {
  const base = testDatabaseBaseUrl();
  const name = `nomination_test_${randomBytes(6).toString('hex')}`;
  const url = withDatabase(base, name);
  await maintenance(base, (client) => client.query(`CREATE DATABASE ${escapeIdentifier(name)}`));
  try {
    if (options.migrate ?? true) await runMigrations(url);
  } catch (error) {
    await dropDatabase(base, name);
    throw error;
  }
  const pool = createPool(url, { max: options.max ?? 10, applicationName: 'test' });
  let dropped = false;
  return {
    name,
    url,
    pool,
    async drop() {
      if (dropped) return;
      dropped = true;
      await pool.end().catch(() => undefined);
      await dropDatabase(base, name);
    },
  };
}

async function dropDatabase(base: string, name: string): Promise<void> {
  await maintenance(base, async (client) => {
    await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
    await client.query(`DROP DATABASE IF EXISTS ${escapeIdentifier(name)} WITH (FORCE)`);
  });
}

function withDatabase(base: string, database: string): string {
  const url = new URL(base);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

async function maintenance<T>(base: string, work: (client: Client) => Promise<T>): Promise<T> {
  const { maintenanceUrl } = parseDatabaseUrl(withDatabase(base, 'postgres'));
  const client = new Client({ connectionString: maintenanceUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
