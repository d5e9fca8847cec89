import type { UnitRecord } from '@app/nomination';

/**
 * The administrative units admins have upserted (PUT /units). The units shipped with the domain are
 * not stored here: the reference data service merges the two.
 */
export interface UnitRecords {
  /** Every stored unit, in no particular order. */
  list(): Promise<UnitRecord[]>;
  /**
   * Inserts or replaces each record by (codeSet, code), all or none. The caller deduplicates: a batch
   * holds at most one record per code.
   */
  upsert(records: readonly UnitRecord[]): Promise<void>;
}

export const UNIT_RECORDS = Symbol('UNIT_RECORDS');
