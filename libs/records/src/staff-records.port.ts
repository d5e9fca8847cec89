/** One member of staff as stored; the staff directory validates and normalises before storing. */
export interface StaffRecord {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly unit: string;
  readonly codeSet: string | null;
  readonly roles: readonly string[];
  readonly locale: 'vi' | 'en';
  readonly active: boolean;
  /** One mail per event, or one daily digest at 07:30 Vietnam time on working days. */
  readonly notifications: 'immediate' | 'daily_digest';
}

export interface StoredStaffRecord extends StaffRecord {
  /** When the record was last written, by the store's clock. */
  readonly updatedAt: Date;
}

/** The staff directory's storage: who receives which notification. */
export interface StaffRecords {
  /** Inserts or replaces the member with this id; returns what is now stored. */
  upsert(record: StaffRecord): Promise<StoredStaffRecord>;
  /** Members of one unit, or everyone, ordered by unit, name and id. */
  list(unit?: string): Promise<StoredStaffRecord[]>;
  /** The member with this id (a token's `sub`), or undefined; read on every request by the auth check. */
  get(id: string): Promise<StoredStaffRecord | undefined>;
  /**
   * The active members of one unit holding a role, in one code set, ordered by id: who a notification to
   * "the officers of unit X" reaches. A record without a code set counts as being in `defaultCodeSet`.
   */
  activeWithRole(filter: StaffRoleFilter): Promise<StoredStaffRecord[]>;
  /** Of these ids, those of members whose record is active now (an unknown id is not). */
  activeAmong(ids: readonly string[]): Promise<ReadonlySet<string>>;
}

export interface StaffRoleFilter {
  readonly unit: string;
  readonly role: string;
  readonly codeSet: string;
  /** The code set of records stored without one (that of the rule set in force). */
  readonly defaultCodeSet: string;
}

export const STAFF_RECORDS = Symbol('STAFF_RECORDS');
