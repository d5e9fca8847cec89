import { loadReferenceData, WorkingDayCalendar } from '@app/nomination';
import { remindersForStage, vietnamInstant, workingDaysBefore } from './reminder-schedule';

const calendar = new WorkingDayCalendar(loadReferenceData().holidays);

describe('deadline reminders in working days (DOMAIN.md)', () => {
  it('sends due_soon two working days before the due date and overdue the working day after it', () => {
    // Entered Monday 20 March 2023, due 10 working days later: Monday 3 April.
    const reminders = remindersForStage(calendar, new Date('2023-03-20T02:00:00Z'), '2023-04-03', '08:00');
    expect(reminders).toEqual([
      { kind: 'due_soon', fireOn: '2023-03-30', fireAt: new Date('2023-03-30T01:00:00Z') },
      { kind: 'overdue', fireOn: '2023-04-04', fireAt: new Date('2023-04-04T01:00:00Z') },
    ]);
  });

  it('skips the Tết holiday of 2026 (16–20 February) and its weekends, both ways', () => {
    // Entered Thursday 5 February 2026 with 10 working days: 6, 9–13, 23–26 February → due Thursday 26 February.
    const due = calendar.addWorkingDays('2026-02-05', 10);
    expect(due).toBe('2026-02-26');
    const [dueSoon, overdue] = remindersForStage(calendar, new Date('2026-02-05T03:00:00Z'), due, '08:00');
    expect(dueSoon!.fireOn).toBe('2026-02-24');
    expect(overdue!.fireOn).toBe('2026-02-27');
    // Due on the Monday after Tết: due_soon counts back over the whole holiday to Thursday 12 February.
    expect(workingDaysBefore(calendar, '2026-02-23', 2)).toBe('2026-02-12');
    // Due on the last working day before Tết: overdue is the first working day after it.
    expect(calendar.addWorkingDays('2026-02-13', 1)).toBe('2026-02-23');
    for (const date of [dueSoon!.fireOn, overdue!.fireOn, workingDaysBefore(calendar, '2026-02-23', 2)]) expect(calendar.isWorkingDay(date)).toBe(true);
  });

  it('counts a Saturday worked in exchange for a swapped day (10 January 2026) as a working day', () => {
    expect(workingDaysBefore(calendar, '2026-01-13', 2)).toBe('2026-01-10');
  });

  it('schedules no due_soon when the stage is too short for one after the arrival day', () => {
    const reminders = remindersForStage(calendar, new Date('2023-03-20T02:00:00Z'), '2023-03-22', '08:00');
    expect(reminders.map((r) => r.kind)).toEqual(['overdue']);
    expect(reminders[0]!.fireOn).toBe('2023-03-23');
  });

  it('fires at the configured Vietnam wall-clock time', () => {
    expect(vietnamInstant('2026-02-24', '07:30').toISOString()).toBe('2026-02-24T00:30:00.000Z');
  });
});
