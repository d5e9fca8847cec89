import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { CanonicalTextRow } from '@app/event-store';
import { CONTENT_CHECK_WORKER_SOURCE, type MacKeyMaterial, type RowChecks } from './content-check';

interface Pending {
  readonly resolve: (result: RowChecks) => void;
  readonly reject: (error: Error) => void;
}

/** How many worker threads whole-log verification uses by default: one per core. */
export function defaultVerifyThreads(): number {
  return Math.max(1, Math.min(8, availableParallelism()));
}

/**
 * Worker threads running content-check.ts's kit over batches of rows. Jobs go to the thread with the
 * fewest pending; answers come back in any order and are matched by id. Closed by close() (also when a
 * verification stops early: the threads are terminated, whatever they were doing).
 */
export class ContentCheckPool {
  private readonly workers: { worker: Worker; pending: number }[] = [];
  private readonly jobs = new Map<number, Pending & { readonly slot: number }>();
  private nextId = 1;
  private failed: Error | undefined;

  constructor(keys: readonly MacKeyMaterial[], threads: number) {
    for (let slot = 0; slot < threads; slot++) {
      const worker = new Worker(CONTENT_CHECK_WORKER_SOURCE, { eval: true, workerData: { keys } });
      worker.unref();
      worker.on('message', (message: { id: number; result?: RowChecks; error?: string }) => {
        const job = this.jobs.get(message.id);
        if (job === undefined) return;
        this.jobs.delete(message.id);
        this.workers[job.slot]!.pending--;
        if (message.result !== undefined) job.resolve(message.result);
        else job.reject(new Error(`verification worker failed: ${message.error}`));
      });
      worker.on('error', (error) => this.fail(error));
      worker.on('exit', (code) => {
        if (code !== 0) this.fail(new Error(`verification worker exited with ${code}`));
      });
      this.workers.push({ worker, pending: 0 });
    }
  }

  /** Checks `rows` in a worker (see contentCheckKit().checkRows). */
  run(rows: readonly CanonicalTextRow[], previous: readonly (string | null)[], untilV1: string | null, untilV2: string | null): Promise<RowChecks> {
    if (this.failed !== undefined) return Promise.reject(this.failed);
    let slot = 0;
    for (let i = 1; i < this.workers.length; i++) if (this.workers[i]!.pending < this.workers[slot]!.pending) slot = i;
    const id = this.nextId++;
    const target = this.workers[slot]!;
    target.pending++;
    return new Promise<RowChecks>((resolve, reject) => {
      this.jobs.set(id, { resolve, reject, slot });
      target.worker.postMessage({ id, rows, previous, untilV1, untilV2 });
    });
  }

  async close(): Promise<void> {
    this.fail(new Error('the verification pool was closed'));
    await Promise.all(this.workers.map(({ worker }) => worker.terminate()));
  }

  private fail(error: Error): void {
    this.failed ??= error;
    for (const job of this.jobs.values()) job.reject(this.failed);
    this.jobs.clear();
  }
}
