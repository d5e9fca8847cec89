import { createHash } from 'node:crypto';
import { escapeLiteral, type Pool, type PoolClient, type QueryResult, type QueryResultRow } from 'pg';
import type { Logger } from 'pino';
import type { EventStore, ReadAllBatch, RecordedEvent } from '@app/event-store';
import { runWithCorrelation } from '@app/observability';
import type { ConsumedEvent, ConsumerTransaction, DurableConsumer } from './durable-consumer';
import { decodeForConsumer, type FeedBatch, type FeedMember, SharedLogFeed } from './shared-log-feed';

export type { ConsumedEvent, ConsumerContext, ConsumerTransaction, DurableConsumer } from './durable-consumer';
export { sendWrite } from './durable-consumer';
export { decodeForConsumer } from './shared-log-feed';

/** Channel on which every checkpoint commit is announced (payload `<name> <position>`). */
export const CHECKPOINT_CHANNEL = 'subscription_checkpoints';

export interface SkippedEvent {
  readonly consumer: string;
  readonly reason: 'undecodable' | 'failed';
  readonly event: RecordedEvent;
  readonly error: unknown;
}

export interface DurableSubscriberOptions {
  /** How often a standby process retries to become the active one. */
  readonly standbyRetryMs?: number;
  readonly batchSize?: number;
  /** Longest pause between retries of a failing batch. */
  readonly maxRetryDelayMs?: number;
  /** Told about every event skipped (metrics). */
  readonly onSkipped?: (skipped: SkippedEvent) => void;
  /** Told about every committed checkpoint (metrics). */
  readonly onCommitted?: (position: bigint, events: number) => void;
  /** Told why the runner stopped following and will try again (a CheckpointMismatch until an operator acts). */
  readonly onInterrupted?: (error: unknown) => void;
  /**
   * The shared read of the log this runner joins once it has caught up (a ConsumerGroup's, shared by
   * every consumer of the process). Without one, the runner has a feed of its own.
   */
  readonly feed?: SharedLogFeed;
}

/**
 * The stored checkpoint does not belong to the event store's log as it is now: it was stored against
 * another log (the service was switched to the other store, or the store was replaced by a copy or
 * wiped), or it lies past the log's end (restored from an older backup). Resuming would skip events
 * or stall, so the consumer does not run until its read model is built from this log.
 */
export class CheckpointMismatch extends Error {
  constructor(
    readonly consumer: string,
    readonly position: bigint,
    readonly storedFor: string | null,
    readonly store: string,
    detail: string,
  ) {
    super(
      `Consumer ${consumer}: stored checkpoint ${position} ${detail}. It does not apply to this log: build this ` +
        `consumer's read model from this store's own log (start the service with a fresh DATABASE_URL for this ` +
        `store, or rebuild the read models); see README, "Switching stores".`,
    );
  }
}

export function lockKey(name: string): bigint {
  return createHash('sha256').update(`durable-subscriber:${name}`).digest().readBigInt64BE(0);
}

function storedPosition(value: string | null | undefined): bigint | null {
  return value === null || value === undefined ? null : BigInt(value);
}

/** Someone else (a rebuild's swap, a second runner) moved the stored checkpoint: resume from it. */
class CheckpointMoved extends Error {
  constructor(readonly stored: bigint | null) {
    super('checkpoint moved by someone else');
  }
}

/** The lock-holding connection is gone: the lock is gone with it. */
class LockLost extends Error {}

const PG_TRANSIENT_CLASSES = ['08', '40', '53', '55', '57', '58'];

/** A failure that says nothing about the event: the database or the event store did not answer. */
function isTransient(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  // Unavailable, or refusing this service for good (access denied): either way nothing about the event.
  if (code === 'event_store_unavailable' || code === 'event_store_failure') return true;
  if (typeof code === 'string' && code.length === 5 && PG_TRANSIENT_CLASSES.includes(code.slice(0, 2))) return true;
  const message = error instanceof Error ? error.message : '';
  return /connect|terminat|ECONN|timeout/iu.test(message);
}

