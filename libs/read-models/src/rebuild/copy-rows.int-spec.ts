import { createTestDatabase, type TestDatabase } from '@app/database/testing';
import { upsertRows } from '../sql';
import { copyLine, copyRows } from './copy-rows';

/**
 * The rebuild inserts with COPY what the live projection upserts through jsonb_to_recordset: the two
 * must store the same values, or a rebuilt table would differ from the live one.
 */
describe('copyRows stores exactly what upsertRows stores', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase({ max: 2 });
  });
  afterAll(async () => {
    await database.drop();
  });

  const columns = {
    id: 'uuid', name: 'text', n: 'integer', big: 'bigint', amount: 'numeric', units: 'text[]', on_day: 'date', at: 'timestamptz', late: 'boolean', doc: 'jsonb',
  };
  const awkward = 'Tổ "dân phố" số 1,\ttab\\backslash\nnewline\r{braces} NULL \\N';
  const rows: Record<string, unknown>[] = [
    {
      id: '8f2d3c1e-5b6a-4c7d-9e8f-0a1b2c3d4e5f', name: awkward, n: -7, big: 9_007_199_254_740_991, amount: '1234567890123456789',
      units: ['14', awkward, 'NULL', '', '"', '\\'], on_day: '2023-03-27', at: '2023-03-27T01:02:03.456Z', late: true,
      doc: { name: awkward, nested: { list: [1, 'hai', null, true], empty: {} }, 'key\twith\ttabs': '\u0001\u001f', emoji: '🇻🇳' },
    },
    { id: '00000000-0000-4000-8000-000000000000', name: '', n: 0, big: 0, amount: '0', units: [], on_day: null, at: null, late: false, doc: [] },
    { id: '11111111-1111-4111-8111-111111111111', name: null, n: null, big: null, amount: null, units: null, on_day: null, at: null, late: null, doc: null },
  ];

  it('for text with tabs, newlines, backslashes and quotes, arrays, numbers, dates, booleans, jsonb and NULLs', async () => {
    const ddl = 'id uuid PRIMARY KEY, name text, n integer, big bigint, amount numeric(20), units text[], on_day date, at timestamptz, late boolean, doc jsonb';
    await database.pool.query(`CREATE TABLE upserted (${ddl}); CREATE TABLE copied (${ddl})`);
    await upsertRows({ query: (text, values) => database.pool.query(text, values as unknown[]) }, 'upserted', columns, ['id'], rows);
    const client = await database.pool.connect();
    try {
      const names = Object.keys(columns);
      await copyRows(client, 'copied', columns, rows.map((row) => copyLine(columns, names, row)));
    } finally {
      client.release();
    }
    const { rows: diff } = await database.pool.query(
      '(TABLE upserted EXCEPT ALL TABLE copied) UNION ALL (TABLE copied EXCEPT ALL TABLE upserted)',
    );
    expect(diff).toEqual([]);
    const { rows: stored } = await database.pool.query<{ name: string; units: string[]; doc: unknown }>('SELECT name, units, doc FROM copied ORDER BY id DESC');
    expect(stored[0]).toEqual({ name: awkward, units: rows[0]!['units'], doc: rows[0]!['doc'] });
    expect(await database.pool.query('SELECT count(*)::int AS n FROM copied')).toMatchObject({ rows: [{ n: 3 }] });
  });

  it('in several statements when there are more rows than one COPY takes, and reports a refused row', async () => {
    await database.pool.query('CREATE TABLE many (id uuid PRIMARY KEY, n integer)');
    const many = { id: 'uuid', n: 'integer' };
    const lines = Array.from({ length: 12_345 }, (_, i) => copyLine(many, ['id', 'n'], { id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, n: i }));
    const client = await database.pool.connect();
    try {
      await copyRows(client, 'many', many, lines);
      expect(await client.query('SELECT count(*)::int AS n, sum(n)::int AS total FROM many')).toMatchObject({ rows: [{ n: 12_345, total: (12_344 * 12_345) / 2 }] });
      await expect(copyRows(client, 'many', many, [lines[0]!])).rejects.toThrow(/duplicate key/u);
      // The connection is usable after the refusal.
      expect(await client.query('SELECT 1 AS one')).toMatchObject({ rows: [{ one: 1 }] });
    } finally {
      client.release();
    }
  });
});
