import { createHash } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import type { Logger } from 'pino';
import type { EventStore, RecordedEvent, Subscription } from '@app/event-store';
import { runWithCorrelation } from '@app/observability';

export interface DurableConsumer {
  /** Unique and stable: the checkpoint and the lock are keyed by it. */
  readonly name: string;
  /** Must be idempotent: after a crash the batch since the last checkpoint is handled again. */
  handle(events: readonly RecordedEvent[]): Promise<void>;
}

export interface DurableSubscriberOptions {
  /** How often a standby process retries to become the active one. */
  readonly standbyRetryMs?: number;
  readonly batchSize?: number;
}

function lockKey(name: string): bigint {
  return createHash('sha256').update(`durable-subscriber:${name}`).digest().readBigInt64BE(0);
}

/**
 * Runs one consumer over the global log from its stored checkpoint: at least once, in log order,
 * with a single active instance across every process (a PostgreSQL advisory lock held on a dedicated
 * connection; if that connection or the process dies, the lock is released and a standby takes over
 * from the same checkpoint). The checkpoint moves only after a batch was handled.
 */
export class DurableSubscriber {
  private stopped = false;
  private subscription: Subscription | undefined;
  private lockClient: PoolClient | undefined;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private position: bigint | undefined;
  private readonly waiters: { position: bigint; resolve: () => void }[] = [];

  constructor(
    private readonly pool: Pool,
    private readonly store: EventStore,
    private readonly consumer: DurableConsumer,
    private readonly logger: Logger,
    private readonly options: DurableSubscriberOptions = {},
  ) {}

  start(): void {
    this.loop ??= this.run();
  }

  /** True while this process holds the consumer's lock and is delivering events. */
  get isActive(): boolean {
    return this.subscription !== undefined;
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
    this.wake?.();
    await this.release();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        if (await this.acquire()) {
          await this.follow();
        }
      } catch (error) {
        this.logger.warn({ err: error, consumer: this.consumer.name }, 'durable subscriber interrupted; retrying');
      }
      await this.release();
      if (!this.stopped) await this.pause(this.options.standbyRetryMs ?? 2_000);
    }
  }

  private async acquire(): Promise<boolean> {
    const client = await this.pool.connect();
    client.on('error', () => this.wake?.());
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [lockKey(this.consumer.name).toString()]);
    if (!rows[0]?.locked) {
      client.release();
      return false;
    }
    this.lockClient = client;
    return true;
  }

  private async follow(): Promise<void> {
    const { rows } = await this.pool.query<{ position: string }>('SELECT position FROM subscription_checkpoints WHERE name = $1', [this.consumer.name]);
    const after = rows[0] === undefined ? undefined : BigInt(rows[0].position);
    this.advance(after);
    this.logger.info({ consumer: this.consumer.name, after: after?.toString() ?? null }, 'durable subscriber active');
    let failure: Error | undefined;
    await new Promise<void>((resolve) => {
      this.wake = resolve;
      this.subscription = this.store.subscribe(
        {
          onEvents: async (events) => {
            await runWithCorrelation({ correlationId: `${this.consumer.name}:${events[0]!.position}`, scope: 'subscription' }, () =>
              this.consumer.handle(events),
            );
            await this.checkpoint(events[events.length - 1]!.position);
          },
          onCheckpoint: (position) => this.checkpoint(position),
          onError: (error) => {
            failure = error;
            resolve();
          },
        },
        { ...(after !== undefined ? { after } : {}), ...(this.options.batchSize ? { batchSize: this.options.batchSize } : {}) },
      );
    });
    if (failure !== undefined) throw failure;
  }

  private async checkpoint(position: bigint): Promise<void> {
    // Guarded by the lock holder: only the active instance writes, and never backwards.
    await this.pool.query(
      `INSERT INTO subscription_checkpoints (name, position, updated_at) VALUES ($1, $2, now())
       ON CONFLICT (name) DO UPDATE SET position = excluded.position, updated_at = now()
       WHERE subscription_checkpoints.position < excluded.position`,
      [this.consumer.name, position.toString()],
    );
    this.advance(position);
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
    const client = this.lockClient;
    this.lockClient = undefined;
    if (client !== undefined) {
      // Destroying the connection releases the session lock even if the unlock cannot be sent.
      await client.query('SELECT pg_advisory_unlock_all()').catch(() => undefined);
      client.release(true);
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
