import { performance } from 'node:perf_hooks';
import type { EventStore, RecordedEvent, Subscription } from '@app/event-store';
import { decodeServiceEvent, EventDecodeError, streamCategory } from '@app/nomination';
import type { ConsumedEvent } from './durable-consumer';

/** A recorded event of this service as a consumer receives it: decoded by its aggregate's codec. */
export function decodeRecorded(e: RecordedEvent): ConsumedEvent {
  const decoded = decodeServiceEvent(e.streamId, e);
  return {
    ...decoded, id: e.id, streamId: e.streamId, revision: e.revision, position: e.position, recordedAt: e.recordedAt,
    metadata: e.metadata, hash: e.hash,
  };
}

/**
 * What a consumer of `categories` receives of recorded events: the events of those stream categories,
 * decoded by their aggregate's codec; an event that cannot be decoded goes to `onUndecodable`.
 */
export function decodeForConsumer(
  recorded: readonly RecordedEvent[],
  categories: ReadonlySet<string>,
  onUndecodable: (event: RecordedEvent, error: EventDecodeError) => void,
): ConsumedEvent[] {
  const events: ConsumedEvent[] = [];
  for (const e of recorded) {
    if (!categories.has(streamCategory(e.streamId))) continue;
    try {
      events.push(decodeRecorded(e));
    } catch (error) {
      if (!(error instanceof EventDecodeError)) throw error;
      onUndecodable(e, error);
    }
  }
  return events;
}

/**
 * One batch of the shared read: the events the feed read after `after`, up to `upTo` (the position a
 * member's checkpoint moves to, which may lie past the last event). Each event is decoded at most once,
 * by the first member that wants it; every other member gets the same decoded object.
 */
export class FeedBatch {
  private readonly categories: (string | undefined)[];
  private readonly decoded: (ConsumedEvent | EventDecodeError | undefined)[];

  constructor(
    /** Where the previous batch of the feed ended (undefined: the start of the log). */
    readonly after: bigint | undefined,
    readonly upTo: bigint,
    readonly recorded: readonly RecordedEvent[],
  ) {
    this.categories = new Array<string | undefined>(recorded.length);
    this.decoded = new Array<ConsumedEvent | EventDecodeError | undefined>(recorded.length);
  }

  /**
   * The events of `categories` after `from` (exclusive; null: all), decoded, in log order; an event that
   * cannot be decoded goes to `onUndecodable` (once per member asking).
   */
  eventsFor(
    categories: ReadonlySet<string>,
    from: bigint | null,
    onUndecodable: (event: RecordedEvent, error: EventDecodeError) => void,
  ): ConsumedEvent[] {
    const events: ConsumedEvent[] = [];
    for (let i = 0; i < this.recorded.length; i++) {
      const e = this.recorded[i]!;
      if (from !== null && e.position <= from) continue;
      const category = (this.categories[i] ??= streamCategory(e.streamId));
      if (!categories.has(category)) continue;
      let decoded = this.decoded[i];
      if (decoded === undefined) {
        try {
          decoded = decodeRecorded(e);
        } catch (error) {
          if (!(error instanceof EventDecodeError)) throw error;
          decoded = error;
        }
        this.decoded[i] = decoded;
      }
      if (decoded instanceof EventDecodeError) onUndecodable(e, decoded);
      else events.push(decoded);
    }
    return events;
  }
}

/** A runner that takes its batches from the feed while it is a member. */
export interface FeedMember {
  /**
   * Applies one batch (its events after the member's own checkpoint). Never rejects: a member that
   * cannot apply it leaves the feed by itself, and catches up on its own reads.
   */
  deliver(batch: FeedBatch): Promise<void>;
  /** The feed's read failed for good: the member leaves and reads the log itself. */
  feedFailed(error: Error): void;
  /**
   * The member is still applying a batch the others have finished long ago: it is no longer a member
   * (its batch goes on to its end), and catches up by itself.
   */
  fellBehind(): void;
}

export interface SharedLogFeedOptions {
  /** Events per read (default: the store's subscription batch size). */
  readonly batchSize?: number;
  /** Told about every read batch handed out, with the number of members it went to (metrics, tests). */
  readonly onBatch?: (batch: FeedBatch, members: number) => void;
  /**
   * How long the feed waits for the other members once the quickest is done with a batch (default
   * 2 s); a member slower than that leaves the feed, so one slow consumer (a process manager running
   * commands, a lock wait) does not hold up the rest for long.
   */
  readonly slowMemberMs?: number;
  /**
   * While batches come back to back (the previous one began less than twice this long ago), the next
   * read waits until this long after the previous one began (default 0: no wait), so that under load a
   * batch carries more commands and each consumer's per-batch cost (its transaction, its statements) is
   * paid less often. A batch after a quiet spell is read at once.
   */
  readonly minReadIntervalMs?: number;
}

