import { calendar } from './testing/nomination.fixtures';
import { vietnamDate } from './working-day-calendar';

describe('vietnamDate', () => {
  it('reads instants in Vietnam time (UTC+7, no DST)', () => {
    expect(vietnamDate(new Date('2023-03-19T20:00:00Z'))).toBe('2023-03-20');
    expect(vietnamDate(new Date('2023-03-19T16:59:59Z'))).toBe('2023-03-19');
    expect(vietnamDate(new Date('2023-03-19T17:00:00Z'))).toBe('2023-03-20');
  });
});

describe('WorkingDayCalendar', () => {
  it('skips the Tết 2023 week (20–26 January)', () => {
    expect(calendar.isWorkingDay('2023-01-19')).toBe(true);
    for (const day of ['2023-01-20', '2023-01-23', '2023-01-24', '2023-01-25', '2023-01-26']) expect(calendar.isWorkingDay(day)).toBe(false);
    expect(calendar.addWorkingDays('2023-01-19', 1)).toBe('2023-01-27');
    expect(calendar.workingDaysBetween('2023-01-19', '2023-01-27')).toBe(1);
  });

  it('skips 29/4–3/5 2023 (Hùng Kings on Saturday, 30/4 on Sunday, both compensated)', () => {
    expect(calendar.addWorkingDays('2023-04-28', 1)).toBe('2023-05-04');
    expect(calendar.isWorkingDay('2023-05-02')).toBe(false);
  });

  it('skips National Day 2023 (1–2 September, Monday 4 compensating the Saturday)', () => {
    expect(calendar.addWorkingDays('2023-08-31', 1)).toBe('2023-09-05');
  });

  it('counts the Saturday worked in exchange for a swapped weekday (4 May 2024 for 29 April)', () => {
    expect(calendar.isWorkingDay('2024-04-29')).toBe(false);
    expect(calendar.isWorkingDay('2024-05-04')).toBe(true);
    expect(calendar.addWorkingDays('2024-04-26', 1)).toBe('2024-05-02');
    expect(calendar.addWorkingDays('2024-05-03', 1)).toBe('2024-05-04');
  });

  it('gives a 10-working-day stage deadline', () => {
    expect(calendar.addWorkingDays('2023-03-20', 10)).toBe('2023-04-03');
    expect(calendar.addWorkingDays('2023-03-25', 10)).toBe('2023-04-07'); // entered on a Saturday
  });

  it('takes instants and reads them in Vietnam time', () => {
    expect(calendar.isWorkingDay(new Date('2023-03-19T20:00:00Z'))).toBe(true); // Monday 20 in Vietnam, Sunday 19 in UTC
    expect(calendar.addWorkingDays(new Date('2023-03-19T20:00:00Z'), 1)).toBe('2023-03-21');
  });

  it('returns the start for n = 0 and rejects bad input', () => {
    expect(calendar.addWorkingDays('2023-01-22', 0)).toBe('2023-01-22');
    expect(() => calendar.addWorkingDays('2023-01-22', -1)).toThrow(RangeError);
    expect(() => calendar.addWorkingDays('2023-01-22', 1.5)).toThrow(RangeError);
    expect(() => calendar.isWorkingDay('2023-02-30')).toThrow(RangeError);
  });

  it('counts working days in (a, b], negative backwards', () => {
    expect(calendar.workingDaysBetween('2023-03-20', '2023-03-20')).toBe(0);
    expect(calendar.workingDaysBetween('2023-03-20', '2023-04-03')).toBe(10);
    expect(calendar.workingDaysBetween('2023-04-03', '2023-03-20')).toBe(-10);
    for (const [start, n] of [['2022-12-30', 7], ['2024-02-07', 3], ['2025-04-25', 5], ['2026-02-13', 12]] as const) {
      expect(calendar.workingDaysBetween(start, calendar.addWorkingDays(start, n))).toBe(n);
    }
  });

  it('beyond the listed years counts only weekends and fixed-date holidays', () => {
    expect(calendar.coversYear(2027)).toBe(true);
    expect(calendar.coversYear(2028)).toBe(false);
    expect(calendar.isWorkingDay('2030-01-01')).toBe(false);
    expect(calendar.isWorkingDay('2030-09-02')).toBe(false);
    expect(calendar.isWorkingDay('2030-02-04')).toBe(true); // Tết 2030 is not known here
    expect(calendar.isWorkingDay('2021-04-30')).toBe(false);
  });

  it('has five to seven weekdays off for each Tết in the data', () => {
    const tet: Record<number, string[]> = {
      2022: ['2022-01-31', '2022-02-04'], 2023: ['2023-01-20', '2023-01-26'], 2024: ['2024-02-08', '2024-02-14'],
      2025: ['2025-01-27', '2025-01-31'], 2026: ['2026-02-16', '2026-02-20'], 2027: ['2027-02-04', '2027-02-10'],
    };
    for (const [from, to] of Object.values(tet)) {
      const start = calendar.addWorkingDays(from!, 0);
      let off = 0;
      for (let d = start; d <= to!; d = new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10)) {
        const weekday = new Date(`${d}T00:00:00Z`).getUTCDay();
        if (weekday !== 0 && weekday !== 6 && !calendar.isWorkingDay(d)) off += 1;
      }
      expect(off).toBeGreaterThanOrEqual(5);
      expect(off).toBeLessThanOrEqual(7);
    }
  });
});
