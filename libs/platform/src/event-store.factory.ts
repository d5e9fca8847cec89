import type { Pool } from 'pg';
import type { Logger } from 'pino';
import type { AppConfig } from '@app/config';
import { PostgresEventStore, type EventStore } from '@app/event-store';

/** Stream prefixes this service writes; a shared KurrentDB is filtered down to them. */
export const SERVICE_STREAM_PREFIXES = ['nomination-', 'decision-'] as const;

export function createEventStore(config: AppConfig, pool: Pool, logger: Logger): EventStore {
  if (config.eventStore === 'kurrentdb') {
    throw new Error('EVENT_STORE=kurrentdb is not wired yet');
  }
  void logger;
  return new PostgresEventStore(pool);
}
