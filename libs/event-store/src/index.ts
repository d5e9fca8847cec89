export * from './event-store.port';
export * from './event-store.errors';
export * from './hash-chain';
export * from './event-mac';
export {
  PostgresEventStore,
  DEFAULT_NOTIFY_CHANNEL,
  type PostgresEventStoreOptions,
} from './postgres/postgres-event-store';
export {
  prepareAppend,
  MAX_EVENTS_PER_APPEND,
  MAX_EVENT_TYPE_LENGTH,
  MAX_STREAM_ID_LENGTH,
  type PreparedEvent,
} from './append-validation';
export { InMemoryEventStore } from './memory/in-memory-event-store';
export { KurrentDbEventStore, type KurrentDbEventStoreOptions, CHAIN_METADATA_KEY, MAC_METADATA_KEY } from './kurrentdb';
export * from './store-copy';
