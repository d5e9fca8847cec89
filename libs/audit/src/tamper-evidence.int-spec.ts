/*
 * The threat model of API.md, Audit, played out: a superuser switches the append-only triggers off
 * and rewrites the log directly in PostgreSQL, recomputing the public SHA-256 chain where that helps
 * them. Each change alone must be caught by verification against a seal the auditor kept and, where
 * the stream survives, by the stream's own verification, naming the first broken place; undone, the
 * log verifies again.
 */
import { createPublicKey, randomUUID, verify as verifySignature } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@app/database/testing';
import { canonicalJson, chainHash, GENESIS_HASH, PostgresEventStore, type EventStore, type NewEvent } from '@app/event-store';
import { tamperWithLog, untilNewestVisible } from '@app/event-store/testing';
import { AuditKeyRing, generateAuditKey } from './audit-key-ring';
import { createAuditServices, type AuditServices } from './audit-services';
import { AuditVerifier } from './audit-verifier';
import { extendRoot, GENESIS_ROOT, headsDigest, isSeal, leafHash, SEAL_STREAM, sealDigest, sealSigningText, type Seal, type SealHeads } from './seal';
import { SealRefused } from './sealer';

let database: TestDatabase;
let store: PostgresEventStore;
let keys: AuditKeyRing;
const secret = generateAuditKey();
let audit: AuditServices;

const streams: Record<string, string> = {};
let held: Seal;

function event(type: string, i: number): NewEvent {
  return {
    id: randomUUID(),
    type,
    data: { schemaVersion: 1, note: `Sự kiện số ${i} — Xã Chiềng Lao`, i },
    metadata: { actor: { id: `u-${i}`, name: 'Lò Thị Mai', roles: ['officer'], unit: '03814' } },
  };
}

async function write(name: string, count: number): Promise<void> {
  const stream = `nomination-${randomUUID()}`;
  streams[name] = stream;
  for (let i = 0; i < count; i++) await store.append(stream, [event(`Step${i}`, i)], i === 0 ? 'no_stream' : i - 1);
}

async function rows(stream: string): Promise<{ position: string; revision: string; type: string; data: unknown; metadata: unknown; hash: string; mac: string }[]> {
  const result = await database.pool.query(
    'SELECT position, revision, type, data, metadata, hash, mac FROM events WHERE stream_id = $1 ORDER BY revision',
    [stream],
  );
  return result.rows;
}

/** What an attacker who knows the public chain algorithm does after changing rows: recompute it. */
async function rechain(stream: string): Promise<void> {
  let previous = GENESIS_HASH;
  const updates = [];
  for (const row of await rows(stream)) {
    const hash = chainHash(previous, { type: row.type, data: row.data, metadata: row.metadata, revision: Number(row.revision) });
    updates.push({ text: 'UPDATE events SET hash = $3 WHERE stream_id = $1 AND revision = $2', values: [stream, row.revision, hash] });
    previous = hash;
  }
  await tamperWithLog(database.pool, updates);
}

/** Waits until the newest event is visible to the log's readers (other test files share the cluster). */
function caughtUp(): Promise<void> {
  return untilNewestVisible(database.pool, store);
}

/**
 * Whole-log verification, with the content checks in worker threads (the default) and, for comparison,
 * all in this thread: both must give the same answer, first broken place included.
 */
async function verifyLog(services: AuditServices, options: { heldSeal?: Seal } = {}) {
  await caughtUp();
  const threaded = await services.verifier.verifyLog(options);
  const { store: of, keys: with_ } = services.verifier as unknown as { store: EventStore; keys: AuditKeyRing };
  const single = new AuditVerifier(of, with_, services.seals, services.migrations, { threads: 0 });
  expect(await single.verifyLog(options)).toEqual(threaded);
  // And in batches of three, several of them checked at once in two threads and walked in order.
  const batched = new AuditVerifier(of, with_, services.seals, services.migrations, { threads: 2, batchSize: 3 });
  expect(await batched.verifyLog(options)).toEqual(threaded);
  return threaded;
}

