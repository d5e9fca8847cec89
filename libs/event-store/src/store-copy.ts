/**
 * Copies one event store into another (`npm run store:copy`): every stream, in the source's global
 * order, with the same ids, types, data and metadata, then checks every copied stream's hash chain.
 *
 * Restartable and idempotent by construction: each event is appended at its own revision (expected
 * revision = revision - 1, or 'no_stream' for revision 0), and a stream's events already in the target
 * are recognised by id and hash and skipped. A target event with another id at the same revision means
 * the target is not a copy of this source; the copy stops there rather than mix two histories.
 *
 * The target recomputes each hash from the event's content and the previous hash, exactly as the
 * source once did, so a faithful copy ends every stream on the source's last hash; comparing that one
 * hash per stream proves the whole chain equal. Each event keeps the instant it was recorded at and the
 * MAC it carries (NewEvent.recorded): a MAC of version 2 covers the instant, and a MAC of either
 * version stays valid because the stream, revision, id, type, content and chain hash it covers do not
 * change (keys rotated since do not matter either: the old key stays in the ring).
 *
 * Run it against a quiet source (the service stopped) and a target nothing else writes to.
 *
 * The copy keeps each event's id, content, revision and order, not its position: positions belong to
 * each store's own log, and the target has an identity of its own (EventStore.identity()). Checkpoints
 * stored against the old store do not apply to the new one, and consumers refuse them (README,
 * "Switching stores": copy, then rebuild).
 */
import { RevisionConflict, StreamNotFound } from './event-store.errors';
import type { EventStore, NewEvent, RecordedEvent } from './event-store.port';
import { verifyChain } from './hash-chain';

export interface StoreCopyOptions {
  /** Events read from the source per batch (default 500). */
  readonly batchSize?: number;
  /** Called after every batch. */
  readonly onProgress?: (progress: StoreCopyProgress) => void;
  /**
   * The source's newest committed position, when the caller can know it: the copy then goes on at
   * least until it has read that far, waiting out empty reads on the way. PostgreSQL's log hides an
   * event committed behind an older transaction still open anywhere in the cluster, so an empty read
   * there does not mean the end.
   */
  readonly until?: bigint;
  /** Without `until`: how long reads must stay empty before the log counts as fully read (default 2 s). */
  readonly settleMs?: number;
  /** With `until`: how long to wait for the log to reach it before giving up (default 60 s). */
  readonly maxWaitMs?: number;
}

export interface StoreCopyProgress {
  readonly streams: number;
  readonly eventsRead: number;
  readonly eventsCopied: number;
  readonly eventsSkipped: number;
  readonly position: bigint | undefined;
}

export interface StreamMismatch {
  readonly streamId: string;
  readonly reason: string;
  readonly firstBrokenRevision?: number;
}

export interface StoreCopySummary extends StoreCopyProgress {
  readonly verifiedStreams: number;
  readonly mismatches: readonly StreamMismatch[];
}

/** The target holds something at a revision that is not the source's event: not a copy of it. */
export class StoreCopyConflict extends Error {
  constructor(
    readonly streamId: string,
    readonly revision: number,
    readonly sourceEventId: string,
    readonly targetEventId: string | undefined,
    detail: string,
  ) {
    super(`Stream ${streamId} revision ${revision}: ${detail} (source event ${sourceEventId}, target event ${targetEventId ?? 'none'})`);
  }
}

interface StoredIdentity {
  readonly id: string;
  readonly hash: string;
}

interface StreamState {
  /** The next revision the target is missing. */
  next: number;
  /** The target's events found when the stream was first met (a restarted copy), by revision. */
  existing: readonly StoredIdentity[];
  lastSourceHash: string;
  lastSourceRevision: number;
}

