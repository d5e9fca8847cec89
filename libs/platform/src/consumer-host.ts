import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { EVENT_STORE, type EventStore } from '@app/event-store';
import { Metrics } from '@app/observability';
import type { DurableConsumer } from './durable-consumer';
import { DurableSubscriber } from './durable-subscriber';
import { PG_POOL, ROOT_LOGGER } from './platform.tokens';

/**
 * Marks a Nest provider implementing DurableConsumer so that the worker's ConsumerHost runs it.
 * See durable-consumer.ts for the contract and an example.
 */
export const DurableConsumerProvider = DiscoveryService.createDecorator<void>();

/**
 * The one runner in the worker: finds every provider marked with @DurableConsumerProvider() in the
 * application, runs a DurableSubscriber for each (single active instance per consumer across all
 * workers) and stops them on shutdown. Provided by ConsumerHostModule; the api does not import it.
 */
@Injectable()
export class ConsumerHost implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly subscribers = new Map<string, DurableSubscriber>();

  constructor(
    private readonly discovery: DiscoveryService,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
    private readonly metrics: Metrics,
  ) {}

  /** The consumers found, by name. */
  get names(): readonly string[] {
    return [...this.subscribers.keys()];
  }

  /** The running subscriber of a consumer (tests await `waitFor(position)` on it). */
  subscriber(name: string): DurableSubscriber {
    const subscriber = this.subscribers.get(name);
    if (subscriber === undefined) throw new Error(`No durable consumer named ${name}; running: ${this.names.join(', ')}`);
    return subscriber;
  }

  /** Resolves once every consumer has handled the log up to `position`. */
  async waitForAll(position: bigint, timeoutMs = 10_000): Promise<void> {
    await Promise.all([...this.subscribers.values()].map((s) => s.waitFor(position, timeoutMs)));
  }

  onApplicationBootstrap(): void {
    const consumers = this.discovery
      .getProviders({ metadataKey: DurableConsumerProvider.KEY })
      .map((wrapper) => wrapper.instance as DurableConsumer | undefined)
      .filter((instance): instance is DurableConsumer => instance !== undefined && instance !== null);
    for (const consumer of consumers) {
      if (this.subscribers.has(consumer.name)) throw new Error(`Two durable consumers are named ${consumer.name}`);
      const subscriber = new DurableSubscriber(this.pool, this.store, consumer, this.logger, {
        onSkipped: ({ consumer: name, reason }) => this.metrics.consumerSkipped.inc({ consumer: name, reason }),
        onCommitted: (_position, events) => this.metrics.consumerEvents.inc({ consumer: consumer.name }, events),
      });
      this.subscribers.set(consumer.name, subscriber);
    }
    for (const subscriber of this.subscribers.values()) subscriber.start();
    this.logger.info({ consumers: this.names }, 'durable consumers started');
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.subscribers.values()].map((s) => s.stop()));
  }
}
