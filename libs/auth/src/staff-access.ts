import type { StaffRecords } from '@app/records';
import type { Actor } from './actor';
import { Forbidden, Unauthenticated } from './auth.errors';

/** What the staff directory says about one user id; undefined when the directory has no record. */
export interface StaffRecord {
  readonly active: boolean;
  readonly unit: string;
  readonly codeSet: string | null;
}

export type StaffLookup = (userId: string) => Promise<StaffRecord | undefined>;

export function staffLookupOf(records: StaffRecords): StaffLookup {
  return async (userId) => {
    const record = await records.get(userId);
    return record === undefined ? undefined : { active: record.active, unit: record.unit, codeSet: record.codeSet };
  };
}

/**
 * The identity provider vouches for who someone is; the staff directory, kept by this service's
 * admins, says whether they still work here and for which unit. A token outlives a dismissal by hours,
 * so every request is checked against the directory, read through a cache of a few seconds
 * (AUTH_STAFF_CACHE_SECONDS): deactivating someone takes effect within that time on every instance.
 * Users without a directory record are judged by their token alone.
 */
export class StaffAccess {
  private readonly cache = new Map<string, { record: StaffRecord | undefined; until: number }>();

  constructor(
    private readonly lookup: StaffLookup,
    private readonly cacheMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async check(actor: Actor): Promise<void> {
    const record = await this.recordOf(actor.id);
    if (record === undefined) return;
    if (!record.active) throw new Unauthenticated('staff_inactive');
    const codeSetDiffers = record.codeSet !== null && actor.codeSet !== undefined && record.codeSet !== actor.codeSet;
    if (record.unit !== actor.unit || codeSetDiffers) throw new Forbidden([], 'staff_unit_mismatch');
  }

  private async recordOf(userId: string): Promise<StaffRecord | undefined> {
    const now = this.now();
    const cached = this.cache.get(userId);
    if (cached !== undefined && cached.until > now) return cached.record;
    const record = await this.lookup(userId);
    if (this.cacheMs > 0) {
      // Bounded: a flood of distinct ids must not grow the map without limit.
      if (this.cache.size >= 10_000) this.cache.clear();
      this.cache.set(userId, { record, until: now + this.cacheMs });
    }
    return record;
  }
}
