import type { UnitRecord } from '@app/nomination';
import type { UnitRecords } from '../unit-records.port';

export class InMemoryUnitRecords implements UnitRecords {
  private readonly units = new Map<string, UnitRecord>();

  async list(): Promise<UnitRecord[]> {
    return [...this.units.values()].map((u) => ({ ...u }));
  }

  async upsert(records: readonly UnitRecord[]): Promise<void> {
    for (const r of records) {
      this.units.set(`${r.codeSet}\u0000${r.code}`, { codeSet: r.codeSet, code: r.code, name: r.name, level: r.level, parentCode: r.parentCode });
    }
  }
}
