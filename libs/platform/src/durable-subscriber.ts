import { createHash } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import type { Logger } from 'pino';
import type { EventStore, RecordedEvent, Subscription } from '@app/event-store';
import { decodeServiceEvent, EventDecodeError, streamCategory } from '@app/nomination';
import { runWithCorrelation } from '@app/observability';
import type { ConsumedEvent, ConsumerTransaction, DurableConsumer } from './durable-consumer';

export type { ConsumedEvent, ConsumerContext, ConsumerTransaction, DurableConsumer } from './durable-consumer';

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

/**
 * What a consumer of `categories` receives of a batch: the events of those stream categories,
 * decoded by their aggregate's codec; an event that cannot be decoded goes to `onUndecodable`.
 */
export function decodeForConsumer(
  recorded: readonly RecordedEvent[],
  categories: ReadonlySet<string>,
  onUndecodable: (event: RecordedEvent, error: EventDecodeError) => void,
): ConsumedEvent[] {
  const events: ConsumedEvent[] = [];
  for (const e of recorded) {
    if (!categories.has(streamCategory(e.streamId))) continue;
    try {
      const decoded = decodeServiceEvent(e.streamId, e);
      events.push({
        ...decoded, id: e.id, streamId: e.streamId, revision: e.revision, position: e.position, recordedAt: e.recordedAt,
        metadata: e.metadata, hash: e.hash,
      });
    } catch (error) {
      if (!(error instanceof EventDecodeError)) throw error;
      onUndecodable(e, error);
    }
  }
  return events;
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

/**
 * Runs one consumer over the global log from its stored checkpoint, in log order, with a single
 * active instance across every process: a PostgreSQL advisory lock held on a dedicated connection,
 * and every batch is a transaction on that same connection, so a batch can only commit while the lock
 * is held. If the connection or the process dies, the lock is released with it and a standby takes
 * over from the same checkpoint.
 *
 * Each batch: BEGIN; lock the checkpoint row and check it is where this runner left it (fencing:
 * a rebuild's swap or anyone else moving it sends this runner back to read it again); the consumer's
 * writes; the new checkpoint; NOTIFY; COMMIT. See durable-consumer.ts for what consumers get.
 */
export class DurableSubscriber {
  private stopped = false;
  private subscription: Subscription | undefined;
  private client: PoolClient | undefined;
  private clientBroken = false;
  private loop: Promise<void> | undefined;
  private wakeFollow: (() => void) | undefined;
  private wakePause: (() => void) | undefined;
  private position: bigint | undefined;
  /** The checkpoint as this runner last committed or read it; null = from the start of the log. */
  private stored: bigint | null = null;
  /** The identity of the log the checkpoint belongs to (EventStore.identity()). */
  private storeId: string | undefined;
  private readonly waiters: { position: bigint; resolve: () => void }[] = [];
  private readonly categories: ReadonlySet<string>;
  private readonly logger: Logger;

  constructor(
    private readonly pool: Pool,
    private readonly store: EventStore,
    private readonly consumer: DurableConsumer,
    logger: Logger,
    private readonly options: DurableSubscriberOptions = {},
  ) {
    this.categories = new Set(consumer.categories);
    this.logger = logger.child({ consumer: consumer.name });
  }

  get name(): string {
    return this.consumer.name;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** True while this process holds the consumer's lock and is delivering events. */
  get isActive(): boolean {
    return this.subscription !== undefined;
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
    const after = this.stored ?? undefined;
    this.advance(after);
    this.logger.info({ after: after?.toString() ?? null }, 'durable subscriber active');
    let failure: Error | undefined;
    await new Promise<void>((resolve) => {
      this.wakeFollow = resolve;
      this.subscription = this.store.subscribe(
        {
          onEvents: (events) => this.commit(events, events[events.length - 1]!.position),
          onCheckpoint: (position) => this.commit([], position),
          onError: (error) => {
            failure = error;
            resolve();
          },
        },
        { ...(after !== undefined ? { after } : {}), ...(this.options.batchSize ? { batchSize: this.options.batchSize } : {}) },
      );
      // stop() may have come while the checkpoint was being read, before there was anything to wake:
      // on a quiet log nothing else would ever end this wait.
      if (this.stopped || this.clientBroken) resolve();
    });
    const subscription = this.subscription;
    this.subscription = undefined;
    await subscription?.stop().catch(() => undefined);
    if (failure instanceof CheckpointMoved) return 'restart';
    if (failure !== undefined) throw failure;
    return 'ended';
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

  /** Decodes, filters and applies one batch, retrying until it commits (or the runner stops). */
  private async commit(recorded: readonly RecordedEvent[], upTo: bigint): Promise<void> {
    const events = this.decode(recorded);
    let delay = 100;
    for (let attempt = 1; ; attempt++) {
      if (this.stopped || this.clientBroken) throw new LockLost('stopped');
      try {
        await runWithCorrelation({ correlationId: `${this.consumer.name}:${upTo}`, scope: 'subscription' }, () =>
          this.transaction(events, upTo, attempt > 2),
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
    return decodeForConsumer(recorded, this.categories, (e, error) => {
      this.logger.warn({ err: error, eventId: e.id, streamId: e.streamId, position: e.position.toString(), type: e.type }, 'event cannot be decoded; skipped');
      this.options.onSkipped?.({ consumer: this.consumer.name, reason: 'undecodable', event: e, error });
    });
  }

  private async transaction(events: readonly ConsumedEvent[], upTo: bigint, isolate: boolean): Promise<void> {
    const client = this.client;
    if (client === undefined) throw new LockLost('no connection');
    const tx: ConsumerTransaction = { query: (text, values) => client.query(text, values as unknown[]) };
    await client.query('BEGIN');
    try {
      const { rows } = await client.query<{ position: string | null; store_id: string | null }>(
        'SELECT position, store_id FROM subscription_checkpoints WHERE name = $1 FOR UPDATE', [this.consumer.name],
      );
      const stored = storedPosition(rows[0]?.position);
      if (rows.length === 0 || stored !== this.stored || rows[0]!.store_id !== this.storeId) throw new CheckpointMoved(stored);
      if (events.length > 0) {
        if (isolate) await this.applyOneByOne(client, tx, events);
        else await this.consumer.handle(events, tx, { logger: this.logger });
      }
      await client.query('UPDATE subscription_checkpoints SET position = $2, updated_at = now() WHERE name = $1', [this.consumer.name, upTo.toString()]);
      await client.query('SELECT pg_notify($1, $2)', [CHECKPOINT_CHANNEL, `${this.consumer.name} ${upTo}`]);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {
        this.clientBroken = true;
      });
      throw error;
    }
    this.stored = upTo;
    this.advance(upTo);
    this.options.onCommitted?.(upTo, events.length);
  }

  /**
   * After repeated failures: each event in its own savepoint. One that fails for a reason that is not
   * transient is recorded and skipped; a transient failure aborts the batch for a later retry.
   */
  private async applyOneByOne(client: PoolClient, tx: ConsumerTransaction, events: readonly ConsumedEvent[]): Promise<void> {
    for (const event of events) {
      await client.query('SAVEPOINT one_event');
      try {
        await this.consumer.handle([event], tx, { logger: this.logger });
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
    const subscription = this.subscription;
    this.subscription = undefined;
    await subscription?.stop().catch(() => undefined);
    const client = this.client;
    this.client = undefined;
    if (client !== undefined) {
      // Destroying the connection releases the session lock even if the unlock cannot be sent.
      await client.query('SELECT pg_advisory_unlock_all()').catch(() => undefined);
      client.release(true);
    }
  }

  private wake(): void {
    this.wakeFollow?.();
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
