import type { Pool } from 'pg';
import type { Logger } from 'pino';
import type { EventStore } from '@app/event-store';
import type { DurableConsumer } from './durable-consumer';
import { DurableSubscriber, type DurableSubscriberOptions } from './durable-subscriber';
import { type FeedBatch, SharedLogFeed } from './shared-log-feed';

export interface ConsumerGroupOptions extends Omit<DurableSubscriberOptions, 'feed' | 'onCommitted' | 'onSkipped'> {
  /** See SharedLogFeedOptions.slowMemberMs. */
  readonly slowMemberMs?: number;
  /** See SharedLogFeedOptions.minReadIntervalMs. */
  readonly minReadIntervalMs?: number;
  /** Told about every batch a consumer committed, with its name. */
  readonly onCommitted?: (consumer: string, position: bigint, events: number) => void;
  readonly onSkipped?: DurableSubscriberOptions['onSkipped'];
  /** Told about every batch of the shared read, with how many consumers it went to. */
  readonly onFeedBatch?: (batch: FeedBatch, members: number) => void;
}

/**
 * The consumers of one process over one shared read of the log: each consumer keeps its own lock,
 * checkpoint and transaction (DurableSubscriber), and every one that has caught up takes its batches
 * from the same SharedLogFeed, so the log is read and decoded once per batch however many consumers
 * there are. The worker's ConsumerHost runs its consumers in one; tests and tools may use it directly.
 */
export class ConsumerGroup {
  readonly feed: SharedLogFeed;
  private readonly subscribers = new Map<string, DurableSubscriber>();
  private started = false;

  constructor(
    private readonly pool: Pool,
    private readonly store: EventStore,
    private readonly logger: Logger,
    private readonly options: ConsumerGroupOptions = {},
  ) {
    this.feed = new SharedLogFeed(store, {
      ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
      ...(options.onFeedBatch !== undefined ? { onBatch: options.onFeedBatch } : {}),
      ...(options.slowMemberMs !== undefined ? { slowMemberMs: options.slowMemberMs } : {}),
      ...(options.minReadIntervalMs !== undefined ? { minReadIntervalMs: options.minReadIntervalMs } : {}),
    });
  }

  /** Adds a consumer (before or after start); names are unique. */
  add(consumer: DurableConsumer): DurableSubscriber {
    if (this.subscribers.has(consumer.name)) throw new Error(`Two durable consumers are named ${consumer.name}`);
    const { onCommitted, onFeedBatch: _onFeedBatch, slowMemberMs: _slowMemberMs, minReadIntervalMs: _minReadIntervalMs, ...options } = this.options;
    const subscriber = new DurableSubscriber(this.pool, this.store, consumer, this.logger, {
      ...options,
      feed: this.feed,
      ...(onCommitted !== undefined ? { onCommitted: (position: bigint, events: number) => onCommitted(consumer.name, position, events) } : {}),
    });
    this.subscribers.set(consumer.name, subscriber);
    if (this.started) subscriber.start();
    return subscriber;
  }

  get names(): readonly string[] {
    return [...this.subscribers.keys()];
  }

  get all(): readonly DurableSubscriber[] {
    return [...this.subscribers.values()];
  }

  subscriber(name: string): DurableSubscriber {
    const subscriber = this.subscribers.get(name);
    if (subscriber === undefined) throw new Error(`No durable consumer named ${name}; running: ${this.names.join(', ')}`);
    return subscriber;
  }

  start(): void {
    this.started = true;
    for (const subscriber of this.subscribers.values()) subscriber.start();
  }

  /** Resolves once every consumer has handled the log up to `position`. */
  async waitForAll(position: bigint, timeoutMs = 10_000): Promise<void> {
    await Promise.all([...this.subscribers.values()].map((s) => s.waitFor(position, timeoutMs)));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.subscribers.values()].map((s) => s.stop()));
    await this.feed.stop();
  }
}
