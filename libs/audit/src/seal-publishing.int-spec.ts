/*
 * Publishing seals into the log: each seal once, in order, whichever process publishes, while the
 * stream of seals is read whole only when a process does not know where it stands. The worker seals
 * every minute; reading every seal ever made at each round grew without bound.
 */
import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@app/database/testing';
import { PostgresEventStore, type EventStore, type ReadStreamOptions } from '@app/event-store';
import { stepEvent, untilNewestVisible } from '@app/event-store/testing';
import { AuditKeyRing, generateAuditKey } from './audit-key-ring';
import { createAuditServices } from './audit-services';
import { SEAL_STREAM, type Seal } from './seal';
import { SealStore } from './seal-store';
import { Sealer } from './sealer';

/** The store, counting the reads of the seal stream. */
function counting(store: PostgresEventStore): { store: EventStore; sealStreamReads: () => number } {
  let reads = 0;
  const wrapped = new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'readStream') {
        return (streamId: string, options?: ReadStreamOptions) => {
          if (streamId === SEAL_STREAM) reads++;
          return target.readStream(streamId, options);
        };
      }
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { store: wrapped, sealStreamReads: () => reads };
}

describe('publishing seals into the log', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;
  let keys: AuditKeyRing;
  const stream = `nomination-${randomUUID()}`;
  let revision = -1;

  async function appendOne(): Promise<void> {
    await store.append(stream, [stepEvent(revision + 1)], revision < 0 ? 'no_stream' : revision);
    revision++;
    await untilNewestVisible(database.pool, store);
  }

  async function published(): Promise<number[]> {
    return (await store.readStream(SEAL_STREAM)).map((e) => (e.data as Seal).sequence);
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    keys = new AuditKeyRing([generateAuditKey()]);
    store = new PostgresEventStore(database.pool, { authenticator: keys, notifyChannel: null });
  });

  afterAll(async () => {
    await store?.close();
    await database?.drop();
  });

  it('reads the seal stream once, then appends each new seal where it left off', async () => {
    const { store: watched, sealStreamReads } = counting(store);
    const sealer = new Sealer(database.pool, watched, keys, new SealStore(database.pool, keys), undefined, 0);
    for (let round = 0; round < 4; round++) {
      await appendOne();
      expect((await sealer.seal())?.created).toBe(true);
    }
    // Nothing new: no seal, and nothing to publish.
    await sealer.seal();
    expect(await published()).toEqual([1, 2, 3, 4]);
    expect(sealStreamReads()).toBe(1);
  });

  it('publishes each seal once when two processes seal and publish in turn', async () => {
    const a = counting(store);
    const b = counting(store);
    const first = new Sealer(database.pool, a.store, keys, new SealStore(database.pool, keys), undefined, 0);
    const second = new Sealer(database.pool, b.store, keys, new SealStore(database.pool, keys), undefined, 0);
    await appendOne();
    await first.seal(); // 5 (reads the stream: it has not published before)
    await appendOne();
    await second.seal(); // 6 (reads the stream too)
    await appendOne();
    // 7: the first still stands after 5 and hands 6 over again, at the revision 6 holds now. The event
    // has the seal's own id, so the store takes it as the repeat it is (an idempotent append, nothing
    // written) and 7 goes after it: no second read, no duplicate.
    await first.seal();
    await second.seal(); // nothing new to seal; 7 is handed over the same way
    await appendOne();
    await second.seal(); // 8
    expect(await published()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect([a.sealStreamReads(), b.sealStreamReads()]).toEqual([1, 1]);
    // And the log, its seals included, verifies.
    expect(await createAuditServices(database.pool, store, keys).verifier.verifyLog()).toMatchObject({ ok: true, sealsChecked: 8 });
  });
});
