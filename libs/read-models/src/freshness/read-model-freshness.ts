import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import type { Logger } from 'pino';
import { CHECKPOINT_CHANNEL, PG_POOL, ROOT_LOGGER } from '@app/platform';

export const READ_MODEL_ERROR_CODES = ['read_model_behind'] as const;
export type ReadModelErrorCode = (typeof READ_MODEL_ERROR_CODES)[number];

/** The read models did not catch up with the position a client asked for within the wait. */
export class ReadModelBehind extends Error {
  readonly code = 'read_model_behind' as const;
  constructor(readonly details: { readonly projections: readonly string[]; readonly minPosition: string }) {
    super(`The read models have not yet caught up with position ${details.minPosition}; retry shortly.`);
  }
}

interface Waiter {
  readonly names: readonly string[];
  readonly position: bigint;
  readonly resolve: () => void;
}

const POLL_MS = 250;

/**
 * Read your own writes, in the api process: the worker's projections commit their checkpoints with a
 * NOTIFY (libs/platform/src/durable-subscriber.ts); this service LISTENs, and also polls the
 * checkpoint table while anyone waits (a notification can be missed across a reconnect).
 */
@Injectable()
export class ReadModelFreshness implements OnApplicationShutdown {
  private readonly known = new Map<string, bigint>();
  private readonly waiters = new Set<Waiter>();
  private listener: PoolClient | undefined;
  private listening: Promise<void> | undefined;
  /** Gives the listening client back to the pool, once. */
  private releaseListener: (() => void) | undefined;
  private poller: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  /** Resolves once every named projection has committed `minPosition`; throws ReadModelBehind after `timeoutMs`. */
  async waitFor(names: readonly string[], minPosition: bigint | undefined, timeoutMs = 5_000): Promise<void> {
    if (minPosition === undefined) return;
    if (this.satisfied(names, minPosition)) return;
    this.listen();
    await this.refresh(names);
    if (this.satisfied(names, minPosition)) return;
    await new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        names,
        position: minPosition,
        resolve: () => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new ReadModelBehind({ projections: names, minPosition: minPosition.toString() }));
      }, timeoutMs);
      this.waiters.add(waiter);
      this.startPolling();
    });
  }

  /** Checkpoints as last read (for metrics and tests). */
  async checkpoints(names: readonly string[]): Promise<Map<string, bigint | null>> {
    const { rows } = await this.pool.query<{ name: string; position: string | null }>(
      'SELECT name, position FROM subscription_checkpoints WHERE name = ANY($1)', [names],
    );
    const result = new Map<string, bigint | null>(names.map((n) => [n, null]));
    for (const row of rows) result.set(row.name, row.position === null ? null : BigInt(row.position));
    return result;
  }

  private satisfied(names: readonly string[], position: bigint): boolean {
    return names.every((name) => (this.known.get(name) ?? -1n) >= position);
  }

  private record(name: string, position: bigint): void {
    if ((this.known.get(name) ?? -1n) < position) this.known.set(name, position);
  }

  private settle(): void {
    for (const waiter of [...this.waiters]) if (this.satisfied(waiter.names, waiter.position)) waiter.resolve();
    if (this.waiters.size === 0) this.stopPolling();
  }

  private async refresh(names: readonly string[]): Promise<void> {
    for (const [name, position] of await this.checkpoints(names)) if (position !== null) this.record(name, position);
    this.settle();
  }

  private startPolling(): void {
    this.poller ??= setInterval(() => {
      const names = [...new Set([...this.waiters].flatMap((w) => w.names))];
      this.refresh(names).catch((error: unknown) => this.logger.warn({ err: error }, 'reading projection checkpoints failed'));
    }, POLL_MS);
    this.poller.unref();
  }

  private stopPolling(): void {
    clearInterval(this.poller);
    this.poller = undefined;
  }

  private listen(): void {
    if (this.closed || this.listening !== undefined) return;
    this.listening = (async () => {
      const client = await this.pool.connect();
      client.on('notification', (message) => {
        const [name, position] = (message.payload ?? '').split(' ');
        if (name === undefined || position === undefined || !/^\d+$/u.test(position)) return;
        this.record(name, BigInt(position));
        this.settle();
      });
      let released = false;
      client.on('error', () => {
        // Polling covers the gap; listen again on the next wait. The client is released once: an error
        // can also come after shutdown gave it back (the server ending the session), when it is not ours.
        if (released) return;
        released = true;
        this.listener = undefined;
        this.listening = undefined;
        client.release(true);
      });
      this.releaseListener = () => {
        if (released) return;
        released = true;
        client.removeAllListeners('notification');
        client.release();
      };
      await client.query(`LISTEN ${CHECKPOINT_CHANNEL}`);
      this.listener = client;
    })().catch((error: unknown) => {
      this.listening = undefined;
      this.logger.warn({ err: error }, 'LISTEN for projection checkpoints failed; polling');
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    this.stopPolling();
    await this.listening;
    const client = this.listener;
    this.listener = undefined;
    if (client !== undefined) {
      await client.query(`UNLISTEN ${CHECKPOINT_CHANNEL}`).catch(() => undefined);
      this.releaseListener?.();
    }
  }
}
