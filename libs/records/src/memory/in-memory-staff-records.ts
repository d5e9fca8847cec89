import type { StaffRecord, StaffRecords, StaffRoleFilter, StoredStaffRecord } from '../staff-records.port';

/** Orders as PostgreSQL does under the C collation of the databases here (code point order for Vietnamese text). */
const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export class InMemoryStaffRecords implements StaffRecords {
  private readonly staff = new Map<string, StoredStaffRecord>();

  constructor(private readonly clock: () => Date = () => new Date()) {}

  async upsert(record: StaffRecord): Promise<StoredStaffRecord> {
    const stored: StoredStaffRecord = { ...record, roles: [...record.roles], updatedAt: this.clock() };
    this.staff.set(record.id, stored);
    return { ...stored, roles: [...stored.roles] };
  }

  async list(unit?: string): Promise<StoredStaffRecord[]> {
    return [...this.staff.values()]
      .filter((s) => unit === undefined || s.unit === unit)
      .sort((a, b) => byCodeUnit(a.unit, b.unit) || byCodeUnit(a.name, b.name) || byCodeUnit(a.id, b.id))
      .map((s) => ({ ...s, roles: [...s.roles] }));
  }

  async get(id: string): Promise<StoredStaffRecord | undefined> {
    const stored = this.staff.get(id);
    return stored === undefined ? undefined : { ...stored, roles: [...stored.roles] };
  }

  async activeWithRole(filter: StaffRoleFilter): Promise<StoredStaffRecord[]> {
    return [...this.staff.values()]
      .filter((s) => s.active && s.unit === filter.unit && s.roles.includes(filter.role) && (s.codeSet ?? filter.defaultCodeSet) === filter.codeSet)
      .sort((a, b) => byCodeUnit(a.id, b.id))
      .map((s) => ({ ...s, roles: [...s.roles] }));
  }

  async activeAmong(ids: readonly string[]): Promise<ReadonlySet<string>> {
    return new Set(ids.filter((id) => this.staff.get(id)?.active === true));
  }
}
