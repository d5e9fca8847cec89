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

  async upsert(records: readonly UnitRecord[]): Promise<void> {
    if (records.length === 0) return;
    // One statement: atomic without a transaction, one round trip for thousands of units.
    await this.pool.query(
      `INSERT INTO units (code_set, code, name, level, parent_code, updated_at)
       SELECT *, now() FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
       ON CONFLICT (code_set, code) DO UPDATE SET name = excluded.name, level = excluded.level,
         parent_code = excluded.parent_code, updated_at = now()`,
      [records.map((r) => r.codeSet), records.map((r) => r.code), records.map((r) => r.name), records.map((r) => r.level), records.map((r) => r.parentCode)],
    );
  }
}
