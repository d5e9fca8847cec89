import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { escapeIdentifier, type Pool, type PoolClient } from 'pg';
import type { EventStore } from '@app/event-store';
import { CHECKPOINT_CHANNEL, decodeForConsumer, lockKey } from '@app/platform';
import { checkpointNameOf, type Projection, type ProjectionContext, type TableNames } from '../projection';
import type { ShardMessage, ShardTask } from './rebuild-shard';
import { ShadowWriter } from './shadow-writer';

export interface RebuildProgress {
  readonly projection: string;
  readonly phase: 'replay' | 'indexes' | 'swap' | 'done';
  /** Events read from the log so far (all categories). */
  readonly events: number;
  /** Events in the log when the rebuild started, when the store can tell (PostgreSQL); else null. */
  readonly total: number | null;
  readonly position: string | null;
  readonly elapsedMs: number;
}

export interface RebuildOptions {
  /** Events per read of the log (default 10000). */
  readonly batchSize?: number;
  /** Rows kept in memory across batches (default 20000): a row cached is neither read back nor written twice per batch. */
  readonly cacheRows?: number;
  readonly onProgress?: (progress: RebuildProgress) => void;
  /** Build the shadow tables and stop before the swap (tests compare them with the live ones). */
  readonly swap?: boolean;
  /** Suffix of the shadow tables (default `__rebuild`). */
  readonly suffix?: string;
  /**
   * Replay at least up to this position before stopping (waiting while an open transaction elsewhere
   * holds the log back); by default, up to what the log shows when the replay gets there.
   */
  readonly until?: bigint;
  /**
   * The bulk of the replay in worker threads, the log's streams split between them (rebuild-shard.ts);
   * PostgreSQL event store only, each worker with its own connections. Then the rest (what was
   * appended meanwhile, the swap) as without. Workers build their context from the reference data.
   */
  readonly workers?: RebuildWorkers;
}

export interface RebuildWorkers {
  readonly count: number;
  /** The database of the event store and the read models. */
  readonly connectionString: string;
  /** The worker's entry file (default scripts/projections-rebuild-worker.mjs under the working directory). */
  readonly script?: string;
}

export interface RebuildResult {
  readonly projection: string;
  readonly events: number;
  readonly position: bigint | undefined;
  readonly elapsedMs: number;
  /** The shadow tables (only meaningful with swap: false; after a swap they are the live ones). */
  readonly tables: TableNames;
}

interface IndexDef {
  readonly name: string;
  readonly definition: string;
  readonly unique: boolean;
  readonly primary: boolean;
}

async function indexesOf(client: PoolClient, table: string): Promise<IndexDef[]> {
  const { rows } = await client.query<{ name: string; definition: string; unique: boolean; primary: boolean }>(
    `SELECT i.relname AS name, pg_get_indexdef(x.indexrelid) AS definition, x.indisunique AS unique, x.indisprimary AS primary
     FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
     WHERE t.relname = $1 AND t.relnamespace = 'public'::regnamespace ORDER BY i.relname`,
    [table],
  );
  return rows;
}

/** The table's storage parameters as `name=value` (pg_class.reloptions), e.g. fillfactor=50. */
async function storageParametersOf(client: Pick<PoolClient, 'query'>, table: string): Promise<string[]> {
  const { rows } = await client.query<{ options: string[] | null }>(
    `SELECT reloptions AS options FROM pg_class WHERE relname = $1 AND relnamespace = 'public'::regnamespace`, [table],
  );
  return rows[0]?.options ?? [];
}

/**
 * The index definition on the shadow table, under a name derived from the live index's; built
 * CONCURRENTLY when asked (see the index phase in rebuildProjections).
 */
