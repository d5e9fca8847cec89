export {
  describeEventStoreContract,
  testEvent,
  testStreamId,
  type EventStoreContractFixture,
} from './event-store.contract';
export { tamperWithLog, testAuthenticator, macContentOf } from './tamper';
