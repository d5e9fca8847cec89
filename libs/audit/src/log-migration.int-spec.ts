/*
 * Seals across a store switch, on the PostgreSQL → PostgreSQL copy path: a seal of the old log, held by
 * an auditor, still verifies against the copy once the copy is recorded (old positions and a signed
 * record), and still catches a change made after the copy; the new log seals and publishes its own.
 */
import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@app/database/testing';
import { copyEventStore, PostgresEventStore, type EventStore } from '@app/event-store';
import { tamperWithLog } from '@app/event-store/testing';
import { AuditKeyRing, generateAuditKey } from './audit-key-ring';
import { createAuditServices, type AuditServices } from './audit-services';
import { MigrationRefused, recordLogMigration } from './log-migration';
import { SEAL_STREAM, type Seal } from './seal';

const keys = new AuditKeyRing([generateAuditKey()]);
let sourceDb: TestDatabase;
let targetDb: TestDatabase;
let source: PostgresEventStore;
let target: PostgresEventStore;
let sourceAudit: AuditServices;
let targetAudit: AuditServices;
let firstSeal: Seal;
let lastSeal: Seal;
const streams: string[] = [];

/** Waits until the newest row of the table is visible to readers (other tests share the cluster). */
async function caughtUp(db: TestDatabase, store: EventStore): Promise<void> {
  const { rows: [newest] } = await db.pool.query<{ position: string | null }>('SELECT max(position)::text AS position FROM events');
  if (newest?.position === null || newest === undefined) return;
  while (((await store.headPosition()) ?? -1n) < BigInt(newest.position)) await new Promise((resolve) => setTimeout(resolve, 20));
}

async function write(count: number): Promise<void> {
  const stream = `nomination-${randomUUID()}`;
  streams.push(stream);
  for (let i = 0; i < count; i++) {
    await source.append(stream, [{ id: randomUUID(), type: `Step${i}`, data: { i, note: `Bước ${i} — Xã Chiềng Lao` }, metadata: { actor: { id: `u-${i}` } } }], i === 0 ? 'no_stream' : i - 1);
  }
}

async function seal(db: TestDatabase, store: EventStore, audit: AuditServices): Promise<Seal> {
  await caughtUp(db, store);
  const outcome = await audit.sealer.seal();
  return JSON.parse(JSON.stringify(outcome!.seal)) as Seal;
}

beforeAll(async () => {
  sourceDb = await createTestDatabase();
  targetDb = await createTestDatabase();
  source = new PostgresEventStore(sourceDb.pool, { authenticator: keys, notifyChannel: null });
  target = new PostgresEventStore(targetDb.pool, { authenticator: keys, notifyChannel: null });
  sourceAudit = createAuditServices(sourceDb.pool, source, keys);
  targetAudit = createAuditServices(targetDb.pool, target, keys);
  await write(3);
  firstSeal = await seal(sourceDb, source, sourceAudit);
  await write(2);
  await write(4);
  lastSeal = await seal(sourceDb, source, sourceAudit);
  await caughtUp(sourceDb, source);
  const { rows } = await sourceDb.pool.query<{ max: string }>('SELECT max(position)::text AS max FROM events');
  const summary = await copyEventStore(source, target, { until: BigInt(rows[0]!.max) });
  expect(summary.mismatches).toEqual([]);
  await caughtUp(targetDb, target);
});

afterAll(async () => {
  await Promise.all([source?.close(), target?.close()]);
  await Promise.all([sourceDb?.drop(), targetDb?.drop()]);
});

