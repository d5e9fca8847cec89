import type { Queryable } from './outbox.store';
import type { Audience, Locale, NotificationPreference, Recipient } from './notification.types';

interface StaffRow {
  id: string;
  name: string;
  email: string;
  locale: Locale;
  notifications: NotificationPreference;
}

const toRecipient = (row: StaffRow): Recipient => ({ id: row.id, email: row.email, name: row.name, locale: row.locale, preference: row.notifications });

/**
 * Resolves audiences against the staff directory: the active staff of a unit and role (in the
 * nomination's code set; a staff record without a code set belongs to the code set in force), or one
 * staff member. Lookups are cached for the life of one instance, i.e. one batch of events.
 */
export class StaffRecipients {
  private readonly cache = new Map<string, Promise<Recipient[]>>();

  constructor(private readonly q: Queryable, private readonly defaultCodeSet: string) {}

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

  private async one(audience: Audience): Promise<Recipient[]> {
    switch (audience.kind) {
      case 'address':
        return [{ email: audience.email, name: audience.name, locale: 'vi', preference: 'immediate' }];
      case 'role':
        return this.cached(`role:${audience.codeSet}:${audience.unit}:${audience.role}`, async () => {
          const { rows } = await this.q.query<StaffRow>(
            `SELECT id, name, email, locale, notifications FROM staff
             WHERE active AND unit = $1 AND $2 = ANY(roles) AND coalesce(code_set, $4) = $3 ORDER BY id`,
            [audience.unit, audience.role, audience.codeSet, this.defaultCodeSet],
          );
          return rows.map(toRecipient);
        });
      case 'staff': {
        const found = await this.cached(`staff:${audience.id}`, async () => {
          const { rows } = await this.q.query<StaffRow>(
            'SELECT id, name, email, locale, notifications FROM staff WHERE active AND id = $1',
            [audience.id],
          );
          return rows.map(toRecipient);
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
