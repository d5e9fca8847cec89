/** GET /reports/awards: awarded nominations under a unit, counted and summed. */
export interface AwardsReportRow {
  readonly awardCode: string;
  readonly awardName: string;
  readonly nomineeKind: string;
  /** Only for individuals. */
  readonly gender?: string;
  /** Present when grouped by unit (`by=unit`): the proposing unit. */
  readonly unit?: string;
  readonly level?: string;
  readonly year?: number;
  readonly count: number;
  /** VND. */
  readonly bonusTotal: number;
}

export interface AwardsReport {
  readonly unit: string;
  readonly codeSet: string;
  readonly year: number | null;
  readonly ruleSet: string | null;
  readonly rows: readonly AwardsReportRow[];
  readonly totals: { readonly count: number; readonly bonusTotal: number };
}

/** GET /reports/stages: per stage unit, what is in review, overdue, and how long stages take. */
export interface StagesReportRow {
  readonly unit: string;
  readonly unitName: string;
  readonly level: string;
  readonly inReview: number;
  /** In review past the due date (Vietnam calendar date today). */
  readonly overdue: number;
  /** Stays finished (approved, returned, rejected, withdrawn). */
  readonly completed: number;
  /** Finished after their due date. */
  readonly completedLate: number;
  /** Median working days of the finished stays; null when none finished. */
  readonly medianWorkingDays: number | null;
}

export interface StagesReport {
  readonly unit: string;
  readonly codeSet: string;
  readonly today: string;
  readonly rows: readonly StagesReportRow[];
}