async function sealNow(services: AuditServices) {
  await caughtUp();
  return services.sealer.seal();
}

async function undo(): Promise<void> {
  await tamperWithLog(database.pool, ['DELETE FROM events', 'INSERT INTO events SELECT * FROM events_before_tampering']);
}

beforeAll(async () => {
  database = await createTestDatabase();
  keys = new AuditKeyRing([secret]);
  store = new PostgresEventStore(database.pool, { authenticator: keys, notifyChannel: null });
  audit = createAuditServices(database.pool, store, keys);
  await write('first', 2);
  // An earlier seal, so the held one is not the only one stored.
  await sealNow(audit);
  for (const [name, count] of [['changed', 3], ['truncated', 3], ['removed', 2], ['swapped', 3], ['forged', 2], ['reordered', 3], ['f', 1], ['g', 1]] as const) {
    await write(name, count);
  }
  // Content that the packed reads of verification must carry exactly: separators, quotes, escapes, astral characters.
  const odd = `nomination-"odd"\tstream\\${randomUUID()}`;
  await store.append(odd, [{ id: randomUUID(), type: 'Odd\tType"', data: { note: 'tab\there\nnewline "quoted" \\ back 😀 \u0001', list: [1.5e300, -0, 'ü'] }, metadata: { 'k\ty': '\r\n' } }], 'no_stream');
  const outcome = await sealNow(audit);
  expect(outcome?.created).toBe(true);
  held = JSON.parse(JSON.stringify(outcome!.seal)) as Seal;
  await database.pool.query('CREATE TABLE events_before_tampering AS SELECT * FROM events');
});

afterAll(async () => {
  await store?.close();
  await database?.drop();
});

describe('an untouched log', () => {
  it('verifies whole, against the held seal, and stream by stream', async () => {
    const whole = await verifyLog(audit);
    expect(whole).toMatchObject({ ok: true, sealsChecked: 2 });
    // Every event's MAC covers when it was recorded.
    expect(whole.instants).toEqual({ mac: whole.checked, sealed: 0, uncovered: 0, sealedBy: { sequence: 2, position: held.position } });
    expect(held.version).toBe(2);
    expect(whole.checked).toBe(held.eventCount + 1); // the held seal's own event was published after it
    expect(await verifyLog(audit, { heldSeal: held })).toMatchObject({ ok: true });
    for (const stream of Object.values(streams)) expect(await audit.verifier.verifyStream(stream)).toMatchObject({ ok: true });
  });

  it('publishes each seal into the log as well as into its table', async () => {
    const published = await store.readStream(SEAL_STREAM);
    expect(published.map((e) => (e.data as Seal).sequence)).toEqual([1, 2]);
    expect(published[1]!.data).toEqual(held);
  });

  it('does not seal again when only seals were appended since', async () => {
    const again = await sealNow(audit);
    expect(again).toEqual({ seal: held, created: false });
  });

  it('signs seals so that the published OKP JWK checks them with node:crypto alone', () => {
    const jwk = keys.keys.find((k) => k.keyId === held.keyId)!.publicJwk;
    const { signature, ...body } = held;
    const text = JSON.stringify(Object.fromEntries(Object.entries(body).sort(([a], [b]) => (a < b ? -1 : 1))));
    const publicKey = createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x }, format: 'jwk' });
    expect(verifySignature(null, Buffer.from(text), publicKey, Buffer.from(signature, 'base64url'))).toBe(true);
    const altered = text.replace(`"eventCount":${held.eventCount}`, `"eventCount":${held.eventCount - 1}`);
    expect(verifySignature(null, Buffer.from(altered), publicKey, Buffer.from(signature, 'base64url'))).toBe(false);
  });
});