function shadowIndexSql(index: IndexDef, live: string, shadow: string, suffix: string, concurrently = false): string {
  const onLive = new RegExp(`ON (?:public\\.)?${escapeRegExp(escapeIdentifier(live))}|ON (?:public\\.)?${escapeRegExp(live)}\\b`, 'u');
  return index.definition
    .replace(
      /^CREATE (UNIQUE )?INDEX \S+ /u,
      (_m, unique: string | undefined) => `CREATE ${unique ?? ''}INDEX ${concurrently ? 'CONCURRENTLY ' : ''}${escapeIdentifier(index.name + suffix)} `,
    )
    .replace(onLive, `ON public.${escapeIdentifier(shadow)}`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&');
}

async function countEvents(pool: Pool): Promise<number | null> {
  try {
    const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM events');
    return Number(rows[0]!.n);
  } catch {
    return null;
  }
}

/** One projection being rebuilt: its shadow tables, its connection, its writer, where it stands. */
interface Target {
  readonly projection: Projection<unknown, string>;
  readonly shadow: TableNames;
  readonly client: PoolClient;
  readonly writer: ShadowWriter<unknown>;
  readonly categories: ReadonlySet<string>;
  readonly deferred: { table: string; copy: string; index: IndexDef }[];
  /** The live tables' storage parameters (fillfactor), set on the shadows once the bulk of the replay is in. */
  readonly storage: { copy: string; options: string[] }[];
  events: number;
  position: bigint | undefined;
}

/**
 * Replays the whole log into fresh copies of a projection's tables and swaps them in atomically.
 *
 * 1. Shadow tables `<table>__rebuild` are created like the live ones, with only their unique
 *    indexes, and filled batch by batch from the start of the log (queries keep reading the live
 *    tables; the live runner keeps projecting into them). Rows are cached and written when they leave
 *    the cache (new ones with COPY), while the next batch is read (ShadowWriter).
 * 2. The other indexes are built once the bulk is in (CONCURRENTLY: no transaction id held while they
 *    build, so no event reader of the cluster waits for them), and the tables analysed.
 * 3. The swap, in one transaction: lock the projection's checkpoint row (the live runner's next
 *    batch waits on it, see DurableSubscriber), lock the live tables, apply what was appended since,
 *    drop the live tables, rename the shadows (and their indexes) to the live names, set the
 *    checkpoint to where the shadows are. Readers wait only for this instant. The live runner's
 *    waiting batch then finds the checkpoint moved and resumes from the new one.
 *
 * A second rebuild of the same projection at the same time is refused (advisory lock). A rebuild
 * killed midway leaves only shadow tables, dropped by the next rebuild.
 */
export async function rebuildProjection(
  pool: Pool,
  store: EventStore,
  projection: Projection<unknown, string>,
  context: ProjectionContext,
  options: RebuildOptions = {},
): Promise<RebuildResult> {
  return (await rebuildProjections(pool, store, [projection], context, options))[0]!;
}

/**
 * Several projections rebuilt from one replay of the log: each batch is read and decoded once and
 * folded into every projection's shadows, each written over its own connection (so the writes run
 * side by side). Then indexes, and the swaps one projection after the other, as rebuildProjection.
 */
export async function rebuildProjections(
  pool: Pool,
  store: EventStore,
  projections: readonly Projection<unknown, string>[],
  context: ProjectionContext,
  options: RebuildOptions = {},
): Promise<RebuildResult[]> {
  const started = Date.now();
  const suffix = options.suffix ?? '__rebuild';
  const batchSize = options.batchSize ?? 10_000;
  const total = await countEvents(pool);
  const names = projections.map((p) => p.name).join('+');
  const targets: Target[] = [];
  const categories = new Set<string>(projections.flatMap((p) => p.categories));
  const report = (phase: RebuildProgress['phase'], target?: Target): void => {
    const t = target ?? targets[0];
    options.onProgress?.({
      projection: target?.projection.name ?? names, phase, events: t?.events ?? 0, total, position: t?.position?.toString() ?? null, elapsedMs: Date.now() - started,
    });
  };

  try {
    for (const projection of projections) {
      const client = await pool.connect();
      const live = projection.tables;
      const shadow: TableNames = Object.fromEntries(Object.entries(live).map(([logical, table]) => [logical, `${table}${suffix}`]));
      const target: Target = {
        projection, shadow, client, writer: new ShadowWriter(projection, client, shadow, context, options.cacheRows ?? 20_000),
        categories: new Set<string>(projection.categories), deferred: [], storage: [], events: 0, position: undefined,
      };
      targets.push(target);
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [lockKey(`rebuild:${projection.name}`).toString()]);
      if (!rows[0]?.locked) throw new Error(`A rebuild of ${projection.name} is already running`);
      // The shadows are thrown away if the rebuild dies: no need to wait for each write to reach the disk.
      await client.query('SET synchronous_commit TO off');
      await client.query(`SET maintenance_work_mem TO '256MB'`);
      for (const [logical, table] of Object.entries(live)) {
        const copy = shadow[logical]!;
        await client.query(`DROP TABLE IF EXISTS ${escapeIdentifier(copy)}`);
        await client.query(
          `CREATE TABLE ${escapeIdentifier(copy)} (LIKE ${escapeIdentifier(table)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED INCLUDING STORAGE INCLUDING COMPRESSION)`,
        );
        // LIKE copies no storage parameters: the live table's fillfactor (which keeps its updates HOT) goes
        // with the swap. It is set after the bulk of the replay (index phase), so the rebuild writes the
        // rows it has densely (a fillfactor of 50 would double the pages it writes and the time it takes);
        // pages filled from then on keep the room that makes later updates HOT.
        const options = await storageParametersOf(client, table);
        if (options.length > 0) target.storage.push({ copy, options });
        for (const index of await indexesOf(client, table)) {
          if (index.unique) await client.query(shadowIndexSql(index, table, copy, suffix));
          else target.deferred.push({ table, copy, index });
        }
      }
    }

    /**
     * Folds the log from where `group` stands (they all stand at the same position) into their
     * shadows: the next batch is read while this one is folded and written.
     */
    const replay = async (group: readonly Target[], waitForUntil: boolean): Promise<void> => {
      let position = group[0]!.position;
      const read = (after: bigint | undefined) => store.readAll({ ...(after !== undefined ? { after } : {}), limit: batchSize });
      let next = read(position);
      for (;;) {
        const batch = await next;
        if (batch.events.length === 0) {
          if (batch.checkpoint !== undefined && (position === undefined || batch.checkpoint > position)) position = batch.checkpoint;
          if (waitForUntil && options.until !== undefined && (position === undefined || position < options.until)) {
            await new Promise((resolve) => setTimeout(resolve, 20));
            next = read(position);
            continue;
          }
          break;
        }
        position = batch.events[batch.events.length - 1]!.position;
        const more = batch.events.length >= batchSize || (waitForUntil && options.until !== undefined && position < options.until);
        if (more) next = read(position);
        const decoded = decodeForConsumer(batch.events, categories, () => undefined);
        // Side by side: each folds its batch, then waits for its own previous write, not the others'.
        await Promise.all(group.map((target) => target.writer.apply(group.length === 1 ? decoded : decoded.filter((e) => target.categories.has(e.category)))));
        for (const target of group) {
          target.events += batch.events.length;
          target.position = position;
        }
        report('replay', group.length === 1 ? group[0] : undefined);
        if (!more) break;
      }
      for (const target of group) {
        await target.writer.flush();
        target.position = position;
      }
    };
    if (options.workers !== undefined && options.workers.count > 1) {
      // Only up to what readers may take now (the shards rely on it, see rebuild-shard.ts); the rest,
      // up to `until` and beyond, is replayed here afterwards.
      const until = await store.headPosition();
      if (until !== undefined) {
        const events = await replayInWorkers(options.workers, {
          projections: projections.map((p) => p.name), stopAt: until.toString(), batchSize, cacheRows: options.cacheRows ?? 20_000, suffix,
        }, (read, position) => {
          for (const target of targets) {
            target.events = read;
            target.position = position;
          }
          report('replay', targets.length === 1 ? targets[0] : undefined);
        });
        for (const target of targets) {
          target.events = events;
          target.position = until;
          // The workers wrote rows this writer has never seen: it reads back any key it meets.
          target.writer.tablesHoldUnseenKeys();
        }
      }
    }
    await replay(targets, true);

    report('indexes');
    // CONCURRENTLY, although nothing else uses the shadows: a plain CREATE INDEX holds a transaction id
    // for as long as it builds, and every event reader of the cluster reads only below the oldest one
    // running (pg_snapshot_xmin), so every projection and subscriber would stand still meanwhile. A
    // concurrent build holds one only for an instant at its start and end (its waits and scans hold
    // a snapshot, which readers do not wait for). ANALYZE outside a transaction block holds none.
    for (const { client, deferred, shadow, storage } of targets) {
      for (const { copy, options } of storage) await client.query(`ALTER TABLE ${escapeIdentifier(copy)} SET (${options.join(', ')})`);
      for (const { table, copy, index } of deferred) await client.query(shadowIndexSql(index, table, copy, suffix, true));
      // Fresh tables have no statistics: without them the planner would choose badly until autovacuum
      // got round to them, so they are analysed before they serve a single query.
      for (const copy of Object.values(shadow)) await client.query(`ANALYZE ${escapeIdentifier(copy)}`);
    }
    // Whatever was appended while the indexes were built.
    await replay(targets, true);
    for (const { client } of targets) await client.query('RESET synchronous_commit');

    const result = (target: Target, tables: TableNames): RebuildResult => ({
      projection: target.projection.name, events: target.events, position: target.position, elapsedMs: Date.now() - started, tables,
    });
    if (options.swap === false) {
      report('done');
      return targets.map((t) => result(t, t.shadow));
    }

    const results: RebuildResult[] = [];
    for (const target of targets) {
      const { projection, client, shadow } = target;
      const live = projection.tables;
      report('swap', target);
      const checkpoint = checkpointNameOf(projection);
      await client.query('BEGIN');
      try {
        await client.query('INSERT INTO subscription_checkpoints (name, position) VALUES ($1, NULL) ON CONFLICT (name) DO NOTHING', [checkpoint]);
        await client.query('SELECT position FROM subscription_checkpoints WHERE name = $1 FOR UPDATE', [checkpoint]);
        await client.query(`LOCK TABLE ${Object.values(live).map(escapeIdentifier).join(', ')} IN ACCESS EXCLUSIVE MODE`);
        await replay([target], false);
        for (const [logical, table] of Object.entries(live)) {
          const copy = shadow[logical]!;
          const indexes = await indexesOf(client, table);
          await client.query(`DROP TABLE ${escapeIdentifier(table)}`);
          await client.query(`ALTER TABLE ${escapeIdentifier(copy)} RENAME TO ${escapeIdentifier(table)}`);
          for (const index of indexes) {
            await client.query(`ALTER INDEX ${escapeIdentifier(index.name + suffix)} RENAME TO ${escapeIdentifier(index.name)}`);
            if (index.primary) await client.query(`ALTER TABLE ${escapeIdentifier(table)} ADD CONSTRAINT ${escapeIdentifier(index.name)} PRIMARY KEY USING INDEX ${escapeIdentifier(index.name)}`);
          }
        }
        const position = target.position;
        await client.query('UPDATE subscription_checkpoints SET position = $2, updated_at = now() WHERE name = $1', [checkpoint, position?.toString() ?? null]);
        if (position !== undefined) await client.query('SELECT pg_notify($1, $2)', [CHECKPOINT_CHANNEL, `${checkpoint} ${position}`]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
      report('done', target);
      results.push(result(target, live));
    }
    return results;
  } finally {
    for (const { client, writer } of targets) {
      await writer.flushed().catch(() => undefined);
      await client.query('SELECT pg_advisory_unlock_all()').catch(() => undefined);
      client.release();
    }
  }
}

/** Runs the shards in worker threads until each has applied its events up to `stopAt`; returns the events read by all. */
async function replayInWorkers(
  workers: RebuildWorkers,
  task: Omit<ShardTask, 'connectionString' | 'shard' | 'shards'>,
  onProgress: (events: number, position: bigint) => void,
): Promise<number> {
  const script = workers.script ?? path.resolve('scripts/projections-rebuild-worker.mjs');
  const threads: Worker[] = [];
  const read = new Array<number>(workers.count).fill(0);
  try {
    const done = Array.from({ length: workers.count }, (_, shard) => new Promise<number>((resolve, reject) => {
      const thread = new Worker(script, {
        workerData: { ...task, connectionString: workers.connectionString, shard, shards: workers.count } satisfies ShardTask,
        // A rebuild allocates fast and keeps what it caches: a larger young generation collects less often.
        resourceLimits: { maxYoungGenerationSizeMb: 96 },
      });
      threads.push(thread);
      thread.on('message', (message: ShardMessage) => {
        if (message.kind === 'error') reject(new Error(`rebuild worker ${shard}: ${message.message}`));
        else if (message.kind === 'done') resolve(message.events);
        else {
          read[shard] = message.events;
          onProgress(read.reduce((sum, n) => sum + n, 0), BigInt(message.position));
        }
      });
      thread.on('error', reject);
      thread.on('exit', (code) => reject(new Error(`rebuild worker ${shard} exited (${code}) before it was done`)));
    }));
    // Each shard read its own events: together, every event up to stopAt.
    return (await Promise.all(done)).reduce((sum, n) => sum + n, 0);
  } finally {
    await Promise.all(threads.map((thread) => thread.terminate()));
  }
}
