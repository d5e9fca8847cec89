/** One stay of a nomination at one stage: from arrival (submission or forwarding) to leaving it. */
export interface StageVisit {
  readonly stageIndex: number;
  readonly unit: string;
  readonly unitName: string;
  readonly level: string;
  readonly enteredAt: string;
  readonly dueOn: string;
  readonly deadlineWorkingDays: number;
  readonly leftAt: string | null;
  readonly outcome: 'in_review' | 'approved' | 'returned' | 'rejected' | 'withdrawn';
  /** Working days from arrival to leaving (Vietnam calendar, holidays excluded); null while in review. */
  readonly workingDaysSpent: number | null;
  /** Left after its due date; null while in review. */
  readonly late: boolean | null;
}

export interface StageTimingsRow {
  readonly codeSet: string;
  /**
   * The proposing unit and every unit above it as NominationCreated recorded them (lowest first): who
   * reads the nomination's stays, and which stays lie "at or under" a unit (the stages report reads no
   * other read model).
   */
  readonly ancestry: readonly string[];
  readonly visits: readonly StageVisit[];
}

export const STAGE_TIMINGS_TABLES = { nominations: 'rm_stage_nominations', visits: 'rm_stage_visits' } as const;
export type StageTimingsTables = keyof typeof STAGE_TIMINGS_TABLES;
