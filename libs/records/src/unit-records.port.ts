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
  /**
   * A value that changes with every upsert, committed with it: a process that loaded the units when
   * this was V holds them all as of V or newer, so it reloads exactly when the value is no longer V.
   */
  version(): Promise<string>;
}

export const UNIT_RECORDS = Symbol('UNIT_RECORDS');
