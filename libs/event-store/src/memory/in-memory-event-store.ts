import { randomUUID } from 'node:crypto';
import { prepareAppend, type PreparedEvent } from '../append-validation';
import { EventStoreUnavailable, RevisionConflict, StreamNotFound } from '../event-store.errors';
import type {
  AppendResult,
  EventStore,
  ExpectedRevision,
  NewEvent,
  ReadAllBatch,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
  SubscriptionHandler,
} from '../event-store.port';
import { chainHash, GENESIS_HASH } from '../hash-chain';
// The read-notify-read loop does not depend on PostgreSQL: it only needs a source of batches and a wake-up.
import { PostgresSubscription } from '../postgres/postgres-subscription';

/** An event as kept: the canonical JSON that was appended, parsed afresh on every read as a database would. */
interface StoredEvent {
  readonly id: string;
  readonly streamId: string;
  readonly type: string;
  readonly dataJson: string;
  readonly metadataJson: string;
  readonly revision: number;
  readonly position: bigint;
  readonly recordedAt: Date;
  readonly hash: string;
  /** Only for a copied event (NewEvent.recorded): this store makes no MACs. */
  readonly mac?: string;
}

const DEFAULT_READ_ALL_LIMIT = 500;
const MAX_READ_LIMIT = 10_000;

/**
 * The event store in one process's memory, for unit tests of the application layer and for running
 * the service without a database. It passes the same contract suite as the PostgreSQL and KurrentDB
 * adapters: the same validation (prepareAppend), idempotent retries recognised by event id, the same
 * conflicts, the same hash chain, a log in position order. Every append is checked and written in one
 * synchronous step, so racing appends serialise exactly as on a database's unique keys.
 */
export class InMemoryEventStore implements EventStore {
  private readonly log: StoredEvent[] = [];
  private readonly streams = new Map<string, StoredEvent[]>();
  private readonly byId = new Map<string, StoredEvent>();
  private readonly wakes = new Set<() => void>();
  private readonly subscriptions = new Set<PostgresSubscription>();
  private nextPosition = 1n;
  private readonly id = `memory:${randomUUID()}`;
  private closed = false;

  async append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    this.assertOpen();
    const prepared = prepareAppend(streamId, events, expected);
    // Yield once, as any store's round trip does, so callers racing appends really interleave.
    await Promise.resolve();
    this.assertOpen();
    const stream = this.streams.get(streamId) ?? [];
    const current = stream.length - 1;
    const known = prepared.filter((e) => this.byId.has(e.id)).length;
    const fits = expected === 'any' || (expected === 'no_stream' ? current === -1 : expected === current);
    if (known === 0 && fits) return this.write(streamId, stream, prepared);
    const retried = this.retried(streamId, prepared, expected);
    if (retried !== undefined) return retried;
    throw new RevisionConflict(streamId, expected, current < 0 ? 'no_stream' : current);
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<readonly RecordedEvent[]> {
    this.assertOpen();
    const toRevision = options.toRevision ?? Number.MAX_SAFE_INTEGER;
    const stream = this.streams.get(streamId) ?? [];
    const result: RecordedEvent[] = [];
    for (const event of stream) {
      // `until` keeps the prefix recorded by then, as the PostgreSQL adapter does: never a stream with a hole.
      if (event.revision > toRevision || (options.until !== undefined && event.recordedAt > options.until)) break;
      result.push(toRecorded(event));
    }
    if (result.length === 0) throw new StreamNotFound(streamId);
    return result;
  }

  async readAll(options: ReadAllOptions = {}): Promise<ReadAllBatch> {
    this.assertOpen();
    return this.batch(options.after, options.limit ?? DEFAULT_READ_ALL_LIMIT);
  }

  subscribe(handler: SubscriptionHandler, options: SubscribeOptions = {}): Subscription {
    this.assertOpen();
    const subscription: PostgresSubscription = new PostgresSubscription(
      {
        readAll: async (after, limit) => this.batch(after, limit),
        committedHead: async () => this.log.at(-1)?.position,
        onAppended: (wake) => {
          this.wakes.add(wake);
          return async () => {
            this.wakes.delete(wake);
            this.subscriptions.delete(subscription);
          };
        },
      },
      handler,
      // Appends wake subscribers directly; the poll is only a backstop.
      { ...options, batchSize: options.batchSize ?? 1000, pollIntervalMs: 1_000 },
    );
    this.subscriptions.add(subscription);
    return subscription;
  }

