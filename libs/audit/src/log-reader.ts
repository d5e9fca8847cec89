import type { CanonicalBatch, CanonicalTextBatch, EventStore, ReadAllOptions } from '@app/event-store';
import { canonicalEventOf } from './log-verification';

/** Events per read when walking the whole log. */
export const LOG_READ_BATCH = 5_000;

function readCanonical(store: EventStore, options: ReadAllOptions): Promise<CanonicalBatch> {
  if (store.readAllCanonical !== undefined) return store.readAllCanonical(options);
  return store.readAll(options).then(({ events, checkpoint }) => ({ events: events.map(canonicalEventOf), checkpoint }));
}

/**
 * The log from `after` on, batch by batch in log order, content as canonical text. The next batch is
 * already being read while the caller checks this one, so the database and the hashing overlap (on
 * two cores, each has one). Ends at the first empty batch; a caller that stops early just returns.
 */
export async function* canonicalBatches(store: EventStore, after: bigint | undefined, limit = LOG_READ_BATCH): AsyncGenerator<CanonicalBatch> {
  const read = (from: bigint | undefined) => {
    const batch = readCanonical(store, { after: from, limit });
    // Not awaited when the caller stops early: never an unhandled rejection.
    batch.catch(() => undefined);
    return batch;
  };
  let next = read(after);
  for (;;) {
    const batch = await next;
    const more = batch.events.length > 0 && batch.checkpoint !== undefined;
    if (more) next = read(batch.checkpoint);
    yield batch;
    if (!more) return;
  }
}

/** The same as canonicalBatches, as text rows (EventStore.readAllCanonicalText, which the store must have). */
export async function* canonicalTextBatches(store: EventStore, after?: bigint, limit = LOG_READ_BATCH): AsyncGenerator<CanonicalTextBatch> {
  const read = (from: bigint | undefined) => {
    const batch = store.readAllCanonicalText!({ after: from, limit });
    batch.catch(() => undefined);
    return batch;
  };
  let next = read(after);
  for (;;) {
    const batch = await next;
    const more = batch.rows.length > 0 && batch.checkpoint !== undefined;
    if (more) next = read(batch.checkpoint);
    yield batch;
    if (!more) return;
  }
}
