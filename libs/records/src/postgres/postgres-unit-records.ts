import type { Pool } from 'pg';
import type { UnitRecord } from '@app/nomination';
import type { UnitRecords } from '../unit-records.port';

export class PostgresUnitRecords implements UnitRecords {
  constructor(private readonly pool: Pool) {}

  async list(): Promise<UnitRecord[]> {
    const { rows } = await this.pool.query<{ code_set: string; code: string; name: string; level: string; parent_code: string | null }>(
      'SELECT code_set, code, name, level, parent_code FROM units',
    );
    return rows.map((r) => ({ codeSet: r.code_set, code: r.code, name: r.name, level: r.level, parentCode: r.parent_code }));
  }

  async version(): Promise<string> {
    const { rows } = await this.pool.query<{ version: string }>({ name: 'units_version', text: 'SELECT version::text FROM units_version' });
    return rows[0]?.version ?? '0';
  }

  async upsert(records: readonly UnitRecord[]): Promise<void> {
    if (records.length === 0) return;
    // One statement: atomic without a transaction, one round trip for thousands of units. The version
    // moves in the same statement, so no process sees the new units under the old version.
    await this.pool.query(
      `WITH upserted AS (
         INSERT INTO units (code_set, code, name, level, parent_code, updated_at)
         SELECT *, now() FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
         ON CONFLICT (code_set, code) DO UPDATE SET name = excluded.name, level = excluded.level,
           parent_code = excluded.parent_code, updated_at = now()
         RETURNING 1)
       UPDATE units_version SET version = version + 1 WHERE singleton AND EXISTS (SELECT FROM upserted)`,
      [records.map((r) => r.codeSet), records.map((r) => r.code), records.map((r) => r.name), records.map((r) => r.level), records.map((r) => r.parentCode)],
    );
  }
}
