/**
 * The EventStore port on KurrentDB (EventStoreDB) through @kurrent/kurrentdb-client 1.x.
 *
 * Appends. The hash chain needs the hash of the event before the first appended one, so every append
 * first reads the stream. The conditional append then makes that read safe: the server writes only if
 * the stream is still at the revision the hash was computed on, so two writers can never fork the
 * chain. An append with 'any' is therefore sent with the exact revision just read and, when someone
 * else got in between, read and retried (a bounded number of times); 'any' keeps its meaning for the
 * caller and the chain stays linear.
 *
 * Idempotency. Event ids are always sent, so the server itself deduplicates a retried append at the
 * same expected revision. The port also promises `written: false` for such a retry and a conflict for
 * ids reused elsewhere in the stream, which the server's replies do not tell; the adapter finds out
 * from the stream it reads before writing (see plan()), and serialises appends to one stream within a
 * process so that two identical retries racing each other are told apart. What KurrentDB cannot do
 * cheaply is refuse an id already used in *another* stream: it has no index by event id.
 *
 * Positions are commit positions (see kurrentdb-mapping.ts). readAll, subscribe and headPosition see
 * only the streams whose names start with one of `streamPrefixes`, filtered on the server.
 *
 * Records that are not this service's events although they sit in its streams (the `$streamDeleted`
 * tombstone of a hard delete, anything typed `$...`) are skipped and logged by every reader, and
 * subscriptions move their checkpoint over them. A stream whose history no longer starts at revision 0
 * (deleted, or truncated by `$tb`/`$maxCount`/`$maxAge`) is refused for reading and appending with
 * StreamTruncated: its chain cannot be continued honestly and its fold would start mid-history.
 *
 * Every append and read is bounded by `operationTimeoutMs`: the client's batch append has no handler
 * for a server that closes the stream without answering, and native reads have no deadline at all.
 */
import {
  BACKWARDS,
  END,
  FORWARDS,
  KurrentDBClient,
  NO_STREAM,
  START,
  streamNameFilter,
  type AllStreamResolvedEvent,
  type EventData,
  type Position,
  type ResolvedEvent,
} from '@kurrent/kurrentdb-client';
import { randomUUID } from 'node:crypto';
import { EventStoreFailure, EventStoreUnavailable, InvalidAppend, RevisionConflict, StreamNotFound, StreamTruncated } from '../event-store.errors';
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
import { GENESIS_HASH } from '../hash-chain';
import type { EventAuthenticator } from '../event-mac';
import { CatchUpSubscription, type CatchUpSource, type SourceConnection, type SourceItem } from './catch-up-subscription';
import { ItemQueue } from './item-queue';
import {
  checkpointPosition,
  fromClientRevision,
  isSameEvent,
  positionOf,
  readRecord,
  toClientPosition,
  toOutgoingEvent,
  toStreamState,
  translateError,
  validateNewEvents,
  type ErrorContext,
  type PreparedEvent,
  type ReadRecord,
} from './kurrentdb-mapping';

/** The server's default MaxAppendSize (1 MiB): data and metadata of one append, together. */
export const DEFAULT_MAX_APPEND_SIZE = 1024 * 1024;
const DEFAULT_READ_ALL_LIMIT = 500;
const MAX_READ_LIMIT = 10_000;
/** Records read per page when looking backwards for the newest event past skipped system records. */
const HEAD_PAGE = 16;
/** The stream (in the namespace, outside every service prefix) whose first event names the log. */
export const IDENTITY_STREAM = 'log-identity';
const IDENTITY_EVENT_TYPE = 'LogIdentity';

