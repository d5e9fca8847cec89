import { Pool } from 'pg';
import { decodeServiceEvent, EventDecodeError, loadReferenceData, type ServiceEvent, streamCategory, WorkingDayCalendar } from '@app/nomination';
import type { ConsumedEvent } from '@app/platform';
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
  SELECT position, event_id, stream_id, revision, type, data, window_end FROM (
    SELECT w.*, max(w.position) OVER () AS window_end FROM (
      SELECT position, event_id, stream_id, revision, type, data FROM events
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

export interface ShardRow {
  /** int8 arrives as a decimal string. */
  position: string;
  window_end: string;
  event_id: string;
  stream_id: string;
  revision: number;
  type: string;
  data: unknown;
}

/**
 * An event as a shard hands it to the projections. A projection folds an event's place (id, stream,
 * revision, position) and its decoded content; when it was recorded, its metadata and its hash are the
 * audit trail's, and no projection reads them. So the shard does not fetch them (parsing each event's
 * metadata JSON and timestamp was about a tenth of a rebuild's CPU), and reading one throws, failing
 * the rebuild: the shortcut can never quietly change a rebuilt table.
 */
class ShardEvent {
  constructor(
    readonly category: ServiceEvent['category'],
    readonly entityId: string,
    readonly event: ServiceEvent['event'],
    readonly id: string,
    readonly streamId: string,
    readonly revision: number,
    readonly position: bigint,
  ) {}

  get recordedAt(): never {
    return notFetched('recordedAt');
  }

  get metadata(): never {
    return notFetched('metadata');
  }

  get hash(): never {
    return notFetched('hash');
  }
}

function notFetched(field: string): never {
  throw new Error(`A projection read an event's ${field}, which a rebuild shard does not fetch (libs/read-models/src/rebuild/rebuild-shard.ts)`);
}

/** This shard's rows of the projections' categories, decoded; an event its codec cannot read is skipped, as live. */
export function decodeRows(rows: readonly ShardRow[], categories: ReadonlySet<string>): ConsumedEvent[] {
  const events: ConsumedEvent[] = [];
  for (const r of rows) {
    if (!categories.has(streamCategory(r.stream_id))) continue;
    let decoded: ServiceEvent;
    try {
      decoded = decodeServiceEvent(r.stream_id, r);
    } catch (error) {
      if (!(error instanceof EventDecodeError)) throw error;
      continue;
    }
    // ConsumedEvent is a union over the category; ShardEvent holds one of its members' shape.
    events.push(new ShardEvent(decoded.category, decoded.entityId, decoded.event, r.event_id, r.stream_id, Number(r.revision), BigInt(r.position)) as unknown as ConsumedEvent);
  }
  return events;
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
      position = windowEnd;
      events += rows.length;
      const decoded = decodeRows(rows, categories);
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
