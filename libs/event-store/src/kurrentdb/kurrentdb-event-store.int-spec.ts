/**
 * The shared contract suite against a real KurrentDB, wherever one is given:
 *   KURRENTDB_URL='kurrentdb://127.0.0.1:2113?tls=false' npm run test:jest -- libs/event-store/src/kurrentdb
 * Each store gets its own namespace, so runs and tests share one server without seeing each other.
 * Without KURRENTDB_URL the suite is reported as skipped (never as passed) and a warning says so.
 *
 * The unreachable-server test needs no server and runs everywhere.
 */
import { randomBytes } from 'node:crypto';
import { EventStoreUnavailable } from '../event-store.errors';
import { KurrentDbEventStore } from './kurrentdb-event-store';
import { describeKurrentDbContract } from './testing/kurrentdb-contract';

const url = process.env['KURRENTDB_URL'];
const NOT_RUN = 'KurrentDB contract suite NOT RUN: KURRENTDB_URL is not set';

if (url !== undefined && url !== '') {
  describeKurrentDbContract('kurrentdb', async () => {
    const store = new KurrentDbEventStore({
      connectionString: url,
      namespace: `contract-${randomBytes(6).toString('hex')}-`,
      // The suite names its own streams; inside the namespace every one of them is this store's.
      streamPrefixes: [''],
      // Short enough that a test exercising silence sees the watchdog act.
      subscriptionIdleTimeoutMs: 5_000,
      subscriptionRetryDelayMs: 100,
    });
    await store.ping();
    return { store, cleanup: () => store.close() };
  });
} else {
  console.warn(`${NOT_RUN}. Set it, e.g. KURRENTDB_URL='kurrentdb://127.0.0.1:2113?tls=false', to run it.`);
  describe.skip(NOT_RUN, () => {
    it('runs the shared event store contract suite against KurrentDB', () => undefined);
  });
}

describe('KurrentDbEventStore with an unreachable server', () => {
  it('ping() rejects with EventStoreUnavailable', async () => {
    // A closed port on loopback: refused at once, nothing leaves the machine.
    const store = new KurrentDbEventStore({
      connectionString: 'kurrentdb://127.0.0.1:1?tls=false',
      streamPrefixes: ['nomination-'],
      pingTimeoutMs: 3_000,
    });
    try {
      await expect(store.ping()).rejects.toBeInstanceOf(EventStoreUnavailable);
    } finally {
      await store.close();
    }
  });
});
