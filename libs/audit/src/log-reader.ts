import type { CanonicalBatch, CanonicalTextBatch, EventStore, ReadAllOptions } from '@app/event-store';
import { canonicalEventOf } from './log-verification';

/** Events per read when walking the whole log. */
export const LOG_READ_BATCH = 5_000;

function readCanonical(store: EventStore, options: ReadAllOptions): Promise<CanonicalBatch> {
  if (store.readAllCanonical !== undefined) return store.readAllCanonical(options);
  return store.readAll(options).then(({ events, checkpoint }) => ({ events: events.map(canonicalEventOf), checkpoint }));
}

/**
 * Batches read one after another from `after` on, each next one already being read while the caller
 * works on this one (so the database and the hashing overlap: on two cores, each has one). Ends after
 * the first batch that is empty or has no checkpoint; a caller that stops early just returns.
 */
export async function* prefetchedBatches<Batch extends { readonly checkpoint: bigint | undefined }>(
  read: (after: bigint | undefined) => Promise<Batch>,
  after: bigint | undefined,
  sizeOf: (batch: Batch) => number,
): AsyncGenerator<Batch> {
  const start = (from: bigint | undefined): Promise<Batch> => {
    const batch = read(from);
    // Not awaited when the caller stops early: never an unhandled rejection.
    batch.catch(() => undefined);
    return batch;
  };
  let next = start(after);
  for (;;) {
    const batch = await next;
    const more = sizeOf(batch) > 0 && batch.checkpoint !== undefined;
    if (more) next = start(batch.checkpoint);
    yield batch;
    if (!more) return;
  }
}

/** The log from `after` on, batch by batch in log order, content as canonical text. */
export function canonicalBatches(store: EventStore, after: bigint | undefined, limit = LOG_READ_BATCH): AsyncGenerator<CanonicalBatch> {
  return prefetchedBatches((from) => readCanonical(store, { after: from, limit }), after, (batch) => batch.events.length);
}

/** The same as canonicalBatches, as text rows (EventStore.readAllCanonicalText, which the store must have). */
export function canonicalTextBatches(store: EventStore, after?: bigint, limit = LOG_READ_BATCH): AsyncGenerator<CanonicalTextBatch> {
  return prefetchedBatches((from) => store.readAllCanonicalText!({ after: from, limit }), after, (batch) => batch.rows.length);
}
