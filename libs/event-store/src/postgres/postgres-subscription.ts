import type {
  ReadAllBatch,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
  SubscriptionHandler,
} from '../event-store.port';

export interface SubscriptionSource {
  readAll(after: bigint | undefined, limit: number): Promise<ReadAllBatch>;
  /**
   * The newest committed position, whether or not readers may take it yet. Beyond what readAll gave,
   * it means an open transaction (anyone's, anywhere on the server) holds the log back for now.
   */
  committedHead(): Promise<bigint | undefined>;
  /** Registers a wake-up for new events; returns the function that unregisters it. */
  onAppended(wake: () => void): () => Promise<void>;
}

export interface PostgresSubscriptionOptions extends SubscribeOptions {
  readonly batchSize: number;
  /** How long to wait for a notification before reading anyway. */
  readonly pollIntervalMs: number;
  /** Longest pause between attempts while the database cannot be read. */
  readonly maxRetryDelayMs?: number;
}

interface Waiter {
  readonly position: bigint;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

const FIRST_HELD_DELAY_MS = 5;

export class SubscriptionStopped extends Error {
  constructor(reason: string) {
    super(`Subscription stopped: ${reason}`);
  }
}

/**
 * Reads the log from a checkpoint in batches and hands each batch to the handler, then waits for a
 * notification or the poll interval and reads again. There is no separate live mode: the same read
 * serves catch-up and live, so nothing can fall between the two.
 */
export class PostgresSubscription implements Subscription {
  private current: bigint | undefined;
  private live = false;
  private stopping = false;
  private failure: Error | undefined;
  private inHandler = false;
  private wakePending = false;
  private wakeUp: (() => void) | undefined;
  private readonly waiters = new Set<Waiter>();
  private readonly done: Promise<void>;
  private unregister: (() => Promise<void>) | undefined;

  constructor(
    private readonly source: SubscriptionSource,
    private readonly handler: SubscriptionHandler,
    private readonly options: PostgresSubscriptionOptions,
  ) {
    this.current = options.after;
    this.unregister = source.onAppended(() => this.wake());
    this.done = this.run();
  }

  get position(): bigint | undefined {
    return this.current;
  }

  get isLive(): boolean {
    return this.live;
  }

  waitFor(position: bigint, timeoutMs = 10_000): Promise<void> {
    if (this.current !== undefined && this.current >= position) return Promise.resolve();
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.stopping) return Promise.reject(new SubscriptionStopped(`before reaching position ${position}`));
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        position,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          reject(new Error(`Subscription did not reach position ${position} within ${timeoutMs} ms (it is at ${String(this.current)})`));
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake();
    // Called from inside the handler, waiting for the loop would wait for ourselves; the loop ends
    // as soon as the handler returns.
    if (this.inHandler) return;
    await this.done;
  }

  wake(): void {
    this.wakePending = true;
    this.wakeUp?.();
  }

  private async heldBack(): Promise<boolean> {
    try {
      const head = await this.source.committedHead();
      return head !== undefined && (this.current === undefined || head > this.current);
    } catch {
      return false;
    }
  }

  private async run(): Promise<void> {
    let retryDelay = 50;
    let heldDelay = FIRST_HELD_DELAY_MS;
    try {
      while (!this.stopping) {
        this.wakePending = false;
        let batch: ReadAllBatch;
        try {
          batch = await this.source.readAll(this.current, this.options.batchSize);
          retryDelay = 50;
        } catch {
          // The database is unreachable or restarting: keep the checkpoint and try again.
          await this.pause(retryDelay);
          retryDelay = Math.min(retryDelay * 2, this.options.maxRetryDelayMs ?? 5_000);
          continue;
        }
        if (this.stopping) break;
        // Set before delivering, so whoever waits for this batch finds the subscription live.
        const caughtUp = batch.events.length < this.options.batchSize;
        if (caughtUp) this.live = true;
        if (batch.events.length > 0) {
          await this.deliver(batch.events);
          if (this.failure !== undefined) return;
        } else if (batch.checkpoint !== undefined && (this.current === undefined || batch.checkpoint > this.current)) {
          await this.advance(batch.checkpoint);
          if (this.failure !== undefined) return;
        }
        if (caughtUp && !this.wakePending && !this.stopping) {
          // Held back by an open transaction that will not notify when it ends (it may not even be in
          // this database): look again soon, backing off towards the poll interval.
          const held = await this.heldBack();
          if (held) {
            await this.pause(heldDelay);
            heldDelay = Math.min(heldDelay * 2, this.options.pollIntervalMs);
          } else {
            heldDelay = FIRST_HELD_DELAY_MS;
            await this.pause(this.options.pollIntervalMs);
          }
        }
      }
    } finally {
      this.live = false;
      const unregister = this.unregister;
      this.unregister = undefined;
      await unregister?.();
      const reason = this.failure ?? new SubscriptionStopped(`at position ${String(this.current)}`);
      for (const waiter of this.waiters) {
        clearTimeout(waiter.timer);
        waiter.reject(reason);
      }
      this.waiters.clear();
    }
  }

  private async deliver(events: readonly RecordedEvent[]): Promise<void> {
    this.inHandler = true;
    try {
      await this.handler.onEvents(events);
    } catch (error) {
      this.fail(error);
      return;
    } finally {
      this.inHandler = false;
    }
    this.moveTo(events[events.length - 1]!.position);
  }

  private async advance(checkpoint: bigint): Promise<void> {
    if (this.handler.onCheckpoint !== undefined) {
      this.inHandler = true;
      try {
        await this.handler.onCheckpoint(checkpoint);
      } catch (error) {
        this.fail(error);
        return;
      } finally {
        this.inHandler = false;
      }
    }
    this.moveTo(checkpoint);
  }

  private moveTo(position: bigint): void {
    this.current = position;
    for (const waiter of this.waiters) {
      if (waiter.position <= position) {
        clearTimeout(waiter.timer);
        this.waiters.delete(waiter);
        waiter.resolve();
      }
    }
  }

  private fail(error: unknown): void {
    this.failure = error instanceof Error ? error : new Error(String(error));
    this.stopping = true;
    try {
      this.handler.onError?.(this.failure);
    } catch {
      // The error handler's own failure has nowhere better to go.
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(finish, ms);
      function finish(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = finish;
    }).finally(() => {
      this.wakeUp = undefined;
    });
  }
}
