/** Shapes of the reference data after validation. Plain data: serialisable as-is for GET /rule-sets etc. */

export interface LocalizedText {
  readonly vi: string;
  readonly en: string;
}

export const NOMINEE_KINDS = ['individual', 'collective', 'household'] as const;
export type NomineeKind = (typeof NOMINEE_KINDS)[number];

export const DOCUMENT_KINDS = ['submission', 'achievement_report', 'council_minutes', 'supporting'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

/** `title` = danh hiệu thi đua, `form` = hình thức khen thưởng. */
export type AwardKind = 'title' | 'form';

/** `at_least` = ≥ the share; `more_than` = strictly more (a majority: more than 1/2). */
export type ShareComparison = 'at_least' | 'more_than';

/** An exact fraction, so that 2/3 of 9 members is 6 and never 5.999… */
export interface Share {
  readonly numerator: number;
  readonly denominator: number;
  /** Absent in events written before thresholds said which: read as `at_least`. */
  readonly comparison?: ShareComparison;
}

/**
 * Multiples of the base salary. Household amounts are derived (1.5 × individual), never stored.
 * `null` = the province configures the amount; an absent kind = the award is not given to that kind.
 */
export interface BonusMultiples {
  readonly individual?: number | null;
  readonly collective?: number | null;
  /** Only for awards given to households alone (Gia đình văn hóa); otherwise 1.5 × individual. */
  readonly household?: number | null;
}

export interface AwardType {
  readonly code: string;
  readonly names: LocalizedText;
  readonly kind: AwardKind;
  readonly nomineeKinds: readonly NomineeKind[];
  /**
   * The levels whose chairman may decide the award, lowest first; the deciding stage is the lowest
   * unit on the route at one of them. Empty = not offered under this rule set.
   */
  readonly decidingLevels: readonly string[];
  readonly stageDeadlineWorkingDays: number;
  /** Whether approval at the deciding stage needs a passed council vote recorded at that stage. */
  readonly councilVoteRequired: boolean;
  /** Share of all members that must be present. */
  readonly quorumShare: Share;
  /** Share of ALL members (not of those present) that must vote in favour. */
  readonly approvalShare: Share;
  readonly publicDisclosureWorkingDays: number;
  readonly maxSupplementRequestsPerStage: number;
  readonly bonusMultiple: BonusMultiples;
  /** Document kinds the dossier must contain before it can be submitted. */
  readonly requiredDocuments: readonly DocumentKind[];
}

export interface RuleSet {
  readonly id: string;
  readonly names: LocalizedText;
  readonly legalBasis: readonly string[];
  /** Inclusive; null = open-ended. Dates are Vietnam calendar dates. */
  readonly effectiveFrom: string | null;
  readonly effectiveUntil: string | null;
  readonly codeSet: string;
  readonly awards: readonly AwardType[];
}

export interface LevelDefinition {
  readonly code: string;
  readonly names: LocalizedText;
}

export interface CodeSetDefinition {
  readonly id: string;
  readonly names: LocalizedText;
  readonly validFrom: string | null;
  readonly validUntil: string | null;
}

/** A unit as stored in data files and in the admin-maintained table alike. */
export interface UnitRecord {
  readonly codeSet: string;
  readonly code: string;
  readonly name: string;
  readonly level: string;
  readonly parentCode: string | null;
  /** The predecessor units (of an earlier code set) a merged unit was formed from: the old-to-new code mapping. */
  readonly mergedFrom?: readonly UnitRef[];
  /**
   * For a unit abolished rather than merged (a district in 2025) or carried into a new code set (the
   * province): the unit of the later code set that took over its powers. Merged units find theirs
   * through the successor's `mergedFrom`.
   */
  readonly successor?: { readonly codeSet: string; readonly code: string };
}

/** A unit named by code set and code, with its name for people reading the data. */
export interface UnitRef {
  readonly codeSet: string;
  readonly code: string;
  readonly name: string;
}

export type DayOffKind = 'holiday' | 'compensatory' | 'swapped';

export interface DayOff {
  readonly date: string;
  readonly name: string;
  readonly kind: DayOffKind;
}

export interface HolidayYear {
  readonly year: number;
  readonly status: 'announced' | 'expected';
  readonly daysOff: readonly DayOff[];
  /** Weekend days worked in exchange for a swapped weekday. */
  readonly workingWeekendDays: readonly { readonly date: string; readonly name: string }[];
}

export interface HolidayCalendarData {
  /** Month-day (`MM-DD`) holidays used for years the data does not list. */
  readonly fixedDateHolidays: readonly { readonly monthDay: string; readonly name: string }[];
  readonly years: readonly HolidayYear[];
}

/** One amount of the base salary (mức lương cơ sở), in force from `from` until the next entry. */
export interface BaseSalaryEntry {
  readonly from: string;
  /** VND per month. */
  readonly amount: number;
  readonly legalBasis: string;
}

export interface ReferenceData {
  /** Lowest level first. */
  readonly levels: readonly LevelDefinition[];
  readonly codeSets: readonly CodeSetDefinition[];
  readonly units: readonly UnitRecord[];
  readonly ruleSets: readonly RuleSet[];
  readonly holidays: HolidayCalendarData;
  /** Sorted by `from`, oldest first. */
  readonly baseSalaries: readonly BaseSalaryEntry[];
}
