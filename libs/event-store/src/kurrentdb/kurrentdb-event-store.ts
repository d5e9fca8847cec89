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
 */
import {
  BACKWARDS,
  END,
  FORWARDS,
  KurrentDBClient,
  START,
  streamNameFilter,
  type AllStreamResolvedEvent,
  type EventData,
  type ResolvedEvent,
} from '@kurrent/kurrentdb-client';
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
import { GENESIS_HASH } from '../hash-chain';
import { CatchUpSubscription, type CatchUpSource, type SourceConnection, type SourceItem } from './catch-up-subscription';
import { ItemQueue } from './item-queue';
import {
  checkpointPosition,
  fromClientRevision,
  isSameEvent,
  positionOf,
  toClientPosition,
  toOutgoingEvent,
  toRecordedEvent,
  toStreamState,
  translateError,
  validateNewEvents,
  type ErrorContext,
  type PreparedEvent,
} from './kurrentdb-mapping';

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
  /** Where resubscriptions are reported; libs do not write to the console. */
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
  private readonly subscriptions = new Set<CatchUpSubscription>();
  /** The tail of each stream's queue of in-process appends (see serialised()). */
  private readonly appending = new Map<string, Promise<void>>();
  private closed: Promise<void> | undefined;

  constructor(private readonly options: KurrentDbEventStoreOptions) {
    this.namespace = options.namespace ?? '';
    this.prefixes = options.streamPrefixes.map((prefix) => this.namespace + prefix);
    // An empty prefix would subscribe to $all unfiltered, system streams included.
    if (this.prefixes.length === 0 || this.prefixes.some((p) => p.length === 0 || p.startsWith('$'))) {
      throw new Error('KurrentDbEventStore needs stream prefixes that are not empty and do not start with $');
    }
    this.client = KurrentDBClient.connectionString(options.connectionString);
  }

  // -------------------------------------------------------------------------------------------------
  // Writing

  async append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    this.assertOpen();
    const prepared = validateNewEvents(streamId, events, expected);
    return this.serialised(streamId, () => this.appendPrepared(streamId, prepared, expected));
  }

  private async appendPrepared(streamId: string, prepared: readonly PreparedEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    const maxAttempts = Math.max(1, this.options.maxAnyAttempts ?? 10);
    for (let attempt = 1; ; attempt++) {
      const plan = await this.plan(streamId, prepared, expected);
      if (plan.kind === 'duplicate') return plan.result;

      let previousHash = plan.previousHash;
      const batch: EventData[] = prepared.map((event, i) => {
        const outgoing = toOutgoingEvent(event, plan.base + 1 + i, previousHash);
        previousHash = outgoing.hash;
        return outgoing.eventData;
      });
      try {
        const result = await this.client.appendToStream(this.namespace + streamId, batch, {
          streamState: toStreamState(plan.base < 0 ? 'no_stream' : plan.base),
        });
        const nextRevision = fromClientRevision(result.nextExpectedRevision);
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
    const stored = await this.readRange(streamId, 0, Number.MAX_SAFE_INTEGER);
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
    const events: RecordedEvent[] = [];
    await this.consume(
      this.client.readStream(this.namespace + streamId, {
        direction: FORWARDS,
        fromRevision: START,
        maxCount: toRevision === undefined ? undefined : BigInt(toRevision) + 1n,
      }),
      { operation: 'read', streamId },
      (event) => {
        // Stops at the first later event rather than filtering, so the result is always a prefix of
        // the stream (what a fold needs) even if the server's clock once stepped back.
        if (until !== undefined && event.recordedAt.getTime() > until.getTime()) return false;
        events.push(event);
        return true;
      },
    );
    if (events.length === 0) throw new StreamNotFound(streamId);
    return events;
  }

  async readAll(options: ReadAllOptions = {}): Promise<ReadAllBatch> {
    this.assertOpen();
    const limit = Math.max(1, options.limit ?? 500);
    const after = options.after;
    // Everything up to the log's head as of now is visible to the read below (KurrentDB's log is
    // written and indexed in order), so a read that reaches the end may report that head as its
    // checkpoint even when the last stretch was all other services' events.
    const headBefore = await this.unfilteredHead();
    const events: RecordedEvent[] = [];
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
        return events.length < limit;
      },
    );
    const last = events[events.length - 1]?.position;
    if (events.length === limit) return { events, checkpoint: last };
    return { events, checkpoint: maxPosition(after, last, headBefore) };
  }

  async headPosition(): Promise<bigint | undefined> {
    this.assertOpen();
    return this.head(true);
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
        const event = this.fromServer(toRecordedEvent(value as AllStreamResolvedEvent));
        if (event !== undefined) queue.push({ kind: 'event', event });
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

  async ping(): Promise<void> {
    const timeoutMs = this.options.pingTimeoutMs ?? 5_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new EventStoreUnavailable(`KurrentDB did not answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      this.assertOpen();
      await Promise.race([this.head(false, 'ping'), timeout]);
    } catch (error) {
      const translated = translateError(error, { operation: 'ping' });
      // Whatever stops the cheapest read from working makes the store unusable for this service.
      throw translated instanceof EventStoreUnavailable
        ? translated
        : new EventStoreUnavailable(translated.message, { cause: error });
    } finally {
      clearTimeout(timer);
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

  private async head(filtered: boolean, operation: ErrorContext['operation'] = 'read'): Promise<bigint | undefined> {
    let position: bigint | undefined;
    await this.consume(
      this.client.readAll({
        direction: BACKWARDS,
        fromPosition: END,
        maxCount: 1,
        filter: filtered ? streamNameFilter({ prefixes: this.prefixes }) : undefined,
      }),
      { operation },
      (event) => {
        position = event.position;
        return false;
      },
    );
    return position;
  }

  private unfilteredHead(): Promise<bigint | undefined> {
    return this.head(false);
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

  private fromServer(event: RecordedEvent | undefined): RecordedEvent | undefined {
    if (event === undefined || this.namespace === '') return event;
    return { ...event, streamId: event.streamId.slice(this.namespace.length) };
  }

  /** Iterates a client read, translating its events and errors; `take` returns false to stop early. */
  private async consume(
    reads: AsyncIterable<ResolvedEvent | AllStreamResolvedEvent>,
    context: ErrorContext,
    take: (event: RecordedEvent) => boolean,
  ): Promise<void> {
    try {
      for await (const resolved of reads) {
        const event = this.fromServer(toRecordedEvent(resolved));
        if (event !== undefined && !take(event)) break;
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