describe('tampering as a superuser', () => {
  afterEach(async () => {
    await undo();
    expect(await verifyLog(audit, { heldSeal: held })).toMatchObject({ ok: true });
  });

  it("detects one event's data changed, also with the chain recomputed", async () => {
    const stream = streams['changed']!;
    await tamperWithLog(database.pool, [
      { text: `UPDATE events SET data = jsonb_set(data, '{note}', '"Sự kiện đã sửa"') WHERE stream_id = $1 AND revision = 1`, values: [stream] },
    ]);
    expect((await audit.verifier.verifyStream(stream))?.firstBroken).toMatchObject({ streamId: stream, revision: 1, code: 'hash_mismatch' });
    await rechain(stream);
    const expected = { streamId: stream, revision: 1, code: 'mac_invalid' };
    expect((await audit.verifier.verifyStream(stream))?.firstBroken).toMatchObject(expected);
    expect(await verifyLog(audit, { heldSeal: held })).toMatchObject({ ok: false, firstBroken: expected });
  });

  it("detects a stream's newest event removed", async () => {
    const stream = streams['truncated']!;
    await tamperWithLog(database.pool, [{ text: 'DELETE FROM events WHERE stream_id = $1 AND revision = 2', values: [stream] }]);
    const expected = { streamId: stream, revision: 2, code: 'sealed_revision_missing' };
    expect((await audit.verifier.verifyStream(stream))?.firstBroken).toMatchObject(expected);
    expect((await verifyLog(audit, { heldSeal: held })).firstBroken).toMatchObject(expected);
  });

  it('detects a whole stream removed, even when every stored seal is removed too', async () => {
    const stream = streams['removed']!;
    await tamperWithLog(database.pool, [{ text: 'DELETE FROM events WHERE stream_id = $1', values: [stream] }]);
    const expected = { streamId: stream, revision: 0, code: 'stream_missing' };
    expect((await audit.verifier.verifyStream(stream))?.firstBroken).toMatchObject(expected);
    expect((await verifyLog(audit, { heldSeal: held })).firstBroken).toMatchObject(expected);
    expect((await verifyLog(audit)).firstBroken).toMatchObject(expected);

    await database.pool.query('CREATE TABLE seals_before_tampering AS SELECT * FROM audit_seals');
    try {
      await database.pool.query('DELETE FROM audit_seals');
      // Nothing stored is left to name the stream, but the held seal still sees the log is not what it sealed.
      expect((await verifyLog(audit, { heldSeal: held })).firstBroken).toMatchObject({ code: 'seal_count_mismatch', position: held.position });
    } finally {
      await database.pool.query('INSERT INTO audit_seals SELECT * FROM seals_before_tampering; DROP TABLE seals_before_tampering');
    }
  });

  it('detects two events swapped, also with the chain recomputed', async () => {
    const stream = streams['swapped']!;
    await tamperWithLog(database.pool, [
      {
        text: `UPDATE events AS e SET type = o.type, data = o.data, metadata = o.metadata, hash = o.hash, mac = o.mac
               FROM events_before_tampering o
               WHERE e.stream_id = $1 AND o.stream_id = $1 AND o.revision = 1 - e.revision AND e.revision IN (0, 1)`,
        values: [stream],
      },
    ]);
    expect((await audit.verifier.verifyStream(stream))?.firstBroken).toMatchObject({ streamId: stream, revision: 0, code: 'hash_mismatch' });
    await rechain(stream);
    const expected = { streamId: stream, revision: 0, code: 'mac_invalid' };
    expect((await audit.verifier.verifyStream(stream))?.firstBroken).toMatchObject(expected);
    expect((await verifyLog(audit, { heldSeal: held })).firstBroken).toMatchObject(expected);
  });

  it('detects a forged event inserted with a correctly recomputed SHA-256 chain', async () => {
    const stream = streams['forged']!;
    const [, last] = await rows(stream);
    const forged = { type: 'NominationApproved', data: { schemaVersion: 1, comment: 'Đồng ý' }, metadata: { actor: { id: 'u-1', name: 'Lò Thị Mai', roles: ['officer'], unit: '03814' } } };
    const hash = chainHash(last!.hash, { ...forged, revision: 2 });
    await tamperWithLog(database.pool, [
      {
        // The attacker copies a real MAC: without the key they cannot make one.
        text: `INSERT INTO events (position, event_id, stream_id, revision, type, data, metadata, hash, mac, recorded_at)
               VALUES (pg_current_xact_id()::text::bigint * 100000, $1, $2, 2, $3, $4, $5, $6, $7, now())`,
        values: [randomUUID(), stream, forged.type, canonicalJson(forged.data), canonicalJson(forged.metadata), hash, last!.mac],
      },
    ]);
    const expected = { streamId: stream, revision: 2, code: 'mac_invalid' };
    expect((await audit.verifier.verifyStream(stream))?.firstBroken).toMatchObject(expected);
    expect((await verifyLog(audit, { heldSeal: held })).firstBroken).toMatchObject(expected);
    // And the sealer will not put its signature under it.
    await expect(sealNow(audit)).rejects.toBeInstanceOf(SealRefused);
  });

  it("detects positions reordered within a stream", async () => {
    const stream = streams['reordered']!;
    const [, one, two] = await rows(stream);
    const move = (from: string, to: string) => ({
      text: 'UPDATE events SET position = $2, transaction_id = ($2::bigint / 100000)::text::xid8 WHERE position = $1',
      values: [from, to],
    });
    await tamperWithLog(database.pool, [move(one!.position, '100000'), move(two!.position, one!.position), move('100000', two!.position)]);
    expect((await audit.verifier.verifyStream(stream))?.firstBroken).toMatchObject({ streamId: stream, revision: 2, code: 'position_out_of_order' });
    expect((await verifyLog(audit, { heldSeal: held })).firstBroken).toMatchObject({ streamId: stream, revision: 1, code: 'revision_missing' });
  });

  it('detects positions reordered across streams against the seals, which alone see the order of the whole log', async () => {
    const [f] = await rows(streams['f']!);
    const [g] = await rows(streams['g']!);
    const move = (from: string, to: string) => ({
      text: 'UPDATE events SET position = $2, transaction_id = ($2::bigint / 100000)::text::xid8 WHERE position = $1',
      values: [from, to],
    });
    await tamperWithLog(database.pool, [move(f!.position, '100000'), move(g!.position, f!.position), move('100000', g!.position)]);
    expect((await verifyLog(audit, { heldSeal: held })).firstBroken).toMatchObject({ code: 'seal_root_mismatch', position: held.position });
    // Each stream, on its own, is still in order: its own check cannot see the log's order.
    expect(await audit.verifier.verifyStream(streams['f']!)).toMatchObject({ ok: true });
  });

  it('detects a stored seal rewritten or removed', async () => {
    await database.pool.query('CREATE TABLE seals_before_tampering AS SELECT * FROM audit_seals');
    try {
      // A seal removed between two stored ones: named as missing, not as a stored seal that was replaced.
      const first = (await audit.seals.bySequence(1, database.pool))?.seal;
      const heads = (await audit.seals.bySequence(2, database.pool))!.heads!;
      const body = { ...held, sequence: 3, previous: sealDigest(held) };
      const third = { ...body, signature: keys.sign(sealSigningText(body)).signature };
      expect(audit.seals.check({ sequence: '3', body: third, heads }, first, true).problem).toMatchObject({ code: 'seal_missing', problem: expect.stringContaining('seal #2 is missing') });
      await database.pool.query(`UPDATE audit_seals SET body = jsonb_set(body, '{eventCount}', '1') WHERE sequence = 1`);
      expect((await verifyLog(audit)).firstBroken).toMatchObject({ streamId: SEAL_STREAM, code: 'seal_signature_invalid' });
      await database.pool.query('DELETE FROM audit_seals WHERE sequence = 1');
      expect((await verifyLog(audit)).firstBroken).toMatchObject({ streamId: SEAL_STREAM, code: 'seal_missing' });
      await database.pool.query(`UPDATE audit_seals SET heads = heads - $1 WHERE sequence = 2`, [streams['truncated']]);
      expect((await audit.verifier.verifyStream(streams['changed']!))?.firstBroken).toMatchObject({ code: 'seal_heads_changed' });
    } finally {
      await database.pool.query('DELETE FROM audit_seals; INSERT INTO audit_seals SELECT * FROM seals_before_tampering; DROP TABLE seals_before_tampering');
    }
  });

  it('names a stored seal rewritten or removed against a held seal too, as without one', async () => {
    await database.pool.query('CREATE TABLE seals_before_tampering AS SELECT * FROM audit_seals');
    try {
      // The held seal's own stored copy rewritten: the held seal still matches the log, but the seals stored were changed.
      await database.pool.query(`UPDATE audit_seals SET body = jsonb_set(body, '{eventCount}', '1') WHERE sequence = $1`, [held.sequence]);
      const rewritten = { streamId: SEAL_STREAM, revision: held.sequence - 1, code: 'seal_signature_invalid' };
      expect((await verifyLog(audit)).firstBroken).toMatchObject(rewritten);
      expect((await verifyLog(audit, { heldSeal: held })).firstBroken).toMatchObject(rewritten);
      // The seal before it removed: the held seal's stored copy, untouched, follows nothing stored.
      await database.pool.query('DELETE FROM audit_seals; INSERT INTO audit_seals SELECT * FROM seals_before_tampering');
      await database.pool.query('DELETE FROM audit_seals WHERE sequence = $1', [held.sequence - 1]);
      const removed = { streamId: SEAL_STREAM, revision: held.sequence - 1, code: 'seal_missing' };
      expect((await verifyLog(audit)).firstBroken).toMatchObject(removed);
      expect((await verifyLog(audit, { heldSeal: held })).firstBroken).toMatchObject(removed);
    } finally {
      await database.pool.query('DELETE FROM audit_seals; INSERT INTO audit_seals SELECT * FROM seals_before_tampering; DROP TABLE seals_before_tampering');
    }
  });

  it("detects one event's recorded instant changed, by an hour or by a microsecond, and names it", async () => {
    const stream = streams['changed']!;
    const [, one] = await rows(stream);
    for (const shift of ['1 hour', '1 microsecond']) {
      await tamperWithLog(database.pool, [{ text: `UPDATE events SET recorded_at = recorded_at + $2::interval WHERE stream_id = $1 AND revision = 1`, values: [stream, shift] }]);
      const expected = { streamId: stream, revision: 1, position: one!.position, code: 'mac_invalid', problem: expect.stringContaining('recorded instant') };
      expect((await audit.verifier.verifyStream(stream))?.firstBroken).toEqual(expected);
      expect((await verifyLog(audit)).firstBroken).toEqual(expected);
      expect((await verifyLog(audit, { heldSeal: held })).firstBroken).toEqual(expected);
      await undo();
    }
  });

  it('refuses a held seal that is not signed by a service key', async () => {
    const forgedSeal = { ...held, eventCount: held.eventCount - 1 };
    expect((await verifyLog(audit, { heldSeal: forgedSeal })).firstBroken).toMatchObject({ code: 'seal_signature_invalid' });
  });
});

