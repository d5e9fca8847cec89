import { escapeIdentifier, type Pool, type PoolClient } from 'pg';

export interface NotificationListenerOptions {
  /** First delay before reconnecting after the listening connection is lost; doubles up to 5 s. */
  readonly reconnectDelayMs?: number;
}

/**
 * Holds one pooled connection in LISTEN on a channel and wakes every registered callback when an
 * append notifies it. Notifications are only a hint to read sooner: subscribers also poll, and every
 * (re)connection wakes them once, because anything notified while no connection listened is lost.
 */
export class PostgresNotificationListener {
  private readonly callbacks = new Set<() => void>();
  private readonly reconnectDelayMs: number;
  private running: Promise<void> | undefined;
  private active = false;
  private dropConnection: (() => void) | undefined;
  private connectedCount = 0;

  constructor(
    private readonly pool: Pool,
    private readonly channel: string,
    options: NotificationListenerOptions = {},
  ) {
    this.reconnectDelayMs = options.reconnectDelayMs ?? 100;
  }

  /** How many times a LISTEN connection has been established (tests watch reconnection through it). */
  get connections(): number {
    return this.connectedCount;
  }

  /** Registers a callback; the first one opens the connection, removing the last one closes it. */
  add(callback: () => void): () => Promise<void> {
    this.callbacks.add(callback);
    if (!this.active) {
      this.active = true;
      // A loop still winding down from stop() finishes first, so only one ever holds a connection.
      this.running = (this.running ?? Promise.resolve()).then(() => this.run());
    }
    return async () => {
      this.callbacks.delete(callback);
      if (this.callbacks.size === 0) await this.stop();
    };
  }

  async stop(): Promise<void> {
    this.active = false;
    this.dropConnection?.();
    const running = this.running;
    await running;
    if (this.running === running) this.running = undefined;
  }

  private wakeAll(): void {
    for (const callback of this.callbacks) callback();
  }

  private async run(): Promise<void> {
    let delay = this.reconnectDelayMs;
    while (this.active) {
      let client: PoolClient | undefined;
      try {
        client = await this.pool.connect();
        const lost = new Promise<void>((resolve) => {
          this.dropConnection = resolve;
          client!.on('error', () => resolve());
          client!.on('end', () => resolve());
        });
        client.on('notification', (message) => {
          if (message.channel === this.channel) this.wakeAll();
        });
        await client.query(`LISTEN ${escapeIdentifier(this.channel)}`);
        this.connectedCount++;
        delay = this.reconnectDelayMs;
        this.wakeAll();
        if (this.active) await lost;
      } catch {
        // Database unreachable or connection refused: the subscribers' polling carries on meanwhile.
      } finally {
        this.dropConnection = undefined;
        // Never hand a LISTENing connection back to the pool.
        client?.release(true);
      }
      if (!this.active) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.dropConnection = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.dropConnection = undefined;
      delay = Math.min(delay * 2, 5_000);
    }
  }
}
