/**
 * Turns many concurrent single-key calls into few batched ones. Calls made while a batch is in flight
 * (or in the same turn of the event loop) wait and go together in the next batch, so an idle system
 * pays one round trip per call and a busy one pays one round trip per batch: the batch grows with the
 * load instead of the queue of round trips.
 *
 * `flush` gets distinct calls in arrival order and answers one result per key, in the same order; if it
 * throws, every call of that batch rejects with the error.
 */
export class Coalescer<K, R> {
  private waiting: { key: K; resolve: (result: R) => void; reject: (error: unknown) => void }[] = [];
  private draining = false;

  constructor(private readonly flush: (keys: readonly K[]) => Promise<readonly R[]>, private readonly maxBatch = 500) {}

  run(key: K): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ key, resolve, reject });
      if (!this.draining) {
        this.draining = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.maxBatch);
      try {
        const results = await this.flush(batch.map((call) => call.key));
        batch.forEach((call, i) => call.resolve(results[i]!));
      } catch (error) {
        for (const call of batch) call.reject(error);
      }
    }
    this.draining = false;
  }
}