  /** `memory:<uuid>`, new for every instance: its log lives and dies with it. */
  async identity(): Promise<string> {
    this.assertOpen();
    return this.id;
  }

  endPosition(): Promise<bigint | undefined> {
    return this.headPosition();
  }

  async headPosition(): Promise<bigint | undefined> {
    this.assertOpen();
    return this.log.at(-1)?.position;
  }

  async ping(): Promise<void> {
    this.assertOpen();
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
  }

  private write(streamId: string, stream: StoredEvent[], prepared: readonly PreparedEvent[]): AppendResult {
    let previous = stream.at(-1)?.hash ?? GENESIS_HASH;
    const recordedAt = new Date();
    let last: StoredEvent | undefined;
    for (const event of prepared) {
      const revision = stream.length;
      const hash = chainHash(previous, {
        type: event.type,
        data: JSON.parse(event.dataJson),
        metadata: JSON.parse(event.metadataJson),
        revision,
      });
      last = {
        id: event.id, streamId, type: event.type, dataJson: event.dataJson, metadataJson: event.metadataJson, revision, position: this.nextPosition++,
        recordedAt: event.recorded?.at ?? recordedAt, hash, ...(event.recorded?.mac === undefined ? {} : { mac: event.recorded.mac }),
      };
      stream.push(last);
      this.log.push(last);
      this.byId.set(last.id, last);
      previous = hash;
    }
    this.streams.set(streamId, stream);
    for (const wake of this.wakes) wake();
    return { nextRevision: last!.revision, position: last!.position, written: true, recordedAt: new Date(last!.recordedAt.getTime()) };
  }

  /**
   * The append is exactly one already in the log (same stream, consecutive revisions in order, same
   * types and data) at the expected revision or under 'any': answer as the first time did.
   */
  private retried(streamId: string, prepared: readonly PreparedEvent[], expected: ExpectedRevision): AppendResult | undefined {
    const stored = prepared.map((e) => this.byId.get(e.id));
    if (stored.some((e) => e === undefined)) return undefined;
    const first = stored[0]!;
    const shift = first.revision - 1;
    const same = stored.every(
      (e, i) => e!.streamId === streamId && e!.revision === shift + 1 + i && e!.type === prepared[i]!.type && e!.dataJson === prepared[i]!.dataJson,
    );
    if (!same) return undefined;
    const expectedShift = expected === 'no_stream' ? -1 : expected;
    if (expectedShift !== 'any' && expectedShift !== shift) return undefined;
    const last = stored.at(-1)!;
    return { nextRevision: last.revision, position: last.position, written: false };
  }

  private batch(after: bigint | undefined, limit: number): ReadAllBatch {
    const bounded = Math.max(1, Math.min(MAX_READ_LIMIT, Math.floor(limit)));
    const start = after === undefined ? 0 : firstAfter(this.log, after);
    const events = this.log.slice(start, start + bounded).map(toRecorded);
    return { events, checkpoint: events.length > 0 ? events.at(-1)!.position : after };
  }

  private assertOpen(): void {
    if (this.closed) throw new EventStoreUnavailable('The event store has been closed');
  }
}

/** Index of the first event with a position above `after` (positions increase along the log). */
function firstAfter(log: readonly StoredEvent[], after: bigint): number {
  let low = 0;
  let high = log.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (log[middle]!.position <= after) low = middle + 1;
    else high = middle;
  }
  return low;
}

function toRecorded(event: StoredEvent): RecordedEvent {
  return {
    id: event.id,
    streamId: event.streamId,
    type: event.type,
    data: JSON.parse(event.dataJson) as unknown,
    metadata: JSON.parse(event.metadataJson) as Record<string, unknown>,
    revision: event.revision,
    position: event.position,
    recordedAt: new Date(event.recordedAt.getTime()),
    hash: event.hash,
    ...(event.mac === undefined ? {} : { mac: event.mac }),
  };
}