/** Why a runner is no longer a member of the feed. */
type Left =
  | { readonly kind: 'ended' }
  | { readonly kind: 'moved' }
  | { readonly kind: 'behind' }
  | { readonly kind: 'failed'; readonly error: unknown };

/** Connections whose writes are held until the event loop's next turn (holdWrites). */
const held = new WeakSet<object>();

/**
 * Holds what is written on the client's socket until the event loop's next turn, so that the statements
 * a batch sends together (a consumer's reads issued at once; its writes and the commit) leave in one
 * socket write instead of one each: on a small machine the socket writes were a third of the worker's
 * CPU.
 */
function holdWrites(client: PoolClient): void {
  const stream = (client as unknown as { connection?: { stream?: { cork?: () => void; uncork?: () => void } } }).connection?.stream;
  if (stream?.cork === undefined || stream.uncork === undefined || held.has(stream)) return;
  held.add(stream);
  stream.cork();
  setImmediate(() => {
    held.delete(stream);
    stream.uncork!();
  });
}

/** Statement text → its prepared statement's name (preparedName); bounded, like the statements a connection keeps. */
const prepared = new Map<string, string>();
const MAX_PREPARED = 200;

/**
 * The name under which a consumer's statement is prepared on the lock connection (pg parses it there
 * once, on first use): a consumer sends the same few statements every batch, and parsing, analysing and
 * planning each of them again was about a fifth of the worker's PostgreSQL CPU. Undefined (sent
 * unnamed) for a simple query of several statements, and beyond MAX_PREPARED distinct texts, so a
 * consumer building its SQL per batch cannot fill the server with statements. A rebuild swapping a
 * projection's tables (renames) invalidates the plans; PostgreSQL analyses the statement again.
 */
function preparedName(text: string): string | undefined {
  const known = prepared.get(text);
  if (known !== undefined) return known;
  if (prepared.size >= MAX_PREPARED || text.includes(';')) return undefined;
  const name = `consumer_${createHash('sha1').update(text).digest('hex')}`;
  prepared.set(text, name);
  return name;
}

/**
 * A batch's transaction as its consumer sees it, on the pipelined lock connection: every statement is
 * sent at once, behind the ones before it, and tracked, so a write the consumer does not wait for is
 * answered (or fails the batch) before the commit. Nothing can be sent once the batch is over.
 */
class PipelinedTransaction implements ConsumerTransaction {
  private open = true;
  private readonly sent: Promise<unknown>[] = [];

  constructor(private readonly client: PoolClient) {}

  query<Row extends QueryResultRow = QueryResultRow>(text: string, values?: readonly unknown[]): Promise<QueryResult<Row>> {
    if (!this.open) return Promise.reject(new Error('the batch\'s transaction is over: every statement must be sent before handle() resolves'));
    return this.send<Row>(text, values);
  }

  write<Row extends QueryResultRow = QueryResultRow>(text: string, values?: readonly unknown[]): Promise<QueryResult<Row>> {
    return this.query<Row>(text, values);
  }

  /** The batch's last statement (its checkpoint and commit): nothing can be sent after it. */
  last(text: string): Promise<unknown> {
    this.open = false;
    return this.send(text);
  }

  close(): void {
    this.open = false;
  }

  /** Resolves once every statement sent so far is answered; rejects with the first that failed. */
  async settled(): Promise<void> {
    while (this.sent.length > 0) await Promise.all(this.sent.splice(0));
  }

  private send<Row extends QueryResultRow>(text: string, values?: readonly unknown[]): Promise<QueryResult<Row>> {
    holdWrites(this.client);
    const name = preparedName(text);
    const sent = name === undefined
      ? this.client.query<Row>(text, values as unknown[] | undefined)
      : this.client.query<Row>({ name, text, values: values as unknown[] | undefined });
    // Awaited by settled(), perhaps later than it fails: never an unhandled rejection meanwhile.
    sent.catch(() => undefined);
    this.sent.push(sent);
    return sent;
  }
}

const DEFAULT_BATCH_SIZE = 1_000;

