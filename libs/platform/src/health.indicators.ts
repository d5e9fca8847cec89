import type { Redis } from 'ioredis';
import type { Pool } from 'pg';
import type { EventStore } from '@app/event-store';

export interface DependencyStatus {
  readonly name: string;
  readonly up: boolean;
  readonly detail?: string;
}

const CHECK_TIMEOUT_MS = 2000;

async function withTimeout(name: string, check: () => Promise<unknown>): Promise<DependencyStatus> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
      }),
    ]);
    return { name, up: true };
  } catch (error) {
    return { name, up: false, detail: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

/** The process's readiness check, so callers need not hold the pool or the Redis client themselves. */
export class ReadinessChecks {
  constructor(private readonly deps: { pool: Pool; redis: Redis; eventStore: EventStore }) {}

  check(): Promise<DependencyStatus[]> {
    return checkDependencies(this.deps);
  }
}

/** Readiness: every dependency a request may need answers now. */
export async function checkDependencies(deps: {
  pool: Pool;
  redis: Redis;
  eventStore: EventStore;
}): Promise<DependencyStatus[]> {
  return Promise.all([
    withTimeout('database', () => deps.pool.query('SELECT 1')),
    withTimeout('redis', () => deps.redis.ping()),
    withTimeout('eventStore', () => deps.eventStore.ping()),
  ]);
}
