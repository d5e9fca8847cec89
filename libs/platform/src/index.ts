export { PlatformModule } from './platform.module';
export { PG_POOL, REDIS, ROOT_LOGGER } from './platform.tokens';
export { checkDependencies, ReadinessChecks } from './health.indicators';
export type { DependencyStatus } from './health.indicators';
export { loadConfigOrExit, prepareDatabase } from './bootstrap';
export { createEventStore, SERVICE_STREAM_PREFIXES } from './event-store.factory';
export {
  CHECKPOINT_CHANNEL,
  type ConsumedEvent,
  type ConsumerContext,
  type ConsumerTransaction,
  type DurableConsumer,
  decodeForConsumer,
  DurableSubscriber,
  lockKey,
  sendWrite,
  type DurableSubscriberOptions,
  type SkippedEvent,
} from './durable-subscriber';
export { ConsumerGroup, type ConsumerGroupOptions } from './consumer-group';
export { FeedBatch, SharedLogFeed, type FeedMember, type SharedLogFeedOptions } from './shared-log-feed';
export { ConsumerHost, DurableConsumerProvider } from './consumer-host';
export { ConsumerHostModule } from './consumer-host.module';
