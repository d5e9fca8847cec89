import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { createTestDatabase, type TestDatabase } from '@app/database/testing';
import { describeEventStoreContract, macContentOf, tamperWithLog, testAuthenticator, testEvent, testStreamId } from '@app/event-store/testing';
import {
  canonicalJson,
  chainHash,
  EventStoreUnavailable,
  GENESIS_HASH,
  InvalidAppend,
  PostgresEventStore,
  verifyChain,
  type NewEvent,
} from '@app/event-store';
import { prepareAppend } from '../append-validation';
import { appendQuery } from './postgres-append-sql';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase({ max: 40 });
});

afterAll(async () => {
  await database?.drop();
});

describeEventStoreContract('PostgreSQL', async () => {
  const store = new PostgresEventStore(database.pool, { pollIntervalMs: 100, authenticator: testAuthenticator() });
  return { store, cleanup: () => store.close() };
});

describeEventStoreContract('PostgreSQL without an authenticator', async () => {
  const store = new PostgresEventStore(database.pool, { pollIntervalMs: 100 });
  return { store, cleanup: () => store.close() };
});

describe('PostgresEventStore MACs', () => {
  it('stores a MAC the authenticator accepts for every event, whatever the expected revision', async () => {
    const authenticator = testAuthenticator();
    const store = new PostgresEventStore(database.pool, { authenticator, notifyChannel: null });
    try {
      const stream = testStreamId();
      await store.append(stream, [testEvent()], 'no_stream');
      await store.append(stream, [testEvent(), testEvent()], 0);
      await store.append(stream, [testEvent()], 'any');
      await store.append(stream, [testEvent(), testEvent()], 'any');
      const events = await store.readStream(stream);
      expect(events.map((e) => e.revision)).toEqual([0, 1, 2, 3, 4, 5]);
      expect(events.map((e) => authenticator.check(macContentOf(e), e.mac))).toEqual(Array(6).fill('valid'));
      // Bound to the place: the same content at another revision does not check.
      expect(authenticator.check({ ...macContentOf(events[1]!), revision: 2 }, events[1]!.mac)).toBe('invalid');
    } finally {
      await store.close();
    }
  });

  it('records each event at the instant the service chose and MACed, also when two processes\' clocks disagree; asOf keeps a prefix', async () => {
    const authenticator = testAuthenticator();
    // Two api processes: one's clock runs a minute ahead of the other's.
    const base = Date.parse('2026-12-01T08:00:00.000Z');
    let tick = 0;
    const ahead = new PostgresEventStore(database.pool, { authenticator, notifyChannel: null, clock: () => new Date(base + 60_000 + tick++) });
    const behind = new PostgresEventStore(database.pool, { authenticator, notifyChannel: null, clock: () => new Date(base + tick++ + 0.7) });
    try {
      const stream = testStreamId();
      const first = await ahead.append(stream, [testEvent()], 'no_stream');
      // The other process continues the stream without reading it first: it reads the one hash it needs.
      await behind.append(stream, [testEvent(), testEvent()], 0);
      await ahead.append(stream, [testEvent()], 2);
      const events = await ahead.readStream(stream);
      expect(first.recordedAt).toEqual(new Date(base + 60_000));
      expect(events.map((e) => e.recordedAt.getTime() - base)).toEqual([60_000, 1, 1, 60_002]);
      expect(events.map((e) => authenticator.check(macContentOf(e), e.mac))).toEqual(Array(4).fill('valid'));
      // Another instant is another MAC.
      expect(authenticator.check({ ...macContentOf(events[1]!), recordedAt: new Date(base + 2).toISOString() }, events[1]!.mac)).toBe('invalid');
      // ?asOf= is the stream's prefix recorded by then: never revisions 1-2 without revision 0 before them.
      await expect(ahead.readStream(stream, { until: new Date(base + 30_000) })).rejects.toThrow();
      expect((await ahead.readStream(stream, { until: new Date(base + 60_000) })).map((e) => e.revision)).toEqual([0, 1, 2]);
      expect(verifyChain(events.map((e) => ({ ...e, hash: e.hash }))).ok).toBe(true);
    } finally {
      await Promise.all([ahead.close(), behind.close()]);
    }
  });

  it('retries an append whose remembered head is not the stored one, and writes it on the stored chain', async () => {
    const authenticator = testAuthenticator();
    const store = new PostgresEventStore(database.pool, { authenticator, notifyChannel: null });
    const other = new PostgresEventStore(database.pool, { authenticator, notifyChannel: null });
    try {
      const stream = testStreamId();
      await store.append(stream, [testEvent()], 'no_stream');
      // Rewritten behind the store's back (as only an attacker could): the store's remembered hash is stale.
      await tamperWithLog(database.pool, [{ text: `UPDATE events SET hash = $2 WHERE stream_id = $1`, values: [stream, 'f'.repeat(64)] }]);
      await store.append(stream, [testEvent()], 0);
      await other.append(stream, [testEvent()], 1);
      const events = await store.readStream(stream);
      expect(events.map((e) => e.revision)).toEqual([0, 1, 2]);
      expect(events[1]!.hash).toBe(chainHash('f'.repeat(64), { type: events[1]!.type, data: events[1]!.data, metadata: events[1]!.metadata, revision: 1 }));
      expect(events.slice(1).map((e) => authenticator.check(macContentOf(e), e.mac))).toEqual(['valid', 'valid']);
    } finally {
      await Promise.all([store.close(), other.close()]);
    }
  });

  it('refuses UPDATE, DELETE and TRUNCATE of stored events to anyone who keeps the triggers on', async () => {
    const store = new PostgresEventStore(database.pool, { notifyChannel: null });
    try {
      const stream = testStreamId();
      await store.append(stream, [testEvent()], 'no_stream');
      for (const sql of [`UPDATE events SET data = '{}' WHERE stream_id = $1`, `DELETE FROM events WHERE stream_id = $1`]) {
        await expect(database.pool.query(sql, [stream])).rejects.toMatchObject({ code: '42501', message: expect.stringContaining('append-only') });
      }
      await expect(database.pool.query('TRUNCATE events')).rejects.toMatchObject({ code: '42501' });
      expect(await store.readStream(stream)).toHaveLength(1);
    } finally {
      await store.close();
    }
  });
});

