export {
  describeEventStoreContract,
  testEvent,
  testStreamId,
  type EventStoreContractFixture,
} from './event-store.contract';
export { crossPowerOfTen, tamperWithLog, testAuthenticator, macContentOf } from './tamper';
export { untilNewestVisible } from './visibility';
export { stepEvent } from './step-event';
