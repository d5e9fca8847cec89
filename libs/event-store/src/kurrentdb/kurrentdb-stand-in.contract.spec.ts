/**
 * The shared contract suite against the adapter over an in-memory stand-in for the server
 * (testing/kurrentdb-stand-in.ts), so the adapter's side of the contract is checked on every run,
 * server or not. What a real server does is checked by kurrentdb-event-store.int-spec.ts wherever
 * KURRENTDB_URL is set.
 */
import { randomBytes } from 'node:crypto';
import { KurrentDbEventStore } from './kurrentdb-event-store';
import { describeKurrentDbContract } from './testing/kurrentdb-contract';
import { KurrentDbStandIn } from './testing/kurrentdb-stand-in';

const server = new KurrentDbStandIn();

describeKurrentDbContract('kurrentdb adapter over an in-memory stand-in server', async () => {
  const store = new KurrentDbEventStore({
    connectionString: 'kurrentdb://127.0.0.1:1?tls=false',
    namespace: `contract-${randomBytes(6).toString('hex')}-`,
    streamPrefixes: [''],
  });
  server.install(store['client']);
  return { store, cleanup: () => store.close() };
});
