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
    expect(calendar.dueDate('2023-03-20', 10)).toBe('2023-04-03');
    expect(calendar.dueDate('2023-03-27', 10)).toBe('2023-04-10');
  });

  it('given a dossier received on a day off, then counting starts from the next working day', () => {
    expect(calendar.dueDate('2023-03-25', 10)).toBe('2023-04-10'); // Saturday: as if received Monday 27
    expect(calendar.dueDate('2023-03-26', 10)).toBe('2023-04-10'); // Sunday
    expect(calendar.dueDate('2023-01-21', 1)).toBe('2023-01-30'); // Tết 2023: as if received Friday 27, due Monday 30
    expect(calendar.dueDate('2024-05-04', 1)).toBe('2024-05-06'); // a Saturday worked for 29 April is a working day
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

  /**
   * Every weekday off and every weekend day worked, year by year, as the Ministry (MOLISA) and the
   * Government Office announced them: stated here independently of holidays.json, so a wrong or
   * missing date in the data fails this spec.
   */
  const ANNOUNCED: Record<number, { readonly off: readonly string[]; readonly worked: readonly string[] }> = {
    2022: {
      off: ['2022-01-03', // Tết Dương lịch: 1/1 Saturday, compensated Monday 3
        '2022-01-31', '2022-02-01', '2022-02-02', '2022-02-03', '2022-02-04', // Tết Nhâm Dần
        '2022-04-11', // Hùng Kings 10/4 Sunday, compensated
        '2022-05-02', '2022-05-03', // 30/4 Saturday and 1/5 Sunday, compensated
        '2022-09-01', '2022-09-02'], // National Day and the day before
      worked: [],
    },
    2023: {
      off: ['2023-01-02', // 1/1 Sunday, compensated
        '2023-01-20', '2023-01-23', '2023-01-24', '2023-01-25', '2023-01-26', // Tết Quý Mão 20–26 January
        '2023-05-01', '2023-05-02', '2023-05-03', // Hùng Kings 29/4 Saturday and 30/4 Sunday, compensated
        '2023-09-01', '2023-09-04'], // 2/9 Saturday, compensated Monday 4
      worked: [],
    },
    2024: {
      off: ['2024-01-01',
        '2024-02-08', '2024-02-09', '2024-02-12', '2024-02-13', '2024-02-14', // Tết Giáp Thìn
        '2024-04-18', // Hùng Kings
        '2024-04-29', '2024-04-30', '2024-05-01', // Monday 29/4 swapped for Saturday 4/5
        '2024-09-02', '2024-09-03'],
      worked: ['2024-05-04'],
    },
    2025: {
      off: ['2025-01-01',
        '2025-01-27', '2025-01-28', '2025-01-29', '2025-01-30', '2025-01-31', // Tết Ất Tỵ
        '2025-04-07', // Hùng Kings
        '2025-04-30', '2025-05-01', '2025-05-02', // Friday 2/5 swapped for Saturday 26/4
        '2025-09-01', '2025-09-02'],
      worked: ['2025-04-26'],
    },
    2026: {
      off: ['2026-01-01', '2026-01-02', // Friday 2/1 swapped for Saturday 10/1 (VPCP 12729/VPCP-KGVX)
        '2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20', // Tết Bính Ngọ 14–22 February
        '2026-04-27', // Hùng Kings 26/4 Sunday, compensated
        '2026-04-30', '2026-05-01',
        '2026-09-01', '2026-09-02'], // assumption: the adjacent day is 1 September
      worked: ['2026-01-10'],
    },
  };

  it.each(Object.entries(ANNOUNCED))('given %s, then exactly the announced weekdays are off and the announced weekend days are worked', (year, { off, worked }) => {
    const weekdaysOff: string[] = [];
    const weekendsWorked: string[] = [];
    for (let t = Date.UTC(Number(year), 0, 1); t < Date.UTC(Number(year) + 1, 0, 1); t += 86_400_000) {
      const day = new Date(t).toISOString().slice(0, 10);
      const weekend = [0, 6].includes(new Date(t).getUTCDay());
      if (!weekend && !calendar.isWorkingDay(day)) weekdaysOff.push(day);
      if (weekend && calendar.isWorkingDay(day)) weekendsWorked.push(day);
    }
    expect(weekdaysOff).toEqual(off);
    expect(weekendsWorked).toEqual(worked);
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