describe('key rotation', () => {
  it('keeps old events and seals verifiable once a new key is put first', async () => {
    const rotated = new AuditKeyRing([generateAuditKey(), secret]);
    expect(rotated.keys.map((k) => [k.keyId === keys.currentKeyId, k.current])).toEqual([[false, true], [true, false]]);
    const rotatedStore = new PostgresEventStore(database.pool, { authenticator: rotated, notifyChannel: null });
    const rotatedAudit = createAuditServices(database.pool, rotatedStore, rotated);
    try {
      await rotatedStore.append(streams['first']!, [event('AfterRotation', 9)], 1);
      const [, , newest] = await rotatedStore.readStream(streams['first']!);
      expect(newest!.mac!.startsWith(`v2.${rotated.currentKeyId}.`)).toBe(true);
      const next = await sealNow(rotatedAudit);
      expect(next).toMatchObject({ created: true, seal: { sequence: 3, keyId: rotated.currentKeyId } });
      expect(await verifyLog(rotatedAudit, { heldSeal: held })).toMatchObject({ ok: true, sealsChecked: 3 });
      // The old ring alone no longer knows the new key: it says so rather than calling the event forged.
      expect((await audit.verifier.verifyStream(streams['first']!))?.firstBroken).toMatchObject({ revision: 2, code: 'mac_unknown_key' });
    } finally {
      await rotatedStore.close();
    }
  });
});

