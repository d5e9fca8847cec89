import type { Pool } from 'pg';
import type { StaffRecord, StaffRecords, StaffRoleFilter, StoredStaffRecord } from '../staff-records.port';

interface StaffRow {
  id: string;
  name: string;
  email: string;
  unit: string;
  code_set: string | null;
  roles: string[];
  locale: 'vi' | 'en';
  active: boolean;
  notifications: 'immediate' | 'daily_digest';
  updated_at: Date;
}

function toRecord(row: StaffRow): StoredStaffRecord {
  return {
    id: row.id, name: row.name, email: row.email, unit: row.unit, codeSet: row.code_set, roles: row.roles,
    locale: row.locale, active: row.active, notifications: row.notifications, updatedAt: row.updated_at,
  };
}

export class PostgresStaffRecords implements StaffRecords {
  constructor(private readonly pool: Pool) {}

  async upsert(record: StaffRecord): Promise<StoredStaffRecord> {
    const { rows } = await this.pool.query<StaffRow>(
      `INSERT INTO staff (id, name, email, unit, code_set, roles, locale, active, notifications, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now())
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, email = excluded.email, unit = excluded.unit,
         code_set = excluded.code_set, roles = excluded.roles, locale = excluded.locale, active = excluded.active,
         notifications = excluded.notifications, updated_at = now()
       RETURNING *`,
      [record.id, record.name, record.email, record.unit, record.codeSet, [...record.roles], record.locale, record.active, record.notifications],
    );
    return toRecord(rows[0]!);
  }

  async list(unit?: string): Promise<StoredStaffRecord[]> {
    const { rows } = await this.pool.query<StaffRow>(
      'SELECT * FROM staff WHERE ($1::text IS NULL OR unit = $1) ORDER BY unit, name, id',
      [unit ?? null],
    );
    return rows.map(toRecord);
  }

  async get(id: string): Promise<StoredStaffRecord | undefined> {
    const { rows } = await this.pool.query<StaffRow>('SELECT * FROM staff WHERE id = $1', [id]);
    return rows[0] === undefined ? undefined : toRecord(rows[0]);
  }

  async activeWithRole(filter: StaffRoleFilter): Promise<StoredStaffRecord[]> {
    const { rows } = await this.pool.query<StaffRow>(
      'SELECT * FROM staff WHERE active AND unit = $1 AND $2 = ANY(roles) AND coalesce(code_set, $4) = $3 ORDER BY id',
      [filter.unit, filter.role, filter.codeSet, filter.defaultCodeSet],
    );
    return rows.map(toRecord);
  }

  async activeAmong(ids: readonly string[]): Promise<ReadonlySet<string>> {
    if (ids.length === 0) return new Set();
    const { rows } = await this.pool.query<{ id: string }>('SELECT id FROM staff WHERE active AND id = ANY($1::text[])', [[...ids]]);
    return new Set(rows.map((row) => row.id));
  }
}
