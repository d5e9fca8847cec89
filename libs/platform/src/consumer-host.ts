import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { EVENT_STORE, type EventStore } from '@app/event-store';
import { Metrics } from '@app/observability';
import type { DurableConsumer } from './durable-consumer';
import { ConsumerGroup } from './consumer-group';
import type { DurableSubscriber } from './durable-subscriber';
import { PG_POOL, ROOT_LOGGER } from './platform.tokens';

/**
 * Marks a Nest provider implementing DurableConsumer so that the worker's ConsumerHost runs it.
 * See durable-consumer.ts for the contract and an example.
 */
export const DurableConsumerProvider = DiscoveryService.createDecorator<void>();

/**
 * The one runner in the worker: finds every provider marked with @DurableConsumerProvider() in the
 * application and runs them in one ConsumerGroup: each consumer a DurableSubscriber (single active
 * instance per consumer across all workers, its own checkpoint and transaction), all of them fed by one
 * shared read of the log. Stops them on shutdown. Provided by ConsumerHostModule; the api does not
 * import it.
 */
@Injectable()
export class ConsumerHost implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly group: ConsumerGroup;

  constructor(
    private readonly discovery: DiscoveryService,
    @Inject(PG_POOL) pool: Pool,
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
    metrics: Metrics,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.group = new ConsumerGroup(pool, store, logger, {
      minReadIntervalMs: config.consumerReadIntervalMs,
      onSkipped: ({ consumer, reason }) => metrics.consumerSkipped.inc({ consumer, reason }),
      onCommitted: (consumer, _position, events) => metrics.consumerEvents.inc({ consumer }, events),
      onFeedBatch: (batch) => {
        metrics.consumerFeedBatches.inc();
        metrics.consumerFeedEvents.inc(batch.recorded.length);
      },
    });
  }

  /** The consumers found, by name. */
  get names(): readonly string[] {
    return this.group.names;
  }

  /** The shared read of the log (tests count its batches). */
  get feed(): ConsumerGroup['feed'] {
    return this.group.feed;
  }

  /** The running subscriber of a consumer (tests await `waitFor(position)` on it). */
  subscriber(name: string): DurableSubscriber {
    return this.group.subscriber(name);
  }

  /** Resolves once every consumer has handled the log up to `position`. */
  async waitForAll(position: bigint, timeoutMs = 10_000): Promise<void> {
    await this.group.waitForAll(position, timeoutMs);
  }

  onApplicationBootstrap(): void {
    const consumers = this.discovery
      .getProviders({ metadataKey: DurableConsumerProvider.KEY })
      .map((wrapper) => wrapper.instance as DurableConsumer | undefined)
      .filter((instance): instance is DurableConsumer => instance !== undefined && instance !== null);
    for (const consumer of consumers) this.group.add(consumer);
    this.group.start();
    this.logger.info({ consumers: this.names }, 'durable consumers started');
  }

  async onApplicationShutdown(): Promise<void> {
    await this.group.stop();
  }
}