/**
 * Runs one consumer over the global log from its stored checkpoint, in log order, with a single
 * active instance across every process: a PostgreSQL advisory lock held on a dedicated connection,
 * and every batch is a transaction on that same connection, so a batch can only commit while the lock
 * is held. If the connection or the process dies, the lock is released with it and a standby takes
 * over from the same checkpoint.
 *
 * Reading: from its checkpoint the runner reads the log itself (readAll, which for PostgreSQL only
 * returns what every earlier transaction has committed) until a read comes back short, i.e. it has
 * reached the end of what may be read; then it joins the shared feed (SharedLogFeed), which reads
 * the log once for every consumer of the process and hands each its share of the same decoded
 * batch. A member that joined behind the feed reads the gap itself with its next batch (or, when the
 * gap is more than a batch, leaves and catches up again). A member whose batch fails, or whose
 * checkpoint someone else moved, leaves the feed and goes back to reading by itself, with retries.
 *
 * Each batch: BEGIN; lock the checkpoint row and check it is where this runner left it (fencing:
 * a rebuild's swap or anyone else moving it sends this runner back to read it again); the consumer's
 * writes; the new checkpoint; NOTIFY; COMMIT. A batch with nothing for the consumer moves the
 * checkpoint in one fenced statement. See durable-consumer.ts for what consumers get.
 */
export class DurableSubscriber implements FeedMember {
  private stopped = false;
  private active = false;
  private client: PoolClient | undefined;
  private clientBroken = false;
  private loop: Promise<void> | undefined;
  private wakePause: (() => void) | undefined;
  /** Set while a member of the feed: called when it leaves, with why. */
  private detach: ((left: Left) => void) | undefined;
  /** The transaction in flight on the lock connection, if any (released only once it is over). */
  private inFlight: Promise<void> | undefined;
  private position: bigint | undefined;
  /** The checkpoint as this runner last committed or read it; null = from the start of the log. */
  private stored: bigint | null = null;
  /** The identity of the log the checkpoint belongs to (EventStore.identity()). */
  private storeId: string | undefined;
  private readonly waiters: { position: bigint; resolve: () => void }[] = [];
  private readonly categories: ReadonlySet<string>;
  private readonly logger: Logger;
  private readonly feed: SharedLogFeed;
  private readonly ownFeed: boolean;
  private readonly batchSize: number;
  private readonly sql: { begin: string; end: (upTo: bigint) => string };

  constructor(
    private readonly pool: Pool,
    private readonly store: EventStore,
    private readonly consumer: DurableConsumer,
    logger: Logger,
    private readonly options: DurableSubscriberOptions = {},
  ) {
    this.categories = new Set(consumer.categories);
    this.logger = logger.child({ consumer: consumer.name });
    this.batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    this.ownFeed = options.feed === undefined;
    this.feed = options.feed ?? new SharedLogFeed(store, { batchSize: this.batchSize });
    // Sent as simple queries (several statements, one round trip each); the name is a constant.
    const name = escapeLiteral(consumer.name);
    this.sql = {
      begin: `BEGIN; SELECT position, store_id FROM subscription_checkpoints WHERE name = ${name} FOR UPDATE`,
      end: (upTo) => `UPDATE subscription_checkpoints SET position = ${upTo}, updated_at = now() WHERE name = ${name}; `
        + `SELECT pg_notify(${escapeLiteral(CHECKPOINT_CHANNEL)}, ${escapeLiteral(`${consumer.name} ${upTo}`)}); COMMIT`,
    };
  }

