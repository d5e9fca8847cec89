export {
  describeEventStoreContract,
  testEvent,
  testStreamId,
  type EventStoreContractFixture,
} from './event-store.contract';