export async function copyEventStore(
  source: EventStore,
  target: EventStore,
  options: StoreCopyOptions = {},
): Promise<StoreCopySummary> {
  const batchSize = options.batchSize ?? 500;
  const settleMs = options.settleMs ?? 2_000;
  const maxWaitMs = options.maxWaitMs ?? 60_000;
  let emptySince: number | undefined;
  let emptyReads = 0;
  const streams = new Map<string, StreamState>();
  let eventsRead = 0;
  let eventsCopied = 0;
  let eventsSkipped = 0;
  let after: bigint | undefined;

  const progress = (): StoreCopyProgress => ({ streams: streams.size, eventsRead, eventsCopied, eventsSkipped, position: after });

  for (;;) {
    const batch = await source.readAll({ after, limit: batchSize });
    if (batch.events.length === 0) {
      if (batch.checkpoint !== undefined && (after === undefined || batch.checkpoint > after)) after = batch.checkpoint;
      const reached = options.until === undefined ? undefined : after !== undefined && after >= options.until;
      if (reached === true) break;
      emptySince ??= Date.now();
      const waited = Date.now() - emptySince;
      if (reached === undefined && waited >= settleMs) break;
      if (reached === false && waited >= maxWaitMs) {
        throw new Error(
          `The source log stays short of position ${String(options.until)} (read up to ${String(after)}) after ${maxWaitMs} ms: a transaction held open somewhere?`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, 25 * 2 ** Math.min(emptyReads++, 6))));
      continue;
    }
    emptySince = undefined;
    emptyReads = 0;
    eventsRead += batch.events.length;

    // Runs of consecutive events of one stream go in one append: fewer round trips, and the target's
    // global order stays the source's.
    for (const run of consecutiveRuns(batch.events)) {
      const streamId = run[0]!.streamId;
      let state = streams.get(streamId);
      if (state === undefined) {
        const existing = (await readStreamOrEmpty(target, streamId)).map(({ id, hash }) => ({ id, hash }));
        state = { next: existing.length, existing, lastSourceHash: '', lastSourceRevision: -1 };
        streams.set(streamId, state);
      }
      const missing: RecordedEvent[] = [];
      for (const event of run) {
        state.lastSourceHash = event.hash;
        state.lastSourceRevision = event.revision;
        if (event.revision < state.next) {
          checkAlreadyCopied(state, event);
          eventsSkipped++;
        } else if (event.revision === state.next + missing.length) {
          missing.push(event);
        } else {
          throw new StoreCopyConflict(streamId, event.revision, event.id, undefined, `the target stream ends at revision ${state.next - 1}, leaving a gap`);
        }
      }
      if (missing.length === 0) continue;
      const first = missing[0]!;
      try {
        const result = await target.append(streamId, missing.map(toNewEvent), first.revision === 0 ? 'no_stream' : first.revision - 1);
        if (result.written) eventsCopied += missing.length;
        else eventsSkipped += missing.length;
      } catch (error) {
        if (!(error instanceof RevisionConflict)) throw error;
        const [stored] = (await readStreamOrEmpty(target, streamId)).slice(first.revision, first.revision + 1);
        throw new StoreCopyConflict(streamId, first.revision, first.id, stored?.id, 'the target stream changed or differs from the source');
      }
      state.next += missing.length;
    }

    after = batch.checkpoint ?? batch.events[batch.events.length - 1]!.position;
    options.onProgress?.(progress());
  }

  const mismatches: StreamMismatch[] = [];
  for (const [streamId, state] of streams) {
    const copied = await readStreamOrEmpty(target, streamId);
    const chain = verifyChain(copied.map((e) => ({ type: e.type, data: e.data, metadata: e.metadata, revision: e.revision, hash: e.hash })));
    const last = copied[copied.length - 1];
    if (!chain.ok) {
      mismatches.push({ streamId, reason: 'the hash chain does not verify on the target', firstBrokenRevision: chain.firstBrokenRevision });
    } else if (last === undefined || last.revision !== state.lastSourceRevision) {
      mismatches.push({ streamId, reason: `the target ends at revision ${last?.revision ?? 'none'}, the source at ${state.lastSourceRevision}` });
    } else if (last.hash !== state.lastSourceHash) {
      // The target's chain is sound, so the source's is not (or was computed differently).
      mismatches.push({ streamId, reason: "the target's last hash differs from the source's; verify the source's chain" });
    }
  }
  return { ...progress(), verifiedStreams: streams.size - mismatches.length, mismatches };
}

function checkAlreadyCopied(state: StreamState, event: RecordedEvent): void {
  const stored = state.existing[event.revision];
  if (stored === undefined) return; // appended earlier in this run
  if (stored.id !== event.id) {
    throw new StoreCopyConflict(event.streamId, event.revision, event.id, stored.id, 'the target holds a different event');
  }
  if (stored.hash !== event.hash) {
    throw new StoreCopyConflict(event.streamId, event.revision, event.id, stored.id, 'the target holds this event id with another content or chain');
  }
}

function* consecutiveRuns(events: readonly RecordedEvent[]): Generator<RecordedEvent[]> {
  let run: RecordedEvent[] = [];
  for (const event of events) {
    if (run.length > 0 && run[0]!.streamId !== event.streamId) {
      yield run;
      run = [];
    }
    run.push(event);
  }
  if (run.length > 0) yield run;
}

async function readStreamOrEmpty(store: EventStore, streamId: string): Promise<readonly RecordedEvent[]> {
  try {
    return await store.readStream(streamId);
  } catch (error) {
    if (error instanceof StreamNotFound) return [];
    throw error;
  }
}

function toNewEvent(event: RecordedEvent): NewEvent {
  return { id: event.id, type: event.type, data: event.data, metadata: event.metadata, recorded: { at: event.recordedAt, ...(event.mac === undefined ? {} : { mac: event.mac }) } };
}
