import { Pool } from 'pg';
import { PostgresEventStore } from '@app/event-store';
import { loadReferenceData, WorkingDayCalendar } from '@app/nomination';
import { decodeForConsumer } from '@app/platform';
import { projectionNamed } from '../projections';
import type { Projection, TableNames } from '../projection';
import { ShadowWriter } from './shadow-writer';

/**
 * One shard of a rebuild's bulk replay, run in a worker thread (rebuildProjections with `workers`):
 * the streams whose id hashes to `shard` of `shards`. Every event of a stream lies in one shard, and
 * every projection's row belongs to one stream, so the shards' rows never overlap and each shard folds
 * its streams in log order, as one replay would. Each shard reads the log itself (the reading is
 * cheap next to decoding and folding), up to exactly `stopAt`, so all end at the same position.
 */
export interface ShardTask {
  readonly connectionString: string;
  readonly projections: readonly string[];
  readonly shard: number;
  readonly shards: number;
  /** Last position to apply (decimal). */
  readonly stopAt: string;
  readonly batchSize: number;
  readonly cacheRows: number;
  readonly suffix: string;
}

export type ShardMessage =
  | { readonly kind: 'progress'; readonly events: number; readonly position: string }
  | { readonly kind: 'done'; readonly events: number; readonly position: string }
  | { readonly kind: 'error'; readonly message: string };

/** FNV-1a of the stream id: the shard a stream belongs to. */
export function shardOf(streamId: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < streamId.length; i++) {
    hash ^= streamId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % shards;
}

export function shadowTablesOf(projection: Projection<unknown, string>, suffix: string): TableNames {
  return Object.fromEntries(Object.entries(projection.tables).map(([logical, table]) => [logical, `${table}${suffix}`]));
}

/** Runs one shard to the end; `post` receives progress after every batch, then `done`. */
export async function runRebuildShard(task: ShardTask, post: (message: ShardMessage) => void): Promise<void> {
  const projections = task.projections.map((name) => projectionNamed(name) as Projection<unknown, string>);
  const pool = new Pool({ connectionString: task.connectionString, max: projections.length + 2, application_name: 'projections-rebuild-shard' });
  pool.on('error', () => undefined);
  const store = new PostgresEventStore(pool, { notifyChannel: null });
  const context = { calendar: new WorkingDayCalendar(loadReferenceData().holidays) };
  const clients = await Promise.all(projections.map(() => pool.connect()));
  try {
    const writers = await Promise.all(projections.map(async (projection, i) => {
      // The shadows are thrown away if the rebuild dies: no need to wait for each write to reach the disk.
      await clients[i]!.query('SET synchronous_commit TO off');
      return new ShadowWriter(projection, clients[i]!, shadowTablesOf(projection, task.suffix), context, task.cacheRows);
    }));
    const wanted = projections.map((p) => new Set<string>(p.categories));
    const categories = new Set<string>(projections.flatMap((p) => p.categories));
    const stopAt = BigInt(task.stopAt);
    const read = (after: bigint | undefined) => store.readAll({ ...(after !== undefined ? { after } : {}), limit: task.batchSize });
    let position: bigint | undefined;
    let events = 0;
    let next = read(undefined);
    for (;;) {
      const batch = await next;
      if (batch.events.length === 0) {
        // Up to stopAt is committed, but an older transaction still running elsewhere hides it for now.
        if (position === undefined || position < stopAt) {
          await new Promise((resolve) => setTimeout(resolve, 20));
          next = read(position);
          continue;
        }
        break;
      }
      const last = batch.events[batch.events.length - 1]!.position;
      const more = last < stopAt;
      if (more) next = read(last);
      const mine = [];
      for (const e of batch.events) {
        if (e.position > stopAt) break;
        events++;
        if (shardOf(e.streamId, task.shards) === task.shard) mine.push(e);
      }
      position = last < stopAt ? last : stopAt;
      const decoded = decodeForConsumer(mine, categories, () => undefined);
      await Promise.all(writers.map((writer, i) => writer.apply(projections.length === 1 ? decoded : decoded.filter((e) => wanted[i]!.has(e.category)))));
      post({ kind: 'progress', events, position: position.toString() });
      if (!more) break;
    }
    for (const writer of writers) await writer.flush();
    post({ kind: 'done', events, position: stopAt.toString() });
  } finally {
    for (const client of clients) client.release();
    await store.close();
    await pool.end();
  }
}