describe('seals across store:copy (PostgreSQL to PostgreSQL)', () => {
  it('keeps every event\'s recorded instant and MAC', async () => {
    const [from, to] = await Promise.all([source.readAll({ limit: 1000 }), target.readAll({ limit: 1000 })]);
    expect(to.events.map((e) => [e.id, e.recordedAt.toISOString(), e.mac])).toEqual(from.events.map((e) => [e.id, e.recordedAt.toISOString(), e.mac]));
    expect(to.events.every((e) => e.mac?.startsWith('v2.'))).toBe(true);
  });

  it('without the copy recorded, an old seal does not match the new positions', async () => {
    const verification = await targetAudit.verifier.verifyLog({ heldSeal: lastSeal });
    expect(verification.ok).toBe(false);
    expect(verification.migratedFrom).toBeUndefined();
  });

  it('refuses to record a copy of a log that does not verify', async () => {
    const stream = streams[0]!;
    await sourceDb.pool.query('CREATE TABLE source_before AS SELECT * FROM events WHERE stream_id = $1', [stream]);
    await tamperWithLog(sourceDb.pool, [{ text: `UPDATE events SET data = jsonb_set(data, '{note}', '"sửa"') WHERE stream_id = $1 AND revision = 1`, values: [stream] }]);
    try {
      await expect(recordLogMigration({ source: { store: source, ...sourceAudit }, target: { store: target, ...targetAudit }, keys })).rejects.toThrow(MigrationRefused);
    } finally {
      await tamperWithLog(sourceDb.pool, [{ text: 'DELETE FROM events WHERE stream_id = $1', values: [stream] }, 'INSERT INTO events SELECT * FROM source_before']);
    }
  });

  it('recorded, every seal of the old log verifies against the copy, naming the migration', async () => {
    const migration = await recordLogMigration({ source: { store: source, ...sourceAudit }, target: { store: target, ...targetAudit }, keys });
    expect(migration).toMatchObject({ sourceLog: await source.identity(), targetLog: await target.identity(), sourceSeal: lastSeal, eventCount: lastSeal.eventCount + 1 });
    for (const held of [firstSeal, lastSeal]) {
      expect(await targetAudit.verifier.verifyLog({ heldSeal: held })).toEqual({
        ok: true,
        checked: migration.eventCount,
        sealsChecked: 1,
        instants: { mac: migration.eventCount, sealed: 0, uncovered: 0 },
        migratedFrom: { sourceLog: migration.sourceLog, migratedAt: migration.migratedAt },
      });
    }
    // The old log's own verdict is unchanged.
    expect(await sourceAudit.verifier.verifyLog({ heldSeal: firstSeal })).toMatchObject({ ok: true });
  });

  it('the new log seals and publishes its own seals after the copied ones, and verifies against them', async () => {
    const copiedSeals = (await target.readStream(SEAL_STREAM)).length;
    expect(copiedSeals).toBe(2);
    const own = await seal(targetDb, target, targetAudit);
    expect(own).toMatchObject({ sequence: 1 });
    await caughtUp(targetDb, target);
    const published = await target.readStream(SEAL_STREAM);
    expect(published.map((e) => (e.data as Seal).sequence)).toEqual([1, 2, 1]);
    expect((published[2]!.data as Seal).root).toBe(own.root);
    expect(await targetAudit.verifier.verifyLog()).toMatchObject({ ok: true, sealsChecked: 1 });
    const against = await targetAudit.verifier.verifyLog({ heldSeal: own });
    expect(against).toMatchObject({ ok: true });
    expect(against.migratedFrom).toBeUndefined();
    // And an old seal still verifies with the new log's own events after it.
    expect(await targetAudit.verifier.verifyLog({ heldSeal: firstSeal })).toMatchObject({ ok: true, migratedFrom: expect.anything() });
  });

  it('an old seal still catches a change made to the copy, and a changed old position', async () => {
    const stream = streams[1]!;
    await targetDb.pool.query('CREATE TABLE copy_before AS SELECT * FROM events WHERE stream_id = $1', [stream]);
    await tamperWithLog(targetDb.pool, [{ text: `UPDATE events SET data = jsonb_set(data, '{note}', '"sửa"') WHERE stream_id = $1 AND revision = 0`, values: [stream] }]);
    try {
      expect(await targetAudit.verifier.verifyLog({ heldSeal: lastSeal })).toMatchObject({ ok: false, firstBroken: { streamId: stream, revision: 0, code: 'hash_mismatch' } });
    } finally {
      await tamperWithLog(targetDb.pool, [{ text: 'DELETE FROM events WHERE stream_id = $1', values: [stream] }, 'INSERT INTO events SELECT * FROM copy_before']);
    }
    await targetDb.pool.query('CREATE TABLE map_before AS SELECT * FROM audit_migrated_positions');
    await targetDb.pool.query(`UPDATE audit_migrated_positions SET source_position = source_position + 1 WHERE position = (SELECT min(position) FROM audit_migrated_positions)`);
    try {
      expect(await targetAudit.verifier.verifyLog({ heldSeal: firstSeal })).toMatchObject({ ok: false, firstBroken: { code: 'seal_root_mismatch' } });
    } finally {
      await targetDb.pool.query('DELETE FROM audit_migrated_positions');
      await targetDb.pool.query('INSERT INTO audit_migrated_positions SELECT * FROM map_before');
    }
    expect(await targetAudit.verifier.verifyLog({ heldSeal: firstSeal })).toMatchObject({ ok: true });
  });
});
