import { readdirSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createPool, ensureDatabase, MIGRATIONS_TABLE, parseDatabaseUrl, runMigrations } from '@app/database';
import { createTestDatabase, testDatabaseBaseUrl } from '@app/database/testing';

const migrationNames = readdirSync(path.resolve(process.cwd(), 'migrations'))
  .filter((file) => file.endsWith('.sql'))
  .map((file) => file.replace(/\.sql$/, ''))
  .sort();

async function withMaintenance<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: `${testDatabaseBaseUrl()}/postgres` });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function databaseExists(name: string): Promise<boolean> {
  return withMaintenance(async (client) => (await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1);
}

describe('ensureDatabase', () => {
  const name = `nomination_test_ensure_${randomBytes(5).toString('hex')}`;
  const url = `${testDatabaseBaseUrl()}/${name}`;

  afterAll(async () => {
    await withMaintenance((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  });

  it('creates the database once when several processes start at the same moment', async () => {
    expect(await databaseExists(name)).toBe(false);

    await Promise.all(Array.from({ length: 5 }, () => ensureDatabase(url)));

    expect(await databaseExists(name)).toBe(true);
    await expect(ensureDatabase(url)).resolves.toBeUndefined();
  });

  it('reads the database name and the maintenance database from the URL', () => {
    expect(parseDatabaseUrl('postgres://u:p%40ss@db.internal:6543/nomination?sslmode=require')).toEqual({
      database: 'nomination',
      maintenanceUrl: 'postgres://u:p%40ss@db.internal:6543/postgres?sslmode=require',
    });
    expect(() => parseDatabaseUrl('postgres://localhost:5432')).toThrow('No database name');
  });
});

describe('runMigrations', () => {
  it('applies every migration exactly once when several processes migrate at once', async () => {
    const database = await createTestDatabase({ migrate: false });
    try {
      const runs = await Promise.all([
        runMigrations(database.url),
        runMigrations(database.url),
        runMigrations(database.pool),
        runMigrations(database.pool),
      ]);

      // One run applied everything, under the advisory lock; the others waited and found nothing to do.
      expect(runs.flat().sort()).toEqual(migrationNames);
      expect(runs.filter((applied) => applied.length > 0)).toHaveLength(1);
      const recorded = await database.pool.query<{ name: string }>(`SELECT name FROM ${MIGRATIONS_TABLE} ORDER BY name`);
      expect(recorded.rows.map((r) => r.name)).toEqual(migrationNames);
      expect(await runMigrations(database.pool)).toEqual([]);
      const tables = await database.pool.query(`SELECT to_regclass('public.events') AS events`);
      expect(tables.rows[0].events).toBe('events');
    } finally {
      await database.drop();
    }
  });

  it('rolls a failing run back entirely and releases the lock', async () => {
    const database = await createTestDatabase({ migrate: false });
    try {
      await database.pool.query('CREATE TABLE events (clash int)');
      await expect(runMigrations(database.pool)).rejects.toThrow();
      const recorded = await database.pool.query(`SELECT to_regclass('public.${MIGRATIONS_TABLE}') AS t`);
      // The migrations table itself is created outside the failed transaction, but holds nothing.
      if (recorded.rows[0].t !== null) {
        expect((await database.pool.query(`SELECT count(*)::int AS n FROM ${MIGRATIONS_TABLE}`)).rows[0].n).toBe(0);
      }
      await database.pool.query('DROP TABLE events');
      expect((await runMigrations(database.url)).sort()).toEqual(migrationNames);
    } finally {
      await database.drop();
    }
  });
});

describe('createTestDatabase', () => {
  it('creates a migrated database and drops it even while connections are open', async () => {
    const database = await createTestDatabase();
    const straggler = new Client({ connectionString: database.url });
    straggler.on('error', () => undefined);
    await straggler.connect();
    expect(database.name).toMatch(/^nomination_test_[0-9a-f]{12}$/);
    expect((await database.pool.query('SELECT count(*)::int AS n FROM events')).rows[0].n).toBe(0);

    await database.drop();

    expect(await databaseExists(database.name)).toBe(false);
    await straggler.end().catch(() => undefined);
  });
});

describe('createPool', () => {
  it('survives an idle connection being terminated', async () => {
    const database = await createTestDatabase({ migrate: false });
    const errors: Error[] = [];
    const pool = createPool(database.url, { max: 2, onIdleClientError: (error) => errors.push(error) });
    try {
      const { rows } = await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      await database.pool.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
      for (let attempt = 0; errors.length === 0 && attempt < 100; attempt++) await new Promise((r) => setTimeout(r, 10));

      expect(errors).toHaveLength(1);
      expect((await pool.query('SELECT 1 AS one')).rows[0].one).toBe(1);
    } finally {
      await pool.end();
      await database.drop();
    }
  });
});
