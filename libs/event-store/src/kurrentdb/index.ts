export { KurrentDbEventStore, type KurrentDbEventStoreOptions } from './kurrentdb-event-store';
export { CHAIN_METADATA_KEY, MAC_METADATA_KEY } from './kurrentdb-mapping';
