import type { Pool } from 'pg';
import type { Logger } from 'pino';
import type { AppConfig } from '@app/config';
import { KurrentDbEventStore, PostgresEventStore, type EventAuthenticator, type EventStore } from '@app/event-store';

/** Stream prefixes this service writes; a shared KurrentDB is filtered down to them. */
export const SERVICE_STREAM_PREFIXES = ['nomination-', 'decision-', 'audit-'] as const;

/**
 * The event store chosen by EVENT_STORE. Read models, the outbox and idempotency records stay in
 * PostgreSQL either way; only the log moves.
 */
export function createEventStore(config: AppConfig, pool: Pool, logger: Logger, authenticator: EventAuthenticator): EventStore {
  if (config.eventStore === 'kurrentdb') {
    // loadConfig guarantees the URL when EVENT_STORE=kurrentdb.
    return new KurrentDbEventStore({
      connectionString: config.kurrentDbUrl!,
      streamPrefixes: SERVICE_STREAM_PREFIXES,
      logger: logger.child({ component: 'kurrentdb' }),
      authenticator,
    });
  }
  return new PostgresEventStore(pool, { authenticator });
}
