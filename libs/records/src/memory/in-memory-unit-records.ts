import type { UnitRecord } from '@app/nomination';
import type { UnitRecords } from '../unit-records.port';

export class InMemoryUnitRecords implements UnitRecords {
  private readonly units = new Map<string, UnitRecord>();
  private changes = 0;

  async list(): Promise<UnitRecord[]> {
    return [...this.units.values()].map((u) => ({ ...u }));
  }

  async upsert(records: readonly UnitRecord[]): Promise<void> {
    for (const r of records) {
      this.units.set(`${r.codeSet}\u0000${r.code}`, { codeSet: r.codeSet, code: r.code, name: r.name, level: r.level, parentCode: r.parentCode });
    }
    if (records.length > 0) this.changes += 1;
  }

  async version(): Promise<string> {
    return String(this.changes);
  }
}
