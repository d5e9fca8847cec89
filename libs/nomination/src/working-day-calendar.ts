import { isValidIsoDate } from './reference-data/data-reader';
import type { HolidayCalendarData } from './reference-data/reference-data.types';

/** A calendar date `YYYY-MM-DD` in Vietnam. */
export type IsoDate = string;

/** Vietnam has kept UTC+7 without daylight saving since 1975, so a fixed offset is exact. */
const VIETNAM_OFFSET_MS = 7 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The calendar date in Vietnam at an instant: 2023-03-19T20:00Z is 2023-03-20. */
export function vietnamDate(instant: Date): IsoDate {
  if (Number.isNaN(instant.getTime())) throw new RangeError('Invalid instant');
  return new Date(instant.getTime() + VIETNAM_OFFSET_MS).toISOString().slice(0, 10);
}

function toDayNumber(date: IsoDate | Date): number {
  const iso = typeof date === 'string' ? date : vietnamDate(date);
  if (!isValidIsoDate(iso)) throw new RangeError(`Not a calendar date: ${iso}`);
  return Date.parse(`${iso}T00:00:00Z`) / DAY_MS;
}

const fromDayNumber = (day: number): IsoDate => new Date(day * DAY_MS).toISOString().slice(0, 10);

/**
 * Working days of Vietnamese state bodies: Monday to Friday, minus the days off listed per year in the
 * holiday data, plus the Saturdays worked in exchange for a swapped weekday.
 *
 * For a year the data does not list, only weekends and the fixed-date holidays (1/1, 30/4, 1/5, 2/9)
 * are days off: lunar holidays (Tết, Hùng Kings) and compensatory days cannot be known in advance, so
 * deadlines there may come out a few days early until the year's data is added.
 */
export class WorkingDayCalendar {
  private readonly daysOff: ReadonlySet<number>;
  private readonly workingWeekendDays: ReadonlySet<number>;
  private readonly listedYears: ReadonlySet<number>;
  private readonly fixedMonthDays: ReadonlySet<string>;

  constructor(data: HolidayCalendarData) {
    this.daysOff = new Set(data.years.flatMap((year) => year.daysOff.map((day) => toDayNumber(day.date))));
    this.workingWeekendDays = new Set(data.years.flatMap((year) => year.workingWeekendDays.map((day) => toDayNumber(day.date))));
    this.listedYears = new Set(data.years.map((year) => year.year));
    this.fixedMonthDays = new Set(data.fixedDateHolidays.map((holiday) => holiday.monthDay));
  }

  /** Whether the data lists this year's holidays (otherwise the fixed-date fallback applies). */
  coversYear(year: number): boolean {
    return this.listedYears.has(year);
  }

  isWorkingDay(date: IsoDate | Date): boolean {
    return this.isWorkingDayNumber(toDayNumber(date));
  }

  /**
   * The date `n` working days after `start`; the start day itself is never counted, so a stage entered
   * on Friday with n = 1 is due on Monday. n = 0 returns the start date unchanged.
   */
  addWorkingDays(start: IsoDate | Date, n: number): IsoDate {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`Working days must be a non-negative integer, got ${n}`);
    let day = toDayNumber(start);
    let remaining = n;
    while (remaining > 0) {
      day += 1;
      if (this.isWorkingDayNumber(day)) remaining -= 1;
    }
    return fromDayNumber(day);
  }

  /**
   * The stage deadline for a dossier received on `received`: a dossier received on a day off counts as
   * received on the next working day (one-stop-shop practice), and `n` working days run from there.
   */
  dueDate(received: IsoDate | Date, n: number): IsoDate {
    let start = toDayNumber(received);
    while (!this.isWorkingDayNumber(start)) start += 1;
    return this.addWorkingDays(fromDayNumber(start), n);
  }

  /**
   * Working days in (a, b]: the count that `addWorkingDays(a, n)` would need to reach b when b is a
   * working day. Negative when b is before a; 0 when equal.
   */
  workingDaysBetween(a: IsoDate | Date, b: IsoDate | Date): number {
    const from = toDayNumber(a);
    const to = toDayNumber(b);
    if (to < from) return -this.workingDaysBetween(b, a);
    let count = 0;
    for (let day = from + 1; day <= to; day += 1) if (this.isWorkingDayNumber(day)) count += 1;
    return count;
  }

  private isWorkingDayNumber(day: number): boolean {
    if (this.workingWeekendDays.has(day)) return true;
    const date = new Date(day * DAY_MS);
    const weekday = date.getUTCDay();
    if (weekday === 0 || weekday === 6) return false;
    if (this.listedYears.has(date.getUTCFullYear())) return !this.daysOff.has(day);
    return !this.fixedMonthDays.has(fromDayNumber(day).slice(5));
  }
}
