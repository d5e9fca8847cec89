import { vietnamDate, type IsoDate, type WorkingDayCalendar } from '@app/nomination';

export type ReminderKind = 'due_soon' | 'overdue';

export interface ScheduledReminder {
  readonly kind: ReminderKind;
  /** The Vietnam working day it fires on. */
  readonly fireOn: IsoDate;
  /** `fireOn` at the configured Vietnam wall-clock time. */
  readonly fireAt: Date;
}

/** Working days before `date`, counting back; the date itself is not counted. */
export function workingDaysBefore(calendar: WorkingDayCalendar, date: IsoDate, n: number): IsoDate {
  let day = Date.parse(`${date}T00:00:00Z`);
  let remaining = n;
  while (remaining > 0) {
    day -= 86_400_000;
    if (calendar.isWorkingDay(new Date(day).toISOString().slice(0, 10))) remaining -= 1;
  }
  return new Date(day).toISOString().slice(0, 10);
}

/** A Vietnam date at a Vietnam wall-clock time `HH:MM`, as an instant (Vietnam keeps UTC+7, no DST). */
export function vietnamInstant(date: IsoDate, time: string): Date {
  return new Date(`${date}T${time}:00+07:00`);
}

/** Working days before the due date at which `due_soon` is sent (API.md: "stage due in 2 working days"). */
export const DUE_SOON_WORKING_DAYS = 2;

/**
 * The reminders of one stage visit (DOMAIN.md: deadlines count working days): `due_soon` on the
 * working day two working days before the due date, `overdue` on the working day after it. A
 * `due_soon` that would fall on or before the day of arrival (a stage shorter than three working days)
 * is not scheduled: the arrival mail already names the due date.
 */
export function remindersForStage(calendar: WorkingDayCalendar, enteredAt: Date, dueOn: IsoDate, time: string): ScheduledReminder[] {
  const reminders: ScheduledReminder[] = [];
  const dueSoonOn = workingDaysBefore(calendar, dueOn, DUE_SOON_WORKING_DAYS);
  if (dueSoonOn > vietnamDate(enteredAt)) reminders.push({ kind: 'due_soon', fireOn: dueSoonOn, fireAt: vietnamInstant(dueSoonOn, time) });
  const overdueOn = calendar.addWorkingDays(dueOn, 1);
  reminders.push({ kind: 'overdue', fireOn: overdueOn, fireAt: vietnamInstant(overdueOn, time) });
  return reminders;
}