export interface KurrentDbEventStoreOptions {
  /** e.g. `kurrentdb://127.0.0.1:2113?tls=false` */
  readonly connectionString: string;
  /** This service's stream name prefixes, e.g. ['nomination-', 'decision-']. */
  readonly streamPrefixes: readonly string[];
  /**
   * Put in front of every stream name on the server and taken off again on the way back, invisible
   * to the port: lets environments or test runs share one KurrentDB without seeing each other.
   */
  readonly namespace?: string;
  /** ping() gives up after this long (default 5 s). */
  readonly pingTimeoutMs?: number;
  /** Silence after which a subscription checks for a silent drop (default 30 s). */
  readonly subscriptionIdleTimeoutMs?: number;
  /** Wait for late events before resubscribing (default 2 s). */
  readonly subscriptionStallGraceMs?: number;
  /** First delay before resubscribing after an error, doubled up to 10 s (default 250 ms). */
  readonly subscriptionRetryDelayMs?: number;
  /** Server checkpoint every N filter windows of considered events (client `checkpointInterval`, default 1). */
  readonly checkpointInterval?: number;
  /** Events a subscription buffers ahead of its handler before it pauses the server stream (default 1000). */
  readonly subscriptionBufferSize?: number;
  /** Attempts for an append with 'any' that keeps losing races (default 10). */
  readonly maxAnyAttempts?: number;
  /**
   * Deadline of one append (its reads and its write) and of one read, after which it fails with
   * EventStoreUnavailable (default 15 s, above the client's own 10 s server-side deadline). A timed-out
   * append may still have been written: a retry with the same event ids recognises it.
   */
  readonly operationTimeoutMs?: number;
  /** Appends whose data and metadata exceed this many bytes are refused before sending (default 1 MiB, the server's default MaxAppendSize). */
  readonly maxAppendSizeBytes?: number;
  /** Computes each event's MAC, carried in metadata as `$mac`; without one, events are stored unsigned. */
  readonly authenticator?: EventAuthenticator;
  /** The clock that records events (`$recordedAt`; default: this process's). */
  readonly clock?: () => Date;
  /** Where resubscriptions and skipped system records are reported; libs do not write to the console. */
  readonly logger?: { warn(message: string): void };
}

/** Distinguishes our control items from events in the subscription's readable side. */
class Control {
  constructor(readonly item: SourceItem) {}
}

type AppendPlan =
  | { readonly kind: 'write'; readonly base: number; readonly previousHash: string }
  | { readonly kind: 'duplicate'; readonly result: AppendResult };

export class KurrentDbEventStore implements EventStore {
  private readonly client: KurrentDBClient;
  private readonly prefixes: string[];
  private readonly namespace: string;
  private readonly operationTimeoutMs: number;
  private readonly subscriptions = new Set<CatchUpSubscription>();
  /** The tail of each stream's queue of in-process appends (see serialised()). */
  private readonly appending = new Map<string, Promise<void>>();
  private identityRead: Promise<string> | undefined;
  /** Positions of system records already reported, so a re-read log does not repeat the warning. */
  private readonly reported = new Set<bigint>();
  private closed: Promise<void> | undefined;

  constructor(private readonly options: KurrentDbEventStoreOptions) {
    this.namespace = options.namespace ?? '';
    this.prefixes = options.streamPrefixes.map((prefix) => this.namespace + prefix);
    // An empty prefix would subscribe to $all unfiltered, system streams included.
    if (this.prefixes.length === 0 || this.prefixes.some((p) => p.length === 0 || p.startsWith('$'))) {
      throw new Error('KurrentDbEventStore needs stream prefixes that are not empty and do not start with $');
    }
    this.operationTimeoutMs = Math.max(1, options.operationTimeoutMs ?? 15_000);
    this.client = KurrentDBClient.connectionString(options.connectionString);
  }

  // -------------------------------------------------------------------------------------------------
  // Writing

