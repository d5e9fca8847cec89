import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import type { Role } from '@app/auth';
import { PG_POOL } from '@app/platform';

export interface StaffInput {
  readonly name: string;
  readonly email: string;
  readonly unit: string;
  readonly codeSet?: string;
  readonly roles: readonly Role[];
  readonly locale: 'vi' | 'en';
  readonly active: boolean;
}

export interface StaffMember extends StaffInput {
  readonly id: string;
  readonly updatedAt: string;
}

interface StaffRow {
  id: string;
  name: string;
  email: string;
  unit: string;
  code_set: string | null;
  roles: Role[];
  locale: 'vi' | 'en';
  active: boolean;
  updated_at: Date;
}

function toMember(row: StaffRow): StaffMember {
  return {
    id: row.id, name: row.name, email: row.email, unit: row.unit,
    ...(row.code_set !== null ? { codeSet: row.code_set } : {}),
    roles: row.roles, locale: row.locale, active: row.active, updatedAt: row.updated_at.toISOString(),
  };
}

/** Who is told what: notifications go to the active staff of the unit and role concerned. */
@Injectable()
export class StaffDirectory {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async upsert(id: string, input: StaffInput): Promise<StaffMember> {
    const { rows } = await this.pool.query<StaffRow>(
      `INSERT INTO staff (id, name, email, unit, code_set, roles, locale, active, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now())
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, email = excluded.email, unit = excluded.unit,
         code_set = excluded.code_set, roles = excluded.roles, locale = excluded.locale, active = excluded.active,
         updated_at = now()
       RETURNING *`,
      [id, input.name.normalize('NFC').trim(), input.email.trim(), input.unit, input.codeSet ?? null, [...new Set(input.roles)], input.locale, input.active],
    );
    return toMember(rows[0]!);
  }

  async list(unit?: string): Promise<StaffMember[]> {
    const { rows } = await this.pool.query<StaffRow>(
      'SELECT * FROM staff WHERE ($1::text IS NULL OR unit = $1) ORDER BY unit, name, id',
      [unit ?? null],
    );
    return rows.map(toMember);
  }
}
