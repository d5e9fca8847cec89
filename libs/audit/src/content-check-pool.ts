import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { CanonicalTextRow, EventStore } from '@app/event-store';
import { canonicalTextBatches, LOG_READ_BATCH, prefetchedBatches } from './log-reader';
import { CONTENT_CHECK_WORKER_SOURCE, type MacKeyMaterial, type PackedChecks, type RowChecks } from './content-check';

interface Pending {
  readonly resolve: (result: RowChecks & Partial<PackedChecks>) => void;
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
      worker.on('message', (message: { id: number; result?: RowChecks & Partial<PackedChecks>; error?: string }) => {
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
    return this.post({ rows, previous, untilV1, untilV2 });
  }

  /** Checks a packed batch in a worker (see contentCheckKit().checkPacked). */
  runPacked(packed: string, count: number, untilV1: string | null, untilV2: string | null): Promise<PackedChecks> {
    return this.post({ packed, count, untilV1, untilV2 }) as Promise<PackedChecks>;
  }

  private post(job: Record<string, unknown>, transfer: ArrayBuffer[] = []): Promise<RowChecks & Partial<PackedChecks>> {
    if (this.failed !== undefined) return Promise.reject(this.failed);
    let slot = 0;
    for (let i = 1; i < this.workers.length; i++) if (this.workers[i]!.pending < this.workers[slot]!.pending) slot = i;
    const id = this.nextId++;
    const target = this.workers[slot]!;
    target.pending++;
    return new Promise((resolve, reject) => {
      this.jobs.set(id, { resolve, reject, slot });
      target.worker.postMessage({ id, ...job }, transfer);
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

/** A batch of the log with its content checks (content-check.ts). */
export interface CheckedBatch {
  readonly rows: readonly CanonicalTextRow[];
  readonly checkpoint: bigint | undefined;
  readonly checks: RowChecks;
}

/**
 * The log after `after`, batch by batch in log order, each with its content checks made in the pool's
 * threads: the chain link of each event is checked against the stored hash of the event before it in
 * its stream as read in this walk (none for a stream's first event in it: GENESIS, which a caller that
 * starts mid-log disregards). Several batches are read and checked ahead of the one yielded. The store
 * must have readAllCanonicalText.
 */
export async function* checkedBatches(
  store: EventStore,
  pool: ContentCheckPool,
  options: { readonly after?: bigint; readonly batchSize?: number; readonly untilV1: string | null; readonly untilV2: string | null; readonly ahead: number },
): AsyncGenerator<CheckedBatch> {
  const heads = new Map<string, string>();
  const inFlight: { rows: readonly CanonicalTextRow[]; checkpoint: bigint | undefined; checks: Promise<RowChecks> }[] = [];
  for await (const batch of canonicalTextBatches(store, options.after, options.batchSize)) {
    const previous = new Array<string | null>(batch.rows.length);
    for (let i = 0; i < batch.rows.length; i++) {
      const row = batch.rows[i]!;
      previous[i] = heads.get(row[2]) ?? null;
      heads.set(row[2], row[7]);
    }
    const checks = pool.run(batch.rows, previous, options.untilV1, options.untilV2);
    // Not awaited when the caller stops early: never an unhandled rejection.
    checks.catch(() => undefined);
    inFlight.push({ rows: batch.rows, checkpoint: batch.checkpoint, checks });
    if (inFlight.length > options.ahead) {
      const job = inFlight.shift()!;
      yield { rows: job.rows, checkpoint: job.checkpoint, checks: await job.checks };
    }
  }
  while (inFlight.length > 0) {
    const job = inFlight.shift()!;
    yield { rows: job.rows, checkpoint: job.checkpoint, checks: await job.checks };
  }
}

/** The light view of a text row that the walk needs. */
export function placedEventOf(row: CanonicalTextRow): { position: bigint; streamId: string; revision: number; hash: string; mac?: string } {
  return { position: BigInt(row[0]), streamId: row[2], revision: Number(row[3]), hash: row[7], ...(row[8] === '' ? {} : { mac: row[8] }) };
}

/** A packed batch of the log (EventStore.readAllCanonicalPacked) with its content checks. */
export interface CheckedPackedBatch {
  readonly count: number;
  readonly checkpoint: bigint | undefined;
  readonly checks: PackedChecks;
}

/**
 * checkedBatches() over packed batches: the store reads one text per batch, which goes to a thread as
 * it is; the thread parses it, checks each event and checks the chain link of each event whose
 * stream's previous event is in the same batch (the others are left to the walk, with HASH_BY_CALLER:
 * see content-check.ts chainStatus). This thread does nothing per event but walk the answers.
 */
export async function* checkedPackedBatches(
  store: EventStore,
  pool: ContentCheckPool,
  options: { readonly after?: bigint; readonly batchSize?: number; readonly untilV1: string | null; readonly untilV2: string | null; readonly ahead: number },
): AsyncGenerator<CheckedPackedBatch> {
  const limit = options.batchSize ?? LOG_READ_BATCH;
  const inFlight: { count: number; checkpoint: bigint | undefined; checks: Promise<PackedChecks> }[] = [];
  const batches = prefetchedBatches((from) => store.readAllCanonicalPacked!({ after: from, limit }), options.after, (batch) => batch.count);
  for await (const batch of batches) {
    if (batch.count > 0) {
      const checks = pool.runPacked(batch.rows, batch.count, options.untilV1, options.untilV2);
      checks.catch(() => undefined);
      inFlight.push({ count: batch.count, checkpoint: batch.checkpoint, checks });
    }
    while (inFlight.length > options.ahead) {
      const job = inFlight.shift()!;
      yield { count: job.count, checkpoint: job.checkpoint, checks: await job.checks };
    }
  }
  while (inFlight.length > 0) {
    const job = inFlight.shift()!;
    yield { count: job.count, checkpoint: job.checkpoint, checks: await job.checks };
  }
}
