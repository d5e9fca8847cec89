/**
 * The shared contract suite against the adapter over an in-memory stand-in for the server
 * (testing/kurrentdb-stand-in.ts), so the adapter's side of the contract is checked on every run,
 * server or not. What a real server does is checked by kurrentdb-event-store.int-spec.ts wherever
 * KURRENTDB_URL is set.
 */
import { randomBytes } from 'node:crypto';
import { macContentOf, testAuthenticator, testEvent, testStreamId } from '../testing';
import { KurrentDbEventStore } from './kurrentdb-event-store';
import { describeKurrentDbContract } from './testing/kurrentdb-contract';
import { KurrentDbStandIn } from './testing/kurrentdb-stand-in';

const server = new KurrentDbStandIn();

describeKurrentDbContract('kurrentdb adapter over an in-memory stand-in server', async () => {
  const store = new KurrentDbEventStore({
    connectionString: 'kurrentdb://127.0.0.1:1?tls=false',
    namespace: `contract-${randomBytes(6).toString('hex')}-`,
    streamPrefixes: [''],
    authenticator: testAuthenticator(),
  });
  server.install(store['client']);
  return { store, cleanup: () => store.close() };
});

describe('kurrentdb adapter MACs (stand-in server)', () => {
  it('carries a MAC the authenticator accepts in $mac, hidden from the metadata callers see', async () => {
    const authenticator = testAuthenticator();
    const store = new KurrentDbEventStore({
      connectionString: 'kurrentdb://127.0.0.1:1?tls=false',
      namespace: `mac-${randomBytes(6).toString('hex')}-`,
      streamPrefixes: [''],
      authenticator,
    });
    server.install(store['client']);
    try {
      const stream = testStreamId();
      await store.append(stream, [testEvent()], 'no_stream');
      await store.append(stream, [testEvent(), testEvent()], 'any');
      const events = await store.readStream(stream);
      expect(events.map((e) => authenticator.check(macContentOf(e), e.mac))).toEqual(['valid', 'valid', 'valid']);
      expect(events.every((e) => !Object.keys(e.metadata).some((key) => key.startsWith('$')))).toBe(true);
      const stored = server.streams.get(store['namespace'] + stream)!;
      expect((stored[0]!.metadata as Record<string, unknown>)['$mac']).toBe(events[0]!.mac);
    } finally {
      await store.close();
    }
  });
});
