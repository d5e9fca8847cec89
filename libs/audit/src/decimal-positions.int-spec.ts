/*
 * Sealing and verifying a log whose positions cross a power of ten, as a cluster's transaction ids do
 * now and then (999,999 → 1,000,000; positions are transaction id × 100,000 + index). The walks read
 * positions as text; sorted as text, '100…' comes before '99…', and the sealer refused the log for
 * good ("revision 0 is missing") from the first crossing on. Seen on the demo's own log.
 */
import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@app/database/testing';
import { PostgresEventStore } from '@app/event-store';
import { crossPowerOfTen, stepEvent, untilNewestVisible } from '@app/event-store/testing';
import { AuditKeyRing, generateAuditKey } from './audit-key-ring';
import { createAuditServices, type AuditServices } from './audit-services';
import { AuditVerifier } from './audit-verifier';
import { SealStore } from './seal-store';
import { Sealer } from './sealer';

interface Log {
  readonly database: TestDatabase;
  readonly store: PostgresEventStore;
  readonly keys: AuditKeyRing;
  readonly audit: AuditServices;
  /** A stream of twelve events, more than ten: its revisions are two digits long too. */
  readonly long: string;
}

/** A log of a twelve-event stream with two other streams' events between its own: 24 events. */
async function openLog(): Promise<Log> {
  const database = await createTestDatabase();
  const keys = new AuditKeyRing([generateAuditKey()]);
  const store = new PostgresEventStore(database.pool, { authenticator: keys, notifyChannel: null });
  const long = `nomination-${randomUUID()}`;
  const others = [`nomination-${randomUUID()}`, `decision-${randomUUID()}`];
  for (let i = 0; i < 12; i++) {
    await store.append(long, [stepEvent(i)], i === 0 ? 'no_stream' : i - 1);
    await store.append(others[i % 2]!, [stepEvent(i)], i < 2 ? 'no_stream' : Math.floor(i / 2) - 1);
  }
  return { database, store, keys, long, audit: createAuditServices(database.pool, store, keys) };
}

async function closeLog(log: Log | undefined): Promise<void> {
  await log?.store.close();
  await log?.database.drop();
}

/** Whole-log verification in threads, in this thread alone, and in batches of three: the same answer, ok. */
async function expectVerifies(log: Log, sealsChecked: number): Promise<void> {
  const threaded = await log.audit.verifier.verifyLog();
  expect(threaded).toMatchObject({ ok: true, sealsChecked });
  for (const options of [{ threads: 0 }, { threads: 2, batchSize: 3 }, { threads: 0, batchSize: 3 }]) {
    expect(await new AuditVerifier(log.store, log.keys, log.audit.seals, log.audit.migrations, options).verifyLog()).toEqual(threaded);
  }
  expect(await log.audit.verifier.verifyStream(log.long)).toMatchObject({ ok: true, checked: 12 });
}

describe.each([
  ['in worker threads', undefined],
  ['in this thread', 0],
])('the first seal of a log that crosses a power of ten, checked %s', (_, threads) => {
  let log: Log | undefined;

  beforeAll(async () => {
    log = await openLog();
    await crossPowerOfTen(log.database.pool);
  });

  afterAll(() => closeLog(log));

  it('seals the whole log, and the log verifies against it, whole and stream by stream', async () => {
    const { database, store, keys } = log!;
    const sealer = new Sealer(database.pool, store, keys, new SealStore(database.pool, keys), undefined, threads);
    const outcome = await sealer.seal();
    expect(outcome).toMatchObject({ created: true, seal: { sequence: 1, eventCount: 24 } });
    await untilNewestVisible(database.pool, store);
    await expectVerifies(log!, 1);
  });
});

describe('a later seal whose events cross a power of ten after the one before it', () => {
  let log: Log | undefined;

  beforeAll(async () => {
    log = await openLog();
    // The whole log below the power of ten; what is appended from now on is a digit longer.
    await crossPowerOfTen(log.database.pool, { below: 24 });
  });

  afterAll(() => closeLog(log));

  it('carries the seal on across the boundary and verifies against both', async () => {
    const { audit, store, long } = log!;
    const first = await audit.sealer.seal();
    expect(first).toMatchObject({ created: true, seal: { sequence: 1, eventCount: 24 } });
    // The seal's own event and two more, one of them continuing the long stream.
    await store.append(`nomination-${randomUUID()}`, [stepEvent(100)], 'no_stream');
    await store.append(long, [stepEvent(12)], 11);
    // Other test files share the cluster: their open transactions can hide the new events for a moment.
    await untilNewestVisible(log!.database.pool, store);
    const firstPosition = BigInt(first!.seal.position);
    const head = (await store.headPosition())!;
    expect(head.toString().length).toBeGreaterThan(firstPosition.toString().length);
    const second = await audit.sealer.seal();
    expect(second).toMatchObject({ created: true, seal: { sequence: 2, eventCount: 27 } });
    await untilNewestVisible(log!.database.pool, store);
    const verification = await audit.verifier.verifyLog();
    expect(verification).toMatchObject({ ok: true, sealsChecked: 2, checked: 28 });
    expect(await audit.verifier.verifyStream(long)).toMatchObject({ ok: true, checked: 13 });
  });
});
