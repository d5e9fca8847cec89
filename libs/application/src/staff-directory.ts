import { Inject, Injectable } from '@nestjs/common';
import type { Role } from '@app/auth';
import { STAFF_RECORDS, type StaffRecords, type StoredStaffRecord } from '@app/records';

export interface StaffInput {
  readonly name: string;
  readonly email: string;
  readonly unit: string;
  readonly codeSet?: string;
  readonly roles: readonly Role[];
  readonly locale: 'vi' | 'en';
  readonly active: boolean;
  /** Default `immediate`. */
  readonly notifications?: 'immediate' | 'daily_digest';
}

export interface StaffMember extends StaffInput {
  readonly id: string;
  readonly notifications: 'immediate' | 'daily_digest';
  readonly updatedAt: string;
}

function toMember(record: StoredStaffRecord): StaffMember {
  return {
    id: record.id, name: record.name, email: record.email, unit: record.unit,
    ...(record.codeSet !== null ? { codeSet: record.codeSet } : {}),
    // Only the staff directory writes these records, and only with roles it validated.
    roles: record.roles as Role[], locale: record.locale, active: record.active, notifications: record.notifications, updatedAt: record.updatedAt.toISOString(),
  };
}

/** Who is told what: notifications go to the active staff of the unit and role concerned. */
@Injectable()
export class StaffDirectory {
  constructor(@Inject(STAFF_RECORDS) private readonly records: StaffRecords) {}

  async upsert(id: string, input: StaffInput): Promise<StaffMember> {
    return toMember(await this.records.upsert({
      id, name: input.name.normalize('NFC').trim(), email: input.email.trim(), unit: input.unit, codeSet: input.codeSet ?? null,
      roles: [...new Set(input.roles)], locale: input.locale, active: input.active, notifications: input.notifications ?? 'immediate',
    }));
  }

  async list(unit?: string): Promise<StaffMember[]> {
    return (await this.records.list(unit)).map(toMember);
  }

  async get(id: string): Promise<StaffMember | undefined> {
    const record = await this.records.get(id);
    return record === undefined ? undefined : toMember(record);
  }
}
