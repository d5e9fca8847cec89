/**
 * A single-consumer queue between a push source (a Node stream's 'data' events) and the subscription
 * loop that pulls with a deadline. The deadline is what lets the loop notice a source that has gone
 * quiet; the high/low water marks give the source back-pressure while a slow handler works.
 */
export type Pulled<T> = { readonly kind: 'item'; readonly item: T } | { readonly kind: 'idle' } | { readonly kind: 'end' };

export interface ItemQueueOptions {
  readonly highWater?: number;
  readonly lowWater?: number;
  /** Called when the queue grows past highWater (pause the source). */
  readonly onHigh?: () => void;
  /** Called when it drains below lowWater again (resume the source). */
  readonly onLow?: () => void;
}

export class ItemQueue<T> {
  private readonly items: T[] = [];
  private head = 0;
  private ended = false;
  private failure: { error: unknown } | undefined;
  private waiter: ((value: void) => void) | undefined;
  private paused = false;
  private readonly highWater: number;
  private readonly lowWater: number;

  constructor(private readonly options: ItemQueueOptions = {}) {
    this.highWater = options.highWater ?? 1000;
    this.lowWater = options.lowWater ?? Math.floor(this.highWater / 2);
  }

  get size(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    if (this.ended || this.failure) return;
    this.items.push(item);
    if (!this.paused && this.size >= this.highWater) {
      this.paused = true;
      this.options.onHigh?.();
    }
    this.wake();
  }

  /** Items already queued are still delivered before the error. */
  fail(error: unknown): void {
    // After end() (our own close) late transport errors are noise.
    if (this.ended || this.failure) return;
    this.failure = { error };
    this.wake();
  }

  end(): void {
    this.ended = true;
    this.wake();
  }

  /** The next item, 'idle' when none arrived within timeoutMs, 'end' once ended; throws the failure. */
  async next(timeoutMs: number): Promise<Pulled<T>> {
    const ready = this.take();
    if (ready) return ready;
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.waiter = resolve;
      timer = setTimeout(resolve, timeoutMs);
    });
    clearTimeout(timer);
    this.waiter = undefined;
    return this.take() ?? { kind: 'idle' };
  }

  /** An item only if one is queued right now (for batching), never waits. */
  poll(): T | undefined {
    if (this.size === 0) return undefined;
    return this.shift();
  }

  private take(): Pulled<T> | undefined {
    if (this.size > 0) return { kind: 'item', item: this.shift() };
    // A stream that fails also closes; the failure is what the consumer needs to see.
    if (this.failure) throw this.failure.error;
    if (this.ended) return { kind: 'end' };
    return undefined;
  }

  private shift(): T {
    const item = this.items[this.head]!;
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items.splice(0, this.head);
      this.head = 0;
    }
    if (this.paused && this.size <= this.lowWater) {
      this.paused = false;
      this.options.onLow?.();
    }
    return item;
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }
}
