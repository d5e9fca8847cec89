export { PlatformModule } from './platform.module';
export { PG_POOL, REDIS, ROOT_LOGGER } from './platform.tokens';
export { checkDependencies, ReadinessChecks } from './health.indicators';
export type { DependencyStatus } from './health.indicators';
export { loadConfigOrExit, prepareDatabase } from './bootstrap';
export { SERVICE_STREAM_PREFIXES } from './event-store.factory';
export { DurableSubscriber, type DurableConsumer, type DurableSubscriberOptions } from './durable-subscriber';