  get name(): string {
    return this.consumer.name;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** True while this process holds the consumer's lock and is delivering events. */
  get isActive(): boolean {
    return this.active;
  }

  /** True while this runner takes its batches from the shared feed (rather than reading by itself). */
  get isFed(): boolean {
    return this.detach !== undefined;
  }

  /** The last checkpoint this process committed or read, if any. */
  get checkpoint(): bigint | undefined {
    return this.position;
  }

  /** Resolves once this process has handled (and checkpointed) everything up to `position`. */
  waitFor(position: bigint, timeoutMs = 10_000): Promise<void> {
    if (this.position !== undefined && this.position >= position) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.consumer.name}: not caught up to ${position} within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({ position, resolve: () => { clearTimeout(timer); resolve(); } });
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    await this.release();
    await this.loop;
    if (this.ownFeed) await this.feed.stop();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        if (await this.acquire()) {
          while (!this.stopped && (await this.follow()) === 'restart') {
            this.logger.info('checkpoint moved by someone else; resuming from it');
          }
        }
      } catch (error) {
        if (error instanceof CheckpointMismatch) this.logger.error({ err: error }, error.message);
        // Refused for good (access denied): retried, since an operator may fix it, but loudly.
        else if ((error as { code?: unknown } | null)?.code === 'event_store_failure') this.logger.error({ err: error }, 'event store refuses this consumer; retrying');
        else this.logger.warn({ err: error }, 'durable subscriber interrupted; retrying');
        this.options.onInterrupted?.(error);
      }
      await this.release();
      if (!this.stopped) await this.pause(this.options.standbyRetryMs ?? 2_000);
    }
  }

  private async acquire(): Promise<boolean> {
    const client = await this.pool.connect();
    this.clientBroken = false;
    const onError = (): void => {
      this.clientBroken = true;
      this.wake();
    };
    client.on('error', onError);
    try {
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [lockKey(this.consumer.name).toString()]);
      if (!rows[0]?.locked) {
        // Back to the pool for others: without this standby's listener.
        client.off('error', onError);
        client.release();
        return false;
      }
    } catch (error) {
      client.release(true);
      throw error;
    }
    // The lock connection is this runner's alone and is destroyed, never pooled again, when it goes:
    // pipelined, so a batch's statements go out without waiting for one another (applyAndMove).
    (client as unknown as { pipeline: boolean }).pipeline = true;
    this.client = client;
    return true;
  }

  private async follow(): Promise<'restart' | 'ended'> {
    const client = this.client!;
    const storeId = await this.store.identity();
    this.storeId = storeId;
    await client.query('INSERT INTO subscription_checkpoints (name, position, store_id) VALUES ($1, NULL, $2) ON CONFLICT (name) DO NOTHING', [this.consumer.name, storeId]);
    const { rows } = await client.query<{ position: string | null; store_id: string | null }>(
      'SELECT position, store_id FROM subscription_checkpoints WHERE name = $1', [this.consumer.name],
    );
    this.stored = storedPosition(rows[0]?.position);
    await this.checkBelongs(client, this.stored, rows[0]?.store_id ?? null, storeId);
    this.advance(this.stored ?? undefined);
    this.logger.info({ after: this.stored?.toString() ?? null }, 'durable subscriber active');
    this.active = true;
    try {
      for (;;) {
        await this.catchUp();
        if (this.stopped || this.clientBroken) return 'ended';
        const left = await this.joinFeed();
        // A batch the feed handed over may still be on the connection: this runner's next one waits for it.
        await this.inFlight;
        switch (left.kind) {
          case 'ended':
            return 'ended';
          case 'moved':
            return 'restart';
          case 'behind':
            break;
          case 'failed':
            // Rolled back; read by itself from the checkpoint, with the retries (and, for an event that
            // keeps failing, the skipping) of commit().
            this.logger.error({ err: left.error, upTo: this.stored?.toString() ?? null }, 'batch failed; rolled back, retrying');
            await this.pause(100);
            break;
        }
      }
    } catch (error) {
      if (error instanceof CheckpointMoved) return 'restart';
      if (error instanceof LockLost && this.stopped) return 'ended';
      throw error;
    } finally {
      this.active = false;
    }
  }

  /** Reads the log by itself from its checkpoint until a read comes back short (the end of what may be read). */
  private async catchUp(): Promise<void> {
    for (;;) {
      if (this.stopped || this.clientBroken) return;
      const from = this.stored;
      const batch = await this.read(from);
      if (batch === undefined) return;
      const upTo = batch.checkpoint;
      if (upTo !== undefined && (from === null || upTo > from)) await this.commit(batch.events, from, upTo);
      if (batch.events.length < this.batchSize) return;
    }
  }

  /** One read of the log after `after`; a database that does not answer is retried (undefined: stopped meanwhile). */
  private async read(after: bigint | null): Promise<ReadAllBatch | undefined> {
    let delay = 50;
    for (;;) {
      try {
        return await this.store.readAll({ ...(after !== null ? { after } : {}), limit: this.batchSize });
      } catch (error) {
        if (!isTransient(error)) throw error;
        this.logger.warn({ err: error }, 'reading the log failed; retrying');
        await this.pause(delay);
        delay = Math.min(delay * 2, 5_000);
        if (this.stopped || this.clientBroken) return undefined;
      }
    }
  }

  /** Becomes a member of the shared feed; resolves when it is no longer one, with why. */
  private joinFeed(): Promise<Left> {
    return new Promise<Left>((resolve) => {
      this.detach = resolve;
      this.feed.join(this, this.stored ?? undefined);
      // stop() or a broken connection may have come while this runner was on its way here.
      if (this.stopped || this.clientBroken) this.leave({ kind: 'ended' });
    });
  }

  private leave(left: Left): void {
    const detach = this.detach;
    if (detach === undefined) return;
    this.detach = undefined;
    this.feed.leave(this);
    detach(left);
  }

  feedFailed(error: Error): void {
    this.logger.warn({ err: error }, 'the shared read of the log failed; reading by itself');
    this.leave({ kind: 'behind' });
  }

  fellBehind(): void {
    this.logger.info('slower than the shared read of the log; catching up by itself');
    this.leave({ kind: 'behind' });
  }

  /** Batches given to this runner are applied one after another, in the order given. */
  private delivering: Promise<void> = Promise.resolve();

  deliver(batch: FeedBatch): Promise<void> {
    const applied = this.delivering.then(() => this.apply(batch));
    this.delivering = applied.catch(() => undefined);
    return applied;
  }

  private async apply(batch: FeedBatch): Promise<void> {
    const membership = this.detach;
    if (membership === undefined) return;
    if (this.stopped || this.clientBroken) {
      this.leave({ kind: 'ended' });
      return;
    }
    const from = this.stored;
    // Joined ahead of the feed: nothing new for it in this batch.
    if (from !== null && from >= batch.upTo) return;
    try {
      let events: ConsumedEvent[];
      if (batch.after !== undefined && (from === null || from < batch.after)) {
        // Joined behind the feed: what lies between its checkpoint and the batch, read by itself. More
        // than one read's worth: it leaves and catches up by itself.
        const gap = await this.store.readAll({ ...(from !== null ? { after: from } : {}), limit: this.batchSize });
        const last = gap.events[gap.events.length - 1]?.position;
        const covered = gap.checkpoint !== undefined && gap.checkpoint >= batch.after && (gap.events.length < this.batchSize || (last !== undefined && last >= batch.after));
        if (!covered) {
          this.leave({ kind: 'behind' });
          return;
        }
        const after = batch.after;
        events = [...this.decode(gap.events.filter((e) => e.position <= after)), ...batch.eventsFor(this.categories, after, (e, error) => this.undecodable(e, error))];
      } else {
        events = batch.eventsFor(this.categories, from, (e, error) => this.undecodable(e, error));
      }
      // Left the feed meanwhile (stopped, or the connection broke): this batch is no longer its to apply.
      if (this.detach !== membership || this.stored !== from) return;
      await runWithCorrelation({ correlationId: `${this.consumer.name}:${batch.upTo}`, scope: 'subscription' }, () =>
        this.transaction(events, from, batch.upTo, false),
      );
    } catch (error) {
      if (this.detach !== membership) return;
      if (error instanceof CheckpointMoved) this.leave({ kind: 'moved' });
      else if (error instanceof LockLost || this.clientBroken || this.stopped) this.leave({ kind: 'ended' });
      else this.leave({ kind: 'failed', error });
    }
  }

  /**
   * Refuses a checkpoint of another log or past this log's end (CheckpointMismatch). A checkpoint stored
   * before checkpoints carried their log's identity is taken as this log's when it lies within it.
   */
  private async checkBelongs(client: PoolClient, stored: bigint | null, storedFor: string | null, storeId: string): Promise<void> {
    if (storedFor !== null && storedFor !== storeId) {
      throw new CheckpointMismatch(this.consumer.name, stored ?? -1n, storedFor, storeId, `was stored against event store ${storedFor}, and this service now runs on ${storeId}`);
    }
    if (stored !== null) {
      const end = await this.store.endPosition();
      if (end === undefined || stored > end) {
        throw new CheckpointMismatch(this.consumer.name, stored, storedFor, storeId,
          `lies past the end of event store ${storeId} (${end === undefined ? 'an empty log' : `its last position is ${end}`}): the log was wiped, truncated or restored from an older backup`);
      }
    }
    if (storedFor === null) {
      await client.query('UPDATE subscription_checkpoints SET store_id = $2 WHERE name = $1 AND store_id IS NULL', [this.consumer.name, storeId]);
      if (stored !== null) {
        this.logger.warn({ position: stored.toString(), store: storeId }, 'checkpoint stored before checkpoints were keyed by their log: taken as this log\'s, as it lies within it');
      }
    }
  }

  /** Decodes, filters and applies one batch read by itself, retrying until it commits (or the runner stops). */
  private async commit(recorded: readonly RecordedEvent[], from: bigint | null, upTo: bigint): Promise<void> {
    const events = this.decode(recorded);
    let delay = 100;
    for (let attempt = 1; ; attempt++) {
      if (this.stopped || this.clientBroken) throw new LockLost('stopped');
      try {
        await runWithCorrelation({ correlationId: `${this.consumer.name}:${upTo}`, scope: 'subscription' }, () =>
          this.transaction(events, from, upTo, attempt > 2),
        );
        return;
      } catch (error) {
        if (error instanceof CheckpointMoved || error instanceof LockLost || this.clientBroken) throw error;
        this.logger.error({ err: error, attempt, upTo: upTo.toString(), events: events.length }, 'batch failed; rolled back, retrying');
        await this.pause(delay);
        delay = Math.min(delay * 2, this.options.maxRetryDelayMs ?? 30_000);
      }
    }
  }

  private decode(recorded: readonly RecordedEvent[]): ConsumedEvent[] {
    return decodeForConsumer(recorded, this.categories, (e, error) => this.undecodable(e, error));
  }

  private undecodable(e: RecordedEvent, error: unknown): void {
    this.logger.warn({ err: error, eventId: e.id, streamId: e.streamId, position: e.position.toString(), type: e.type }, 'event cannot be decoded; skipped');
    this.options.onSkipped?.({ consumer: this.consumer.name, reason: 'undecodable', event: e, error });
  }

  /**
   * One batch on the lock connection: `events` are what lies after `from`, which the stored checkpoint
   * must still be (fencing). The connection is released only once the batch is over.
   */
  private async transaction(events: readonly ConsumedEvent[], from: bigint | null, upTo: bigint, isolate: boolean): Promise<void> {
    const client = this.client;
    if (client === undefined || this.stopped || this.inFlight !== undefined) throw new LockLost('no connection');
    const running = events.length === 0 ? this.moveCheckpoint(client, from, upTo) : this.applyAndMove(client, events, from, upTo, isolate);
    const settled = running.then(() => undefined, () => undefined);
    this.inFlight = settled;
    try {
      await running;
    } finally {
      if (this.inFlight === settled) this.inFlight = undefined;
    }
    this.stored = upTo;
    this.advance(upTo);
    this.options.onCommitted?.(upTo, events.length);
  }

  /** Nothing for the consumer: the checkpoint moves in one statement, fenced by where it was. */
  private async moveCheckpoint(client: PoolClient, from: bigint | null, upTo: bigint): Promise<void> {
    const { rowCount } = await client.query({
      name: 'durable_subscriber_move_checkpoint',
      text: `WITH moved AS (
               UPDATE subscription_checkpoints SET position = $2::bigint, updated_at = now()
               WHERE name = $1::text AND position IS NOT DISTINCT FROM $3::bigint AND store_id = $4::text
               RETURNING 1)
             SELECT pg_notify($5::text, $6::text) FROM moved`,
      values: [this.consumer.name, upTo.toString(), from?.toString() ?? null, this.storeId ?? null, CHECKPOINT_CHANNEL, `${this.consumer.name} ${upTo}`],
    });
    if (rowCount === 0) throw new CheckpointMoved(null);
  }

  private async applyAndMove(client: PoolClient, events: readonly ConsumedEvent[], from: bigint | null, upTo: bigint, isolate: boolean): Promise<void> {
    const tx = new PipelinedTransaction(client);
    let read: Promise<unknown> | undefined;
    let handled: Promise<void> | undefined;
    try {
      // The lock on the checkpoint row and the consumer's reads go out together (one write, one round
      // trip); the reads run behind the lock, as they would after it.
      holdWrites(client);
      const locked = client.query(this.sql.begin) as unknown as Promise<{ rows: { position: string | null; store_id: string | null }[] }[]>;
      read = isolate ? undefined : this.consumer.read?.(events, tx);
      read?.catch(() => undefined);
      const rows = (await locked)[1]!.rows;
      const stored = storedPosition(rows[0]?.position);
      // Fenced before the consumer handles a single event: a batch someone else moved past is never handled.
      if (rows.length === 0 || stored !== from || rows[0]!.store_id !== this.storeId) throw new CheckpointMoved(stored);
      const answer = await read;
      handled = isolate ? this.applyOneByOne(client, tx, events) : this.consumer.handle(events, tx, { logger: this.logger }, answer);
      await handled;
      // Sent right behind the consumer's writes, which it may have left unanswered (ConsumerTransaction.write):
      // every statement of the batch is answered before it counts as committed, and one that failed aborted
      // the transaction, so the commit behind it did not happen.
      const end = tx.last(this.sql.end(upTo));
      await tx.settled();
      await end;
    } catch (error) {
      tx.close();
      // The consumer is done (it can send nothing more) before the transaction goes.
      await read?.catch(() => undefined);
      await handled?.catch(() => undefined);
      await client.query('ROLLBACK').catch(() => {
        this.clientBroken = true;
      });
      throw error;
    }
  }

  /**
   * After repeated failures: each event in its own savepoint. One that fails for a reason that is not
   * transient is recorded and skipped; a transient failure aborts the batch for a later retry.
   */
  private async applyOneByOne(client: PoolClient, tx: PipelinedTransaction, events: readonly ConsumedEvent[]): Promise<void> {
    for (const event of events) {
      await client.query('SAVEPOINT one_event');
      try {
        await this.consumer.handle([event], tx, { logger: this.logger });
        await tx.settled();
        await client.query('RELEASE SAVEPOINT one_event');
      } catch (error) {
        await client.query('ROLLBACK TO SAVEPOINT one_event');
        if (isTransient(error)) throw error;
        // The database answers (the rollback above worked); check the event store does too.
        await this.store.ping();
        this.logger.error({ err: error, eventId: event.id, streamId: event.streamId, position: event.position.toString(), type: event.event.type }, 'event keeps failing; skipped');
        await client.query(
          `INSERT INTO subscription_skipped_events (name, position, event_id, stream_id, type, error, store_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (name, event_id) DO NOTHING`,
          [this.consumer.name, event.position.toString(), event.id, event.streamId, event.event.type, String(error instanceof Error ? error.stack ?? error.message : error).slice(0, 4000), this.storeId ?? null],
        );
        this.options.onSkipped?.({
          consumer: this.consumer.name,
          reason: 'failed',
          event: { id: event.id, streamId: event.streamId, type: event.event.type, data: event.event.data, metadata: event.metadata, revision: event.revision, position: event.position, recordedAt: event.recordedAt, hash: event.hash },
          error,
        });
      }
    }
  }

  private advance(position: bigint | undefined): void {
    if (position === undefined) return;
    this.position = position;
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (this.waiters[i]!.position <= position) this.waiters.splice(i, 1)[0]!.resolve();
    }
  }

  private async release(): Promise<void> {
    this.leave({ kind: 'ended' });
    // A batch in flight commits or rolls back on the connection before it goes.
    await this.inFlight;
    const client = this.client;
    this.client = undefined;
    if (client !== undefined) {
      // Destroying the connection releases the session lock even if the unlock cannot be sent.
      await client.query('SELECT pg_advisory_unlock_all()').catch(() => undefined);
      client.release(true);
    }
  }

  private wake(): void {
    this.leave({ kind: 'ended' });
    this.wakePause?.();
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wakePause = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