/**
 * One read of the log shared by every consumer of a process. A single subscription follows the log
 * (the event store's own: notification-driven, and for PostgreSQL bound by the snapshot's xmin, so no
 * event committed late with a lower position is ever passed), and each batch is handed to every
 * member at once; the next read waits until every member has applied (or given up on) this one.
 *
 * Members join once they have caught up by reading the log themselves, and leave when they fail, are
 * fenced off (their checkpoint moved) or stop; a member that joins behind the feed's position reads
 * the gap itself on its next batch (see DurableSubscriber). The subscription runs while the feed has
 * members and starts again, after the joining member's checkpoint, when one joins an empty feed.
 */
export class SharedLogFeed {
  private readonly members = new Set<FeedMember>();
  private subscription: Subscription | undefined;
  /** Where the last batch handed out ended: the next batch's `after`. */
  private position: bigint | undefined;
  private readonly stopping = new Set<Promise<void>>();
  private closed = false;
  private batches = 0;
  private previousBatchAt: number | undefined;

  constructor(
    private readonly store: EventStore,
    private readonly options: SharedLogFeedOptions = {},
  ) {}

  /** Members now (tests, metrics). */
  get size(): number {
    return this.members.size;
  }

  /** Batches handed out so far: one read of the log each. */
  get batchesRead(): number {
    return this.batches;
  }

  /** Whether the feed is following the log (it has members). */
  get isFollowing(): boolean {
    return this.subscription !== undefined;
  }

  /**
   * Adds a member whose checkpoint is `position`; it receives every batch from the next one on. An
   * empty feed starts reading after `position`.
   */
  join(member: FeedMember, position: bigint | undefined): void {
    if (this.closed) throw new Error('the shared log feed is stopped');
    this.members.add(member);
    if (this.subscription === undefined) {
      this.follow(position);
      return;
    }
    // Joined behind what the feed has handed out (it read further while the member finished its own
    // reads): the member reads the gap itself with its next batch. Were that left to the next event, a
    // quiet log would leave it behind until someone acted again, however long that takes; so it gets a
    // batch of its own at once, empty and ending where the feed is (DurableSubscriber applies the batches
    // it is given one after another, so this one and the feed's next never overlap).
    if (this.position !== undefined && (position === undefined || position < this.position)) {
      void member.deliver(new FeedBatch(this.position, this.position, [])).catch(() => undefined);
    }
  }

  leave(member: FeedMember): void {
    if (!this.members.delete(member)) return;
    if (this.members.size === 0) this.unfollow();
  }

  async stop(): Promise<void> {
    this.closed = true;
    this.members.clear();
    this.unfollow();
    await Promise.all(this.stopping);
  }

  private follow(after: bigint | undefined): void {
    this.position = after;
    const subscription: Subscription = this.store.subscribe(
      {
        onEvents: (events) => this.deliver(subscription, events, events[events.length - 1]!.position),
        onCheckpoint: (position) => this.deliver(subscription, [], position),
        onError: (error) => {
          if (this.subscription !== subscription) return;
          this.subscription = undefined;
          const members = [...this.members];
          this.members.clear();
          for (const member of members) member.feedFailed(error);
        },
      },
      {
        ...(after !== undefined ? { after } : {}),
        ...(this.options.batchSize !== undefined ? { batchSize: this.options.batchSize } : {}),
      },
    );
    this.subscription = subscription;
  }

  /** Stops reading. May be called from inside a delivery: the subscription's stop is not awaited here. */
  private unfollow(): void {
    const subscription = this.subscription;
    this.subscription = undefined;
    if (subscription === undefined) return;
    const stopped = subscription.stop().catch(() => undefined);
    this.stopping.add(stopped);
    void stopped.finally(() => this.stopping.delete(stopped));
  }

  private async deliver(subscription: Subscription, recorded: readonly RecordedEvent[], upTo: bigint): Promise<void> {
    // A subscription the feed has let go of (no members were left) delivers to no one.
    if (subscription !== this.subscription) return;
    const began = performance.now();
    const previous = this.previousBatchAt;
    this.previousBatchAt = began;
    try {
      await this.handOut(recorded, upTo);
    } finally {
      const interval = this.options.minReadIntervalMs ?? 0;
      if (interval > 0 && previous !== undefined && began - previous < 2 * interval) {
        const wait = began + interval - performance.now();
        if (wait > 0 && subscription === this.subscription) await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  }

  private async handOut(recorded: readonly RecordedEvent[], upTo: bigint): Promise<void> {
    const batch = new FeedBatch(this.position, upTo, recorded);
    this.position = upTo;
    this.batches++;
    const members = [...this.members];
    this.options.onBatch?.(batch, members.length);
    if (members.length === 0) return;
    const pending = new Set<FeedMember>(members);
    const deliveries = members.map((member) => member.deliver(batch).finally(() => pending.delete(member)));
    // Once the quickest member is done, the others get a grace period; then the feed goes on without them.
    await Promise.race(deliveries);
    if (pending.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const late = await Promise.race([
      Promise.all(deliveries).then(() => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(resolve, this.options.slowMemberMs ?? 2_000, true))),
    ]);
    clearTimeout(timer);
    if (!late) return;
    for (const member of pending) {
      this.leave(member);
      member.fellBehind();
    }
  }
}
