import type { Pool } from 'pg';
import type { EventStore } from '../event-store.port';

/**
 * Readers of the PostgreSQL log see only what every older transaction in the cluster has finished with
 * (postgres-event-store.ts); other test files share the cluster, so this waits until the newest row of
 * the log is visible to `store`'s readers.
 */
export async function untilNewestVisible(pool: Pool, store: EventStore): Promise<void> {
  const { rows: [newest] } = await pool.query<{ position: string | null }>('SELECT max(position)::text AS position FROM events');
  if (newest?.position === null || newest === undefined) return;
  for (;;) {
    const head = await store.headPosition();
    if (head !== undefined && head >= BigInt(newest.position)) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