/*
 * A log written before the recorded instant was covered: version-1 MACs (over content only) and a
 * version-1 seal (leaves without instants), made here as the code of the time made them. Held seals of
 * that time keep verifying exactly as before; the first seal made now is of version 2 and covers the
 * instants of every event before it, which is then what catches a changed instant of an old event.
 */
describe('a log from before the recorded instant was covered', () => {
  let legacy: TestDatabase;
  let legacyStore: PostgresEventStore;
  let legacyAudit: AuditServices;
  let legacySeal: Seal;
  const legacyStreams: string[] = [];

  async function verifyLegacy(options: { heldSeal?: Seal } = {}) {
    const threaded = await legacyAudit.verifier.verifyLog(options);
    const single = new AuditVerifier(legacyStore, keys, legacyAudit.seals, legacyAudit.migrations, { threads: 0 });
    expect(await single.verifyLog(options)).toEqual(threaded);
    const batched = new AuditVerifier(legacyStore, keys, legacyAudit.seals, legacyAudit.migrations, { threads: 2, batchSize: 2 });
    expect(await batched.verifyLog(options)).toEqual(threaded);
    return threaded;
  }

  async function caughtUpLegacy(): Promise<void> {
    const { rows: [newest] } = await legacy.pool.query<{ position: string | null }>('SELECT max(position)::text AS position FROM events');
    while (((await legacyStore.headPosition()) ?? -1n) < BigInt(newest!.position!)) await new Promise((resolve) => setTimeout(resolve, 20));
  }

  beforeAll(async () => {
    legacy = await createTestDatabase();
    // Written unsigned, then given the version-1 MACs the service made then.
    const unsigned = new PostgresEventStore(legacy.pool, { notifyChannel: null });
    for (let s = 0; s < 2; s++) {
      const stream = `nomination-${randomUUID()}`;
      legacyStreams.push(stream);
      for (let i = 0; i < 3; i++) await unsigned.append(stream, [event(`Old${i}`, i)], i === 0 ? 'no_stream' : i - 1);
    }
    await unsigned.close();
    const { rows: stored } = await legacy.pool.query('SELECT position, event_id, stream_id, revision, type, data, metadata, hash FROM events ORDER BY position');
    await tamperWithLog(legacy.pool, stored.map((row) => ({
      text: 'UPDATE events SET mac = $2 WHERE position = $1',
      values: [row.position, keys.macV1({ streamId: row.stream_id, revision: Number(row.revision), id: row.event_id, type: row.type, dataJson: canonicalJson(row.data), metadataJson: canonicalJson(row.metadata), hash: row.hash, recordedAt: '' })],
    })));
    legacyStore = new PostgresEventStore(legacy.pool, { authenticator: keys, notifyChannel: null });
    legacyAudit = createAuditServices(legacy.pool, legacyStore, keys);
    await caughtUpLegacy();
    // The version-1 seal: a running hash of version-1 leaves, signed, stored as the sealer of the time stored it.
    let root: Buffer = Buffer.from(GENESIS_ROOT, 'hex');
    const heads: SealHeads = {};
    const { events } = await legacyStore.readAll({ limit: 100 });
    for (const e of events) {
      root = extendRoot(root, leafHash(e));
      heads[e.streamId] = [e.revision, e.hash];
    }
    const body = {
      sequence: 1, position: events.at(-1)!.position.toString(), eventCount: events.length, root: root.toString('hex'), previous: GENESIS_ROOT,
      headsDigest: headsDigest(heads), sealedAt: new Date().toISOString(), keyId: keys.currentKeyId,
    };
    legacySeal = { ...body, signature: keys.sign(sealSigningText(body)).signature };
    const client = await legacy.pool.connect();
    try {
      await legacyAudit.seals.insert(client, legacySeal, heads);
    } finally {
      client.release();
    }
    await legacy.pool.query('CREATE TABLE events_before_tampering AS SELECT * FROM events');
  });

  afterAll(async () => {
    await legacyStore?.close();
    await legacy?.drop();
  });

  it('verifies under version 1 against the seal held from then, and says nothing covers the instants yet', async () => {
    expect(isSeal(legacySeal)).toBe(true);
    const verification = await verifyLegacy({ heldSeal: legacySeal });
    expect(verification).toEqual({ ok: true, checked: 6, sealsChecked: 1, instants: { mac: 0, sealed: 0, uncovered: 6 } });
    expect(await legacyAudit.verifier.verifyStream(legacyStreams[0]!)).toMatchObject({ ok: true, checked: 3, instants: { mac: 0, sealed: 0, uncovered: 3 } });
  });

  it('seals in version 2 at once, covering the old instants; the old seal still verifies', async () => {
    await caughtUpLegacy();
    const outcome = await legacyAudit.sealer.seal();
    expect(outcome).toMatchObject({ created: true, seal: { version: 2, sequence: 2, eventCount: 6, position: legacySeal.position } });
    await caughtUpLegacy();
    const sealedBy = { sequence: 2, position: outcome!.seal.position };
    const whole = await verifyLegacy();
    // The two published seal events came after, with version-2 MACs.
    expect(whole).toEqual({ ok: true, checked: 8, sealsChecked: 2, instants: { mac: 2, sealed: 6, uncovered: 0, sealedBy } });
    expect(await verifyLegacy({ heldSeal: legacySeal })).toMatchObject({ ok: true, sealsChecked: 2 });
    expect((await legacyAudit.verifier.verifyStream(legacyStreams[0]!))?.instants).toEqual({ mac: 0, sealed: 3, uncovered: 0, sealedBy });
  });

  it("catches an old event's changed instant against the version-2 seal (its version-1 MAC cannot); undone, all verify", async () => {
    const stream = legacyStreams[1]!;
    await tamperWithLog(legacy.pool, [{ text: `UPDATE events SET recorded_at = recorded_at - interval '1 day' WHERE stream_id = $1 AND revision = 1`, values: [stream] }]);
    try {
      const second = (await legacyAudit.seals.bySequence(2))!.seal;
      const broken = { streamId: '*', position: second.position, code: 'seal_root_mismatch' };
      expect((await verifyLegacy()).firstBroken).toMatchObject(broken);
      expect((await verifyLegacy({ heldSeal: legacySeal })).firstBroken).toMatchObject(broken);
      expect((await verifyLegacy({ heldSeal: second })).firstBroken).toMatchObject(broken);
      // The stream's own check cannot see it, and says what covers the instant instead.
      expect(await legacyAudit.verifier.verifyStream(stream)).toMatchObject({ ok: true, instants: { mac: 0, sealed: 3, sealedBy: { sequence: 2 } } });
    } finally {
      await tamperWithLog(legacy.pool, ['DELETE FROM events', 'INSERT INTO events SELECT * FROM events_before_tampering']);
    }
    await caughtUpLegacy();
    expect(await verifyLegacy({ heldSeal: legacySeal })).toMatchObject({ ok: true, sealsChecked: 2 });
  });
});
