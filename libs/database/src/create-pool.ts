import { Pool } from 'pg';

export interface CreatePoolOptions {
  /** Maximum number of connections (default 10). */
  readonly max?: number;
  /** Shown in pg_stat_activity, so a connection can be traced back to its process. */
  readonly applicationName?: string;
  /**
   * Called when an idle pooled connection fails (database restart, terminated backend). The pool has
   * already discarded it and the next query opens a new one, so by default this is ignored rather than
   * left as an unhandled 'error' event that would end the process.
   */
  readonly onIdleClientError?: (error: Error) => void;
}

export function createPool(url: string, options: CreatePoolOptions = {}): Pool {
  const pool = new Pool({
    connectionString: url,
    max: options.max ?? 10,
    application_name: options.applicationName,
  });
  pool.on('error', options.onIdleClientError ?? (() => undefined));
  return pool;
}
