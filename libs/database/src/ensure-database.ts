import { Client, escapeIdentifier } from 'pg';

/** The database named in a connection URL, and the URL of the maintenance database on that server. */
export function parseDatabaseUrl(url: string): { database: string; maintenanceUrl: string } {
  const parsed = new URL(url);
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (database === '') throw new Error(`No database name in ${redactUrl(url)}`);
  parsed.pathname = '/postgres';
  return { database, maintenanceUrl: parsed.toString() };
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparsable database url>';
  }
}

// PostgreSQL error codes met when two processes create the same database at once.
const DUPLICATE_DATABASE = '42P04';
const UNIQUE_VIOLATION = '23505';

/**
 * Creates the database named in `url` if it does not exist, connecting to the `postgres` maintenance
 * database on the same server. Safe when several processes start at once: they serialise on an
 * advisory lock, and a creation that still collides counts as success.
 */
export async function ensureDatabase(url: string): Promise<void> {
  const { database, maintenanceUrl } = parseDatabaseUrl(url);
  const client = new Client({ connectionString: maintenanceUrl });
  await client.connect();
  try {
    // Advisory locks are per database; all contenders meet in `postgres`.
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [`ensure_database:${database}`]);
    const existing = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (existing.rowCount === 0) {
      try {
        await client.query(`CREATE DATABASE ${escapeIdentifier(database)}`);
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        if (code !== DUPLICATE_DATABASE && code !== UNIQUE_VIOLATION) throw error;
      }
    }
  } finally {
    await client.end();
  }
}