describe('PostgresEventStore', () => {
  let store: PostgresEventStore;

  beforeEach(() => {
    store = new PostgresEventStore(database.pool);
  });

  afterEach(async () => {
    await store.close();
  });

  describe('hash chain', () => {
    it('stores the hash of chainHash() for values jsonb normalises', async () => {
      const stream = testStreamId();
      // jsonb reorders keys, drops whitespace and rewrites number formats (1e21 reads back as
      // 1000000000000000000000): the hash is over canonicalJson of the values, which none of that changes.
      const data = {
        zeta: 1,
        alpha: { 'ưu tiên': [3, 2, 1], 'Ưu tiên': 'hoa', '': 'empty key' },
        numbers: [1e21, 1.5e-7, 5e-324, 1.7976931348623157e308, -0, 0.30000000000000004, 2 ** 53 - 1, -(2 ** 53 - 1), 100, 1.0],
        strings: ['Hà Nội', 'Hà Nội'.normalize('NFD'), 'Sơn La', '🏅 bằng khen', '\u2028\u2029', '</script>', 'a\u007fb'],
      };
      await store.append(stream, [{ ...testEvent('Edgy', data), metadata: { z: 1, a: [{ y: 2, x: 1 }] } }], 'no_stream');

      const [recorded] = await store.readStream(stream);

      expect(canonicalJson(recorded!.data)).toBe(canonicalJson(data));
      expect(recorded!.hash).toBe(
        chainHash(GENESIS_HASH, { type: 'Edgy', data, metadata: { z: 1, a: [{ y: 2, x: 1 }] }, revision: 0 }),
      );
      expect(verifyChain([recorded!]).ok).toBe(true);
    });

    it.each([
      ['data', 2, `data = '{"tampered": true}'`],
      ['metadata', 1, `metadata = metadata || '{"actor": "someone else"}'`],
      ['type', 3, `type = 'NominationRejected'`],
      ['revision order', 2, `data = data`],
    ])('detects a row whose %s was changed in SQL, at that revision', async (what, revision, assignment) => {
      const stream = testStreamId();
      await store.append(stream, [testEvent(), testEvent()], 'no_stream');
      await store.append(stream, [testEvent(), testEvent()], 1);
      expect(verifyChain(await store.readStream(stream))).toEqual({ ok: true, checked: 4 });
      if (what === 'revision order') {
        await tamperWithLog(database.pool, [{ text: `DELETE FROM events WHERE stream_id = $1 AND revision = $2`, values: [stream, revision - 1] }]);
      } else {
        await tamperWithLog(database.pool, [{ text: `UPDATE events SET ${assignment} WHERE stream_id = $1 AND revision = $2`, values: [stream, revision] }]);
      }

      const verification = verifyChain(await store.readStream(stream));

      expect(verification.ok).toBe(false);
      expect(verification.firstBrokenRevision).toBe(what === 'revision order' ? revision - 1 : revision);
    });

    it('continues the chain across appends, also when several streams race', async () => {
      const streams = Array.from({ length: 8 }, () => testStreamId());
      await Promise.all(
        streams.map(async (stream) => {
          let expected: number | 'no_stream' = 'no_stream';
          for (let i = 0; i < 5; i++) expected = (await store.append(stream, [testEvent(), testEvent()], expected)).nextRevision;
        }),
      );
      for (const stream of streams) expect(verifyChain(await store.readStream(stream))).toEqual({ ok: true, checked: 10 });
    });
  });

  describe('append', () => {
    it.each([
      ['a NUL character', { text: 'a\u0000b' }],
      ['an unpaired surrogate', { text: 'a\ud800b' }],
      ['a Map', { entries: new Map([['a', 1]]) }],
      ['a class instance', { when: new (class Stamp {})() }],
    ])('refuses data holding %s, which jsonb cannot store as given', async (_, data) => {
      const stream = testStreamId();
      await expect(store.append(stream, [testEvent('T', data)], 'no_stream')).rejects.toBeInstanceOf(InvalidAppend);
    });

    it('stores upper-case ids as PostgreSQL prints uuids, and still recognises the retry', async () => {
      const stream = testStreamId();
      const events: NewEvent[] = [{ ...testEvent(), id: randomUUID().toUpperCase() }];
      const first = await store.append(stream, events, 'no_stream');
      expect(await store.append(stream, events, 'no_stream')).toEqual({ nextRevision: first.nextRevision, position: first.position, written: false });
      expect((await store.readStream(stream))[0]!.id).toBe(events[0]!.id.toLowerCase());
    });

    it('writes positions that follow transaction ids, so revision order is log order', async () => {
      const stream = testStreamId();
      const results = [];
      let expected: number | 'no_stream' = 'no_stream';
      for (let i = 0; i < 5; i++) {
        const result = await store.append(stream, [testEvent(), testEvent(), testEvent()], expected);
        results.push(result);
        expected = result.nextRevision;
      }
      const rows = await database.pool.query<{ position: string; transaction_id: string }>(
        'SELECT position, transaction_id FROM events WHERE stream_id = $1 ORDER BY revision',
        [stream],
      );
      for (const [i, row] of rows.rows.entries()) {
        expect(BigInt(row.position)).toBe(BigInt(row.transaction_id) * 100000n + BigInt(i % 3));
      }
      expect(results.map((r) => r.position)).toEqual(rows.rows.filter((_, i) => i % 3 === 2).map((r) => BigInt(r.position)));
    });

    it('refuses to append from a transaction older than the stream’s last writer', async () => {
      const stream = testStreamId();
      const older = await database.pool.connect();
      try {
        await older.query('BEGIN');
        await older.query('SELECT pg_current_xact_id()');
        await store.append(stream, [testEvent()], 'no_stream');

        const prepared = prepareAppend(stream, [testEvent()], 0);
        await expect(older.query(appendQuery(stream, prepared, 0))).rejects.toMatchObject({ code: '23502', column: 'position' });
      } finally {
        await older.query('ROLLBACK').catch(() => undefined);
        older.release();
      }
      expect(await store.readStream(stream)).toHaveLength(1);
    });

    it('takes one append per transaction: a second one in the same transaction writes nothing', async () => {
      const client = await database.pool.connect();
      const streams = [testStreamId(), testStreamId()];
      try {
        await client.query('BEGIN');
        await client.query(appendQuery(streams[0]!, prepareAppend(streams[0]!, [testEvent()], 'no_stream'), 'no_stream'));
        await expect(
          client.query(appendQuery(streams[1]!, prepareAppend(streams[1]!, [testEvent()], 'no_stream'), 'no_stream')),
        ).rejects.toMatchObject({ code: '23505', constraint: 'events_pkey' });
      } finally {
        await client.query('ROLLBACK');
        client.release();
      }
      for (const stream of streams) await expect(store.readStream(stream)).rejects.toThrow('not found');
    });
  });

  describe('when PostgreSQL cannot be reached', () => {
    it('raises EventStoreUnavailable', async () => {
      const pool = new Pool({ connectionString: 'postgres://postgres@127.0.0.1:1/none', connectionTimeoutMillis: 2000 });
      const unreachable = new PostgresEventStore(pool);
      try {
        await expect(unreachable.ping()).rejects.toBeInstanceOf(EventStoreUnavailable);
        await expect(unreachable.append(testStreamId(), [testEvent()], 'any')).rejects.toBeInstanceOf(EventStoreUnavailable);
        await expect(unreachable.readStream(testStreamId())).rejects.toBeInstanceOf(EventStoreUnavailable);
        await expect(unreachable.readAll()).rejects.toBeInstanceOf(EventStoreUnavailable);
      } finally {
        await unreachable.close();
        await pool.end();
      }
    });
  });
});
