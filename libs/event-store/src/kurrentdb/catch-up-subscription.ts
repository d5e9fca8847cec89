/**
 * The port's Subscription over a KurrentDB catch-up subscription, written against a small source
 * interface so that the resubscription, silent-drop detection and waitFor logic are unit-tested with a
 * scripted source instead of a server.
 *
 * Why a watchdog: a filtered $all subscription sends a checkpoint only after `checkpointInterval`
 * pages of *considered* events, so a healthy subscription on a quiet log says nothing at all, and a
 * connection that is half-dead (a proxy that stopped forwarding, a server-side subscription that ended
 * without closing the call) looks exactly the same. gRPC keep-alive catches dead TCP connections, not
 * those. So after `idleTimeoutMs` without an event or a checkpoint the loop asks the server for the
 * newest position of this service's events: at or below what has been handled means quiet, and the
 * subscription is live; above it means events exist that did not arrive, and if nothing arrives within
 * a short grace period the subscription is dropped and reopened after the last handled position.
 */
import { EventStoreUnavailable } from '../event-store.errors';
import type { RecordedEvent, Subscription, SubscriptionHandler } from '../event-store.port';
import type { Pulled } from './item-queue';

export type SourceItem =
  | { readonly kind: 'event'; readonly event: RecordedEvent }
  /**
   * `exact`: every record at or before `position` has been considered. Otherwise `position` is the
   * start of a record not yet considered, and the last event before it is what may be stored.
   */
  | { readonly kind: 'checkpoint'; readonly position: bigint; readonly exact: boolean }
  | { readonly kind: 'caught-up' }
  | { readonly kind: 'fell-behind' };

export interface SourceConnection {
  next(timeoutMs: number): Promise<Pulled<SourceItem>>;
  /** An item only if one is already buffered. */
  poll(): SourceItem | undefined;
  close(): Promise<void>;
}

export interface CatchUpSource {
  /** Opens a subscription delivering what comes strictly after `after` (everything when undefined). */
  open(after: bigint | undefined): SourceConnection;
  /** Position of the newest event of this service's streams, undefined when there is none. */
  head(): Promise<bigint | undefined>;
  /** Position of the last event in the whole log that starts before `position`. */
  lastEventBefore(position: bigint): Promise<bigint | undefined>;
  /** Turns a source error into a port error; EventStoreUnavailable means "retry". */
  translate(error: unknown): Error;
}

export interface CatchUpOptions {
  readonly after?: bigint;
  readonly batchSize?: number;
  /** Silence, in ms, after which the watchdog checks whether the subscription was silently dropped. */
  readonly idleTimeoutMs?: number;
  /** How long the watchdog waits for missing events to arrive before it resubscribes. */
  readonly stallGraceMs?: number;
  readonly retryDelayMs?: number;
  readonly maxRetryDelayMs?: number;
  /** Default for waitFor's timeout. */
  readonly waitTimeoutMs?: number;
  /** Told about every resubscription and its reason; the adapter logs them. */
  readonly onDiagnostic?: (message: string) => void;
}

interface Waiter {
  readonly target: bigint;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/** Marks an error thrown by the consumer's handler, which is never retried. */
class HandlerFailed {
  constructor(readonly error: unknown) {}
}

type PumpOutcome = 'stalled' | 'ended';

export class CatchUpSubscription implements Subscription {
  private current: bigint | undefined;
  private live = false;
  private stopping = false;
  private failure: Error | undefined;
  private connection: SourceConnection | undefined;
  private readonly waiters = new Set<Waiter>();
  private wakeSleeper: (() => void) | undefined;
  private readonly finished: Promise<void>;
  private readonly batchSize: number;
  private readonly idleTimeoutMs: number;
  private readonly stallGraceMs: number;
  private readonly retryDelayMs: number;
  private readonly maxRetryDelayMs: number;
  private readonly waitTimeoutMs: number;

  constructor(
    private readonly source: CatchUpSource,
    private readonly handler: SubscriptionHandler,
    private readonly options: CatchUpOptions = {},
  ) {
    this.current = options.after;
    this.batchSize = Math.max(1, options.batchSize ?? 100);
    this.idleTimeoutMs = options.idleTimeoutMs ?? 30_000;
    this.stallGraceMs = options.stallGraceMs ?? 2_000;
    this.retryDelayMs = options.retryDelayMs ?? 250;
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? 10_000;
    this.waitTimeoutMs = options.waitTimeoutMs ?? 30_000;
    this.finished = this.run();
  }

  get position(): bigint | undefined {
    return this.current;
  }

  get isLive(): boolean {
    return this.live;
  }

