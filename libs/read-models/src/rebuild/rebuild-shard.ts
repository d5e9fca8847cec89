import { Pool } from 'pg';
import type { EventMetadata, RecordedEvent } from '@app/event-store';
import { loadReferenceData, WorkingDayCalendar } from '@app/nomination';
import { decodeForConsumer } from '@app/platform';
import { projectionNamed } from '../projections';
import type { Projection, TableNames } from '../projection';
import { ShadowWriter } from './shadow-writer';

/**
 * One shard of a rebuild's bulk replay, run in a worker thread (rebuildProjections with `workers`):
 * the streams whose id hashes to `shard` of `shards`. Every event of a stream lies in one shard, and
 * every projection's row belongs to one stream, so the shards' rows never overlap and each shard folds
 * its streams in log order, as one replay would. Each shard reads its own events from the log, up to
 * exactly `stopAt`, so all end at the same position.
 *
 * The shard reads the PostgreSQL `events` table itself (the store's port has no sharded read), which
 * is sound only because `stopAt` is a position readers could already take when the rebuild started
 * (EventStore.headPosition: every transaction that could still write at or below it has ended), so
 * nothing can appear below it later: the visibility rule of postgres-event-store.ts is not needed.
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

/**
 * The next window of the log after a position (a walk of the primary key, `window` events), and of
 * it this shard's events (the stream id's hash decides the shard), each row with where the window
 * ends. Filtering outside the walk keeps the plan an index scan stopped at the limit.
 */
const SHARD_SQL = `
  SELECT position, event_id, stream_id, revision, type, data, metadata, hash, mac, recorded_at, window_end FROM (
    SELECT w.*, max(w.position) OVER () AS window_end FROM (
      SELECT position, event_id, stream_id, revision, type, data, metadata, hash, mac, recorded_at FROM events
      WHERE position > $1 AND position <= $2
      ORDER BY position
      LIMIT $5
    ) AS w
  ) AS x
  WHERE (hashtext(stream_id) & 2147483647) % $3 = $4
  ORDER BY position`;

/** Where the window ends when none of its events is this shard's (null: nothing left). */
const WINDOW_END_SQL = `
  SELECT max(position) AS window_end FROM (
    SELECT position FROM events WHERE position > $1 AND position <= $2 ORDER BY position LIMIT $3
  ) AS w`;

interface ShardRow {
  /** int8 arrives as a decimal string. */
  position: string;
  window_end: string;
  event_id: string;
  stream_id: string;
  revision: number;
  type: string;
  data: unknown;
  metadata: EventMetadata;
  hash: string;
  mac: string | null;
  recorded_at: Date;
}

export function shadowTablesOf(projection: Projection<unknown, string>, suffix: string): TableNames {
  return Object.fromEntries(Object.entries(projection.tables).map(([logical, table]) => [logical, `${table}${suffix}`]));
}

/** Runs one shard to the end; `post` receives progress after every batch, then `done`. */
export async function runRebuildShard(task: ShardTask, post: (message: ShardMessage) => void): Promise<void> {
  const projections = task.projections.map((name) => projectionNamed(name) as Projection<unknown, string>);
  const pool = new Pool({ connectionString: task.connectionString, max: projections.length + 2, application_name: 'projections-rebuild-shard' });
  pool.on('error', () => undefined);
  const context = { calendar: new WorkingDayCalendar(loadReferenceData().holidays) };
  const clients = await Promise.all(projections.map(() => pool.connect()));
  clients.forEach((client) => client.on('error', () => undefined));
  try {
    const writers = await Promise.all(projections.map(async (projection, i) => {
      // The shadows are thrown away if the rebuild dies: no need to wait for each write to reach the disk.
      await clients[i]!.query('SET synchronous_commit TO off');
      return new ShadowWriter(projection, clients[i]!, shadowTablesOf(projection, task.suffix), context, task.cacheRows);
    }));
    const wanted = projections.map((p) => new Set<string>(p.categories));
    const categories = new Set<string>(projections.flatMap((p) => p.categories));
    const stopAt = BigInt(task.stopAt);
    const reader = await pool.connect();
    clients.push(reader);
    // Each shard's windows take about batchSize of its own events.
    const window = task.batchSize * task.shards;
    const read = (after: bigint) => reader.query<ShardRow>({
      name: 'rebuild_shard_read', text: SHARD_SQL, values: [after.toString(), task.stopAt, task.shards, task.shard, window],
    });
    let position = -1n;
    let events = 0;
    let next = read(position);
    for (;;) {
      const { rows } = await next;
      let windowEnd: bigint | undefined;
      if (rows.length > 0) windowEnd = BigInt(rows[0]!.window_end);
      else {
        const end = await reader.query<{ window_end: string | null }>({ name: 'rebuild_shard_window_end', text: WINDOW_END_SQL, values: [position.toString(), task.stopAt, window] });
        windowEnd = end.rows[0]?.window_end === null || end.rows[0] === undefined ? undefined : BigInt(end.rows[0].window_end);
      }
      if (windowEnd === undefined) break;
      const more = windowEnd < stopAt;
      if (more) next = read(windowEnd);
      const recorded: RecordedEvent[] = rows.map((r) => ({
        id: r.event_id, streamId: r.stream_id, type: r.type, data: r.data, metadata: r.metadata, revision: Number(r.revision),
        position: BigInt(r.position), recordedAt: r.recorded_at, hash: r.hash, ...(r.mac === null || r.mac === '' ? {} : { mac: r.mac }),
      }));
      position = windowEnd;
      events += recorded.length;
      const decoded = decodeForConsumer(recorded, categories, () => undefined);
      await Promise.all(writers.map((writer, i) => writer.apply(projections.length === 1 ? decoded : decoded.filter((e) => wanted[i]!.has(e.category)))));
      post({ kind: 'progress', events, position: position.toString() });
      if (!more) break;
    }
    for (const writer of writers) await writer.flush();
    post({ kind: 'done', events, position: stopAt.toString() });
  } finally {
    for (const client of clients) client.release();
    await pool.end();
  }
}
