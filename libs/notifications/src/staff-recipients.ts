import type { StaffRecords, StoredStaffRecord } from '@app/records';
import type { Audience, Recipient } from './notification.types';

/**
 * Resolves audiences against the staff directory, through its port (StaffRecords): the active staff of
 * a unit and role (in the nomination's code set; a staff record without a code set belongs to the code
 * set in force), or one staff member. Lookups are cached for the life of one instance, i.e. one batch of
 * events, so a batch asks once per unit and role however many events it holds.
 *
 * Each staff recipient carries the unit of their record: the outbox row's unit, whose admins see it.
 */
export class StaffRecipients {
  private readonly cache = new Map<string, Promise<Recipient[]>>();

  constructor(private readonly staff: StaffRecords, private readonly defaultCodeSet: string) {}

  async resolve(audiences: readonly Audience[]): Promise<Recipient[]> {
    const all = (await Promise.all(audiences.map((a) => this.one(a)))).flat();
    const seen = new Set<string>();
    // One mail per address even when a person is reached through two audiences.
    return all.filter((r) => {
      const key = r.email.toLowerCase();
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }

  private toRecipient(record: StoredStaffRecord): Recipient {
    return {
      id: record.id, email: record.email, name: record.name, locale: record.locale, preference: record.notifications,
      unit: { codeSet: record.codeSet ?? this.defaultCodeSet, code: record.unit },
    };
  }

  private async one(audience: Audience): Promise<Recipient[]> {
    switch (audience.kind) {
      case 'address':
        return [{ email: audience.email, name: audience.name, locale: 'vi', preference: 'immediate' }];
      case 'role':
        return this.cached(`role:${audience.codeSet}:${audience.unit}:${audience.role}`, async () => {
          const found = await this.staff.activeWithRole({ unit: audience.unit, role: audience.role, codeSet: audience.codeSet, defaultCodeSet: this.defaultCodeSet });
          return found.map((record) => this.toRecipient(record));
        });
      case 'staff': {
        const found = await this.cached(`staff:${audience.id}`, async () => {
          const record = await this.staff.get(audience.id);
          return record !== undefined && record.active ? [this.toRecipient(record)] : [];
        });
        return found.length > 0 ? found : this.one(audience.fallback);
      }
      default: {
        const unreachable: never = audience;
        return unreachable;
      }
    }
  }

  private cached(key: string, load: () => Promise<Recipient[]>): Promise<Recipient[]> {
    let hit = this.cache.get(key);
    if (hit === undefined) {
      hit = load();
      this.cache.set(key, hit);
    }
    return hit;
  }
}