  waitFor(position: bigint, timeoutMs = this.waitTimeoutMs): Promise<void> {
    if (this.current !== undefined && this.current >= position) return Promise.resolve();
    if (this.failure) return Promise.reject(this.failure);
    if (this.stopping) return Promise.reject(new Error('Subscription stopped'));
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        target: position,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          reject(new Error(`waitFor(${position}) timed out after ${timeoutMs} ms; handled up to ${String(this.current)}`));
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wakeSleeper?.();
    await this.connection?.close().catch(() => undefined);
    await this.finished;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopping) {
      let connection: SourceConnection | undefined;
      try {
        connection = this.source.open(this.current);
        this.connection = connection;
        const outcome = await this.pump(connection, () => {
          failures = 0;
        });
        if (this.stopping) break;
        failures++;
        this.diagnostic(
          outcome === 'stalled'
            ? `no event or checkpoint for ${this.idleTimeoutMs} ms while the log has newer events: resubscribing after ${String(this.current)}`
            : `the server ended the subscription: resubscribing after ${String(this.current)}`,
        );
      } catch (error) {
        if (error instanceof HandlerFailed) {
          this.fail(error.error instanceof Error ? error.error : new Error(String(error.error)));
          break;
        }
        const translated = this.source.translate(error);
        if (!(translated instanceof EventStoreUnavailable)) {
          this.fail(translated);
          break;
        }
        failures++;
        this.diagnostic(`${translated.message}: resubscribing after ${String(this.current)} (attempt ${failures})`);
      } finally {
        this.live = false;
        this.connection = undefined;
        await connection?.close().catch(() => undefined);
      }
      if (failures > 0) await this.sleep(this.backoff(failures));
    }
    this.rejectWaiters(this.failure ?? new Error('Subscription stopped'));
  }

  private async pump(connection: SourceConnection, progressed: () => void): Promise<PumpOutcome> {
    while (!this.stopping) {
      const pulled = await connection.next(this.idleTimeoutMs);
      if (pulled.kind === 'end') return 'ended';
      if (pulled.kind === 'item') {
        progressed();
        await this.handle(pulled.item, connection);
        continue;
      }
      const verdict = await this.checkQuiet(connection, progressed);
      if (verdict !== 'alive') return verdict;
    }
    return 'ended';
  }

  /** After a silence: quiet log (fine), late delivery (fine), or missing events (stalled). */
  private async checkQuiet(connection: SourceConnection, progressed: () => void): Promise<'alive' | PumpOutcome> {
    const head = await this.source.head();
    if (head === undefined || (this.current !== undefined && head <= this.current)) {
      this.live = true;
      return 'alive';
    }
    const pulled = await connection.next(this.stallGraceMs);
    if (pulled.kind === 'idle') return 'stalled';
    if (pulled.kind === 'end') return 'ended';
    progressed();
    await this.handle(pulled.item, connection);
    return 'alive';
  }

  private async handle(item: SourceItem, connection: SourceConnection): Promise<void> {
    switch (item.kind) {
      case 'caught-up':
        this.live = true;
        return;
      case 'fell-behind':
        this.live = false;
        return;
      case 'checkpoint':
        return this.handleCheckpoint(item);
      case 'event':
        return this.handleEvents(item.event, connection);
    }
  }

  private async handleEvents(first: RecordedEvent, connection: SourceConnection): Promise<void> {
    const batch: RecordedEvent[] = [];
    let last = this.current;
    const add = (event: RecordedEvent): void => {
      // A resubscription replays from the last handled position; anything at or before it was handled.
      if (last !== undefined && event.position <= last) return;
      batch.push(event);
      last = event.position;
    };
    add(first);
    let pending: SourceItem | undefined;
    while (batch.length < this.batchSize) {
      const next = connection.poll();
      if (next === undefined) break;
      if (next.kind !== 'event') {
        pending = next;
        break;
      }
      add(next.event);
    }
    if (batch.length > 0) {
      await this.callHandler(() => this.handler.onEvents(batch));
      const position = batch[batch.length - 1]!.position;
      // The server says "caught up" only after the checkpoint that follows the last event, so a
      // caller whose waitFor() resolves on that event would otherwise still see isLive false.
      if (!this.live) this.live = await this.reachedHead(position);
      this.advance(position);
    }
    if (pending) await this.handle(pending, connection);
  }

  private async handleCheckpoint(item: { position: bigint; exact: boolean }): Promise<void> {
    if (this.current !== undefined && item.position <= this.current) return;
    const position = item.exact ? item.position : await this.source.lastEventBefore(item.position);
    if (position === undefined || (this.current !== undefined && position <= this.current)) return;
    const onCheckpoint = this.handler.onCheckpoint;
    if (onCheckpoint) await this.callHandler(() => onCheckpoint(position));
    this.advance(position);
  }

  /** Whether `position` is the newest event of the log; a failed look is "not yet", never an error. */
  private async reachedHead(position: bigint): Promise<boolean> {
    try {
      const head = await this.source.head();
      return head === undefined || head <= position;
    } catch {
      return false;
    }
  }

  private async callHandler(call: () => Promise<void>): Promise<void> {
    try {
      await call();
    } catch (error) {
      throw new HandlerFailed(error);
    }
  }

  private advance(position: bigint): void {
    this.current = position;
    for (const waiter of this.waiters) {
      if (waiter.target <= position) {
        clearTimeout(waiter.timer);
        this.waiters.delete(waiter);
        waiter.resolve();
      }
    }
  }

  private fail(error: Error): void {
    this.failure = error;
    this.stopping = true;
    this.handler.onError?.(error);
  }

  private rejectWaiters(error: Error): void {
    for (const waiter of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(error);
    }
    this.waiters.clear();
  }

  private backoff(failures: number): number {
    return Math.min(this.maxRetryDelayMs, this.retryDelayMs * 2 ** Math.min(failures - 1, 16));
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wakeSleeper = done;
    }).finally(() => {
      this.wakeSleeper = undefined;
    });
  }

  private diagnostic(message: string): void {
    this.options.onDiagnostic?.(message);
  }
}