  async append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    this.assertOpen();
    const prepared = validateNewEvents(streamId, events, expected);
    // The deadline is inside the queue's work, so a hung append frees the stream for the next one.
    return this.serialised(streamId, () => this.bounded(`append to ${streamId}`, () => this.appendPrepared(streamId, prepared, expected)));
  }

  private async appendPrepared(streamId: string, prepared: readonly PreparedEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    const maxAttempts = Math.max(1, this.options.maxAnyAttempts ?? 10);
    for (let attempt = 1; ; attempt++) {
      const plan = await this.plan(streamId, prepared, expected);
      if (plan.kind === 'duplicate') return plan.result;

      let previousHash = plan.previousHash;
      // Recorded now, by this process's clock, so that the MAC can cover the instant (event-mac.ts).
      const now = new Date(Math.floor((this.options.clock?.() ?? new Date()).getTime()));
      const authenticator = this.options.authenticator;
      const batch: EventData[] = prepared.map((event, i) => {
        const revision = plan.base + 1 + i;
        const sign = authenticator === undefined ? undefined : (hash: string, recordedAt: string) => authenticator.mac({ streamId, revision, id: event.id, type: event.type, hash, recordedAt });
        const outgoing = toOutgoingEvent(event, revision, previousHash, now, sign);
        previousHash = outgoing.hash;
        return outgoing.eventData;
      });
      this.checkSize(streamId, batch);
      try {
        const result = await this.client.appendToStream(this.namespace + streamId, batch, {
          streamState: toStreamState(plan.base < 0 ? 'no_stream' : plan.base),
        });
        const nextRevision = fromClientRevision(result.nextExpectedRevision);
        if (nextRevision !== plan.base + prepared.length) {
          // The server numbered the events elsewhere than the chain was computed for (a stream deleted
          // in between): the events are in, but under revisions their hashes do not cover.
          throw new StreamTruncated(streamId, undefined, `was deleted in KurrentDB while appending (written at revision ${nextRevision}, not ${plan.base + prepared.length})`);
        }
        // For one event the reply's position is that event's own (an implicitly committed prepare
        // is its own commit); for several it may name the first, so the last is read back.
        const position =
          prepared.length === 1 && result.position !== undefined
            ? result.position.commit
            : await this.positionAt(streamId, nextRevision);
        return { nextRevision, position, written: true };
      } catch (error) {
        const translated = translateError(error, { operation: 'append', streamId, expected });
        if (!(translated instanceof RevisionConflict)) throw translated;
        // Another writer got in between the read and the write. Planning again tells an identical
        // retry that won (a duplicate) from a real conflict; only 'any' goes round to write again.
        if (attempt >= maxAttempts) throw new RevisionConflict(streamId, expected, translated.actual);
      }
    }
  }

  /**
   * Where the append goes, or that it is already there, decided as the PostgreSQL adapter decides it.
   * The whole stream is read (a nomination's stream is short, and the chain needs its last hash
   * anyway) and the ids being appended are looked for in it. All of them, in order, with the same type
   * and data, right after the expected revision (anywhere, for 'any'): a retry. Some of them, or
   * elsewhere: a conflict. None: write at the expected revision, or at the current one for 'any'.
   */
  private async plan(streamId: string, events: readonly PreparedEvent[], expected: ExpectedRevision): Promise<AppendPlan> {
    const stored = await this.readWhole(streamId);
    const last = stored[stored.length - 1];
    const current = last?.revision ?? -1;
    const conflict = () => new RevisionConflict(streamId, expected, current < 0 ? 'no_stream' : current);
    const index = new Map(stored.map((event, i) => [event.id.toLowerCase(), i]));
    const found = events.filter((event) => index.has(event.id)).length;

    if (found > 0) {
      const first = index.get(events[0]!.id);
      if (found < events.length || first === undefined) throw conflict();
      const run = stored.slice(first, first + events.length);
      const shift = stored[first]!.revision - 1;
      const expectedShift = expected === 'any' ? shift : expected === 'no_stream' ? -1 : expected;
      if (!sameEvents(run, events) || shift !== expectedShift) throw conflict();
      const end = run[run.length - 1]!;
      return { kind: 'duplicate', result: { nextRevision: end.revision, position: end.position, written: false } };
    }

    const base = expected === 'any' ? current : expected === 'no_stream' ? -1 : expected;
    if (base !== current) throw conflict();
    return { kind: 'write', base, previousHash: last?.hash ?? GENESIS_HASH };
  }

  /** Refuses, before sending, what the server's MaxAppendSize would refuse (or fail on less clearly). */
  private checkSize(streamId: string, batch: readonly EventData[]): void {
    const limit = this.options.maxAppendSizeBytes ?? DEFAULT_MAX_APPEND_SIZE;
    // What the client sends: the JSON text of data and of metadata (the chain hash included).
    const size = batch.reduce((sum, e) => sum + Buffer.byteLength(JSON.stringify(e.data)) + Buffer.byteLength(JSON.stringify(e.metadata)), 0);
    if (size > limit) {
      throw new InvalidAppend(`The append to ${streamId} holds ${size} bytes of data and metadata; KurrentDB accepts at most ${limit} per append`);
    }
  }

  /**
   * Runs appends to one stream one after the other within this process. Two identical retries racing
   * each other would otherwise both be answered "success" by the server and both report
   * written: true; serialised, the second one finds the first one's events. (Between processes that
   * race remains: the log still holds the events once, both callers are told they wrote them.)
   */
  private async serialised<T>(streamId: string, work: () => Promise<T>): Promise<T> {
    const before = this.appending.get(streamId) ?? Promise.resolve();
    const mine = before.then(work, work);
    const settled = mine.then(
      () => undefined,
      () => undefined,
    );
    this.appending.set(streamId, settled);
    try {
      return await mine;
    } finally {
      if (this.appending.get(streamId) === settled) this.appending.delete(streamId);
    }
  }

  private async positionAt(streamId: string, revision: number): Promise<bigint> {
    const [event] = await this.readRange(streamId, revision, 1);
    if (event === undefined) throw new Error(`KurrentDB: appended revision ${revision} of ${streamId} cannot be read back`);
    return event.position;
  }

  // -------------------------------------------------------------------------------------------------
  // Reading

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<readonly RecordedEvent[]> {
    this.assertOpen();
    const { toRevision, until } = options;
    if (toRevision !== undefined && toRevision < 0) throw new StreamNotFound(streamId);
    const count = toRevision === undefined || !Number.isFinite(toRevision) ? undefined : Math.floor(toRevision) + 1;
    const stored = await this.bounded(`read of ${streamId}`, () => this.readWhole(streamId, count));
    const events: RecordedEvent[] = [];
    for (const event of stored) {
      // Stops at the first later event rather than filtering, so the result is always a prefix of
      // the stream (what a fold needs) even if the server's clock once stepped back.
      if (toRevision !== undefined && event.revision > toRevision) break;
      if (until !== undefined && event.recordedAt.getTime() > until.getTime()) break;
      events.push(event);
    }
    if (events.length === 0) throw new StreamNotFound(streamId);
    return events;
  }

  /**
   * The stream from revision 0 (at most `count` events), [] when it does not exist. Throws
   * StreamTruncated when KurrentDB no longer shows its beginning: its first visible event is not
   * revision 0 ($tb, $maxCount, $maxAge, scavenged), it was hard-deleted, or it reads as missing while
   * its metadata says it was soft-deleted or is subject to truncation.
   */
  private async readWhole(streamId: string, count = Number.MAX_SAFE_INTEGER): Promise<RecordedEvent[]> {
    const events = await this.readRange(streamId, 0, count);
    const first = events[0];
    if (first !== undefined && first.revision !== 0) {
      throw new StreamTruncated(streamId, first.revision, `starts at revision ${first.revision} in KurrentDB (truncated by $tb, $maxCount or $maxAge, or scavenged)`);
    }
    if (first === undefined) await this.refuseDeleted(streamId);
    return events;
  }

  private async refuseDeleted(streamId: string): Promise<void> {
    let result;
    try {
      result = await this.client.getStreamMetadata(this.namespace + streamId);
    } catch (error) {
      throw translateError(error, { operation: 'read', streamId });
    }
    const metadata = result.metadata;
    if (metadata === undefined) return;
    if (typeof metadata.truncateBefore === 'number' && metadata.truncateBefore > 0) {
      throw new StreamTruncated(streamId, undefined, `was deleted in KurrentDB (soft delete: $tb = ${metadata.truncateBefore})`);
    }
    if (metadata.maxCount !== undefined || metadata.maxAge !== undefined) {
      throw new StreamTruncated(streamId, undefined, 'has $maxCount/$maxAge metadata in KurrentDB, which would truncate its history');
    }
  }

  async readAll(options: ReadAllOptions = {}): Promise<ReadAllBatch> {
    this.assertOpen();
    const limit = readLimit(options.limit);
    const after = options.after;
    return this.bounded('read of the log', async () => {
      const events: RecordedEvent[] = [];
      // The last log position this read has seen, events and skipped system records alike.
      let considered = after;
      const consider = (position: bigint | undefined) => {
        if (position !== undefined && (after === undefined || position > after)) considered = maxPosition(considered, position);
      };
      await this.consume(
        this.client.readAll({
          direction: FORWARDS,
          fromPosition: after === undefined ? START : toClientPosition(after),
          // $all reads include the starting position; that event was already handled.
          maxCount: limit + 1,
          filter: streamNameFilter({ prefixes: this.prefixes }),
        }),
        { operation: 'read' },
        (event) => {
          if (after !== undefined && event.position <= after) return true;
          events.push(event);
          consider(event.position);
          return events.length < limit;
        },
        consider,
      );
      if (events.length === limit) return { events, checkpoint: events[events.length - 1]!.position };
      return { events, checkpoint: await this.shortPageCheckpoint(considered) };
    });
  }

  /**
   * A page shorter than asked for ends at the log's head, or the server cut it short. The head of the
   * whole log is read first, then the newest of this service's events: every event of ours at or
   * before that head was committed before the second read, so the second read sees it. When it is not
   * beyond what the page covered, nothing of ours lies between the page and the head, and the reader
   * may resume after the head (moving over other services' events). Otherwise it resumes after what
   * the page covered, and reads again.
   */
  private async shortPageCheckpoint(considered: bigint | undefined): Promise<bigint | undefined> {
    const head = await this.head(false);
    const newestOurs = await this.head(true);
    if (newestOurs !== undefined && (considered === undefined || newestOurs > considered)) return considered;
    return maxPosition(considered, head);
  }

  async headPosition(): Promise<bigint | undefined> {
    this.assertOpen();
    return this.bounded('read of the log head', () => this.head(true));
  }

  /**
   * `kurrentdb:<uuid>`, recorded in the log itself: the first event of the stream `log-identity` (in
   * the namespace, outside this service's prefixes), written by whichever process asks first. It is
   * in every backup of the server's log and absent from a wiped or another server, as positions are.
   */
  identity(): Promise<string> {
    this.assertOpen();
    const pending = (this.identityRead ??= this.bounded('read of the log identity', () => this.readIdentity()));
    pending.catch(() => {
      if (this.identityRead === pending) this.identityRead = undefined;
    });
    return pending;
  }

  /** The newest record of the whole log: server checkpoints may lie past this service's last event. */
  async endPosition(): Promise<bigint | undefined> {
    this.assertOpen();
    return this.bounded('read of the log end', () => this.head(false));
  }

  private async readIdentity(): Promise<string> {
    for (let attempt = 1; attempt <= 3; attempt++) {
      const [recorded] = await this.readRange(IDENTITY_STREAM, 0, 1);
      const id = (recorded?.data as { id?: unknown } | undefined)?.id;
      if (typeof id === 'string' && id !== '') return `kurrentdb:${id}`;
      if (recorded !== undefined) throw new EventStoreFailure(`KurrentDB stream ${this.namespace}${IDENTITY_STREAM} does not start with a log identity`);
      try {
        await this.client.appendToStream(
          this.namespace + IDENTITY_STREAM,
          [{ id: randomUUID(), contentType: 'application/json', type: IDENTITY_EVENT_TYPE, data: { id: randomUUID(), createdAt: new Date().toISOString() }, metadata: {} }],
          { streamState: NO_STREAM },
        );
      } catch (error) {
        // Another process recorded one first: read theirs.
        const translated = translateError(error, { operation: 'append', streamId: IDENTITY_STREAM, expected: 'no_stream' });
        if (!(translated instanceof RevisionConflict)) throw translated;
      }
    }
    throw new EventStoreFailure(`KurrentDB: no log identity could be read or recorded in ${this.namespace}${IDENTITY_STREAM}`);
  }

  // -------------------------------------------------------------------------------------------------
  // Subscribing

  subscribe(handler: SubscriptionHandler, options: SubscribeOptions = {}): Subscription {
    this.assertOpen();
    const source: CatchUpSource = {
      open: (after) => this.openSubscription(after),
      head: () => this.head(true),
      lastEventBefore: (position) => this.lastEventBefore(position),
      translate: (error) => translateError(error, { operation: 'subscribe' }),
    };
    const subscription = new CatchUpSubscription(source, handler, {
      after: options.after,
      batchSize: options.batchSize,
      idleTimeoutMs: this.options.subscriptionIdleTimeoutMs,
      stallGraceMs: this.options.subscriptionStallGraceMs,
      retryDelayMs: this.options.subscriptionRetryDelayMs,
      onDiagnostic: (message) => this.options.logger?.warn(`KurrentDB subscription: ${message}`),
    });
    this.subscriptions.add(subscription);
    const store = this.subscriptions;
    return {
      get position() {
        return subscription.position;
      },
      get isLive() {
        return subscription.isLive;
      },
      waitFor: (position, timeoutMs) => subscription.waitFor(position, timeoutMs),
      stop: async () => {
        store.delete(subscription);
        await subscription.stop();
      },
    };
  }

  private openSubscription(after: bigint | undefined): SourceConnection {
    // Checkpoints and caught-up notices arrive through callbacks while events sit in the stream's
    // readable buffer; pushing them into that same buffer from inside the client's transform keeps
    // them in log order with the events, so a checkpoint never overtakes an undelivered event.
    const subscription = this.client.subscribeToAll({
      fromPosition: after === undefined ? START : toClientPosition(after),
      filter: streamNameFilter({
        prefixes: this.prefixes,
        checkpointInterval: Math.max(1, this.options.checkpointInterval ?? 1),
        checkpointReached: (stream, position) => {
          const checkpoint = checkpointPosition(position);
          stream.push(new Control({ kind: 'checkpoint', position: checkpoint.position, exact: checkpoint.kind === 'exact' }));
        },
      }),
    });
    // Nothing flows before the 'data' listener below is attached.
    const queue = new ItemQueue<SourceItem>({
      highWater: Math.max(1, this.options.subscriptionBufferSize ?? 1000),
      onHigh: () => subscription.pause(),
      onLow: () => subscription.resume(),
    });
    subscription.on('caughtUp', () => subscription.push(new Control({ kind: 'caught-up' })));
    subscription.on('fellBehind', () => subscription.push(new Control({ kind: 'fell-behind' })));
    subscription.on('data', (value: unknown) => {
      if (value instanceof Control) {
        queue.push(value.item);
        return;
      }
      try {
        const record = this.fromServer(readRecord(value as AllStreamResolvedEvent));
        if (record.kind === 'event') queue.push({ kind: 'event', event: record.event });
        else if (record.kind === 'system' && record.position !== undefined) {
          this.reportSkipped(record);
          // Everything up to and including this record has been considered: the consumer may store it.
          queue.push({ kind: 'checkpoint', position: record.position, exact: true });
        }
      } catch (error) {
        queue.fail(error);
      }
    });
    subscription.on('error', (error: Error) => queue.fail(error));
    subscription.on('end', () => queue.end());
    subscription.on('close', () => queue.end());
    return {
      next: (timeoutMs) => queue.next(timeoutMs),
      poll: () => queue.poll(),
      close: async () => {
        queue.end();
        await subscription.unsubscribe().catch(() => undefined);
      },
    };
  }

  // -------------------------------------------------------------------------------------------------
  // Health and lifecycle

  /**
   * Opens a filtered subscription at the end of the log and waits for the server to confirm it: a
   * round trip through the server's read path that, unlike the native reads, can be cancelled, so a
   * ping that times out leaves nothing running on the server or in the client.
   */
  async ping(): Promise<void> {
    const timeoutMs = this.options.pingTimeoutMs ?? 5_000;
    this.assertOpen();
    const subscription = this.client.subscribeToAll({ fromPosition: END, filter: streamNameFilter({ prefixes: this.prefixes }) });
    let timer: NodeJS.Timeout | undefined;
    // Only these listeners are ours; the client's own (its pipe into the subscription) stay.
    const listeners: [string, (...args: unknown[]) => void][] = [];
    try {
      await new Promise<void>((resolve, reject) => {
        timer = setTimeout(() => reject(new EventStoreUnavailable(`KurrentDB did not answer within ${timeoutMs} ms`)), timeoutMs);
        const answered = () => resolve();
        // Any answer at all proves the server is there (older servers may not confirm first).
        listeners.push(['confirmation', answered], ['caughtUp', answered], ['data', answered], ['error', (error) => reject(error)]);
        listeners.push(['end', () => reject(new EventStoreUnavailable('KurrentDB ended the ping subscription without an answer'))]);
        for (const [name, listener] of listeners) subscription.on(name, listener);
      });
    } catch (error) {
      const translated = translateError(error, { operation: 'ping' });
      // Whatever stops the cheapest read from working makes the store unusable for this service.
      throw translated instanceof EventStoreUnavailable
        ? translated
        : new EventStoreUnavailable(translated.message, { cause: error });
    } finally {
      clearTimeout(timer);
      for (const [name, listener] of listeners) subscription.off(name, listener);
      // Late errors of a cancelled call are noise.
      subscription.on('error', () => undefined);
      await subscription.unsubscribe().catch(() => undefined);
    }
  }

  close(): Promise<void> {
    this.closed ??= (async () => {
      await Promise.all([...this.subscriptions].map((s) => s.stop()));
      this.subscriptions.clear();
      await this.client.dispose();
    })();
    return this.closed;
  }

  // -------------------------------------------------------------------------------------------------
  // Helpers

  private async readRange(streamId: string, fromRevision: number, count: number): Promise<RecordedEvent[]> {
    const events: RecordedEvent[] = [];
    try {
      await this.consume(
        this.client.readStream(this.namespace + streamId, { direction: FORWARDS, fromRevision: BigInt(fromRevision), maxCount: BigInt(count) }),
        { operation: 'read', streamId },
        (event) => {
          events.push(event);
          return true;
        },
      );
    } catch (error) {
      if (error instanceof StreamNotFound) return [];
      throw error;
    }
    return events;
  }

  /**
   * The position of the newest record of the whole log (`filtered` false), or of the newest event of
   * this service's streams (`filtered` true; system records such as a tombstone are passed over).
   */
  private async head(filtered: boolean, operation: ErrorContext['operation'] = 'read'): Promise<bigint | undefined> {
    let from: typeof END | Position = END;
    for (;;) {
      let found: bigint | undefined;
      let last: bigint | undefined;
      let records = 0;
      try {
        for await (const resolved of this.client.readAll({
          direction: BACKWARDS,
          fromPosition: from,
          maxCount: filtered ? HEAD_PAGE : 1,
          filter: filtered ? streamNameFilter({ prefixes: this.prefixes }) : undefined,
        })) {
          records++;
          const position = positionOf(resolved);
          if (!filtered) {
            found = position;
            break;
          }
          const record = this.fromServer(readRecord(resolved));
          if (record.kind === 'event') {
            found = record.event.position;
            break;
          }
          if (record.kind === 'system') this.reportSkipped(record);
          if (position !== undefined) last = position;
        }
      } catch (error) {
        throw translateError(error, { operation });
      }
      if (found !== undefined || !filtered || records < HEAD_PAGE || last === undefined) return found;
      // A whole page of system records: go on before the oldest of them.
      from = toClientPosition(last);
    }
  }

  /**
   * A backwards read of $all starts from the end of the record before `position`; the position of a
   * server page-boundary checkpoint (C, 0) is exactly such a record end.
   */
  private async lastEventBefore(position: bigint): Promise<bigint | undefined> {
    let found: bigint | undefined;
    for await (const resolved of this.client.readAll({
      direction: BACKWARDS,
      fromPosition: toClientPosition(position),
      maxCount: 1,
    })) {
      found = positionOf(resolved);
      break;
    }
    return found !== undefined && found < position ? found : undefined;
  }

  private assertOpen(): void {
    if (this.closed !== undefined) throw new EventStoreUnavailable('The event store has been closed');
  }

  /** Fails `work` with EventStoreUnavailable after operationTimeoutMs; the work itself is left to settle. */
  private async bounded<T>(what: string, work: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new EventStoreUnavailable(`KurrentDB did not complete the ${what} within ${this.operationTimeoutMs} ms; its outcome is unknown`)),
        this.operationTimeoutMs,
      );
    });
    const running = work();
    // A late failure of abandoned work has nobody to report to.
    running.catch(() => undefined);
    try {
      return await Promise.race([running, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  private fromServer(record: ReadRecord): ReadRecord {
    if (this.namespace === '') return record;
    if (record.kind === 'event') return { kind: 'event', event: { ...record.event, streamId: record.event.streamId.slice(this.namespace.length) } };
    if (record.kind === 'system') return { ...record, streamId: record.streamId.slice(this.namespace.length) };
    return record;
  }

  private reportSkipped(record: Extract<ReadRecord, { kind: 'system' }>): void {
    if (record.position !== undefined) {
      if (this.reported.has(record.position)) return;
      if (this.reported.size >= 10_000) this.reported.clear();
      this.reported.add(record.position);
    }
    const what = record.type === '$streamDeleted' ? 'the tombstone of a hard delete' : `a ${record.type} record`;
    this.options.logger?.warn(
      `KurrentDB: skipped ${what} in stream ${record.streamId} at position ${String(record.position)} (revision ${record.revision}): not an event of this service`,
    );
  }

  /**
   * Iterates a client read, translating its events and errors; `take` returns false to stop early.
   * System records are reported and handed to `skipped` (their position), never to `take`.
   */
  private async consume(
    reads: AsyncIterable<ResolvedEvent | AllStreamResolvedEvent>,
    context: ErrorContext,
    take: (event: RecordedEvent) => boolean,
    skipped?: (position: bigint | undefined) => void,
  ): Promise<void> {
    try {
      for await (const resolved of reads) {
        const record = this.fromServer(readRecord(resolved));
        if (record.kind === 'system') {
          this.reportSkipped(record);
          skipped?.(record.position);
        } else if (record.kind === 'event' && !take(record.event)) break;
      }
    } catch (error) {
      throw translateError(error, context);
    }
  }
}

function sameEvents(stored: readonly RecordedEvent[], events: readonly PreparedEvent[]): boolean {
  return stored.length === events.length && stored.every((e, i) => isSameEvent(e, events[i]!));
}

function maxPosition(...positions: (bigint | undefined)[]): bigint | undefined {
  let max: bigint | undefined;
  for (const p of positions) if (p !== undefined && (max === undefined || p > max)) max = p;
  return max;
}

/** readAll's limit as a whole number of events from 1 to 10 000, as the PostgreSQL adapter bounds it. */
function readLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return limit === Number.POSITIVE_INFINITY ? MAX_READ_LIMIT : DEFAULT_READ_ALL_LIMIT;
  return Math.max(1, Math.min(MAX_READ_LIMIT, Math.floor(limit)));
}
