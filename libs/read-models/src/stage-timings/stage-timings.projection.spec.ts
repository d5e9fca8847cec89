import { calendar, cast, context, history, type Step, steps } from '@app/nomination/testing';
import { consumedNomination } from '../testing/consumed-events';
import { evolveStageTimings } from './stage-timings.projection';
import type { StageTimingsRow } from './stage-timings.row';

const fold = (events: ReturnType<typeof consumedNomination>): StageTimingsRow | null =>
  events.reduce<StageTimingsRow | null>((row, e) => evolveStageTimings(row, e, { calendar }), null);

/** 09:00 in Vietnam on a date. */
const at = (date: string): Date => new Date(`${date}T02:00:00Z`);

describe('stage timings projection', () => {
  it('counts working days per stage against the deadline, by hand', () => {
    // Submitted Monday 16 Jan 2023; the commune approves Thursday 19 Jan: 17, 18, 19 = 3 working days.
    // The district holds it over Tết (20–26 Jan 2023 are days off in the holiday data) and returns it
    // on Thursday 2 Feb: 27 Jan, 30 Jan, 31 Jan, 1 Feb, 2 Feb = 5 working days (not the 10 weekdays).
    const journey: Step[] = [
      [steps.created()[0]![0], context(cast.proposerChiengLao, { now: at('2023-01-13') })],
      [{ type: 'SubmitNomination' }, context(cast.proposerChiengLao, { now: at('2023-01-16') })],
      [{ type: 'ApproveNomination' }, context(cast.officerChiengLao, { now: at('2023-01-19') })],
      [{ type: 'ReturnNomination', reason: 'Thiếu biên bản', missing: ['council_minutes'] }, context(cast.officerMuongLa, { now: at('2023-02-02') })],
    ];
    const row = fold(consumedNomination('n', history(journey)))!;
    expect(row.visits.map((v) => [v.unit, v.outcome, v.workingDaysSpent])).toEqual([
      ['03814', 'approved', 3],
      ['120', 'returned', 5],
    ]);
    expect(row.visits[0]!.late).toBe(row.visits[0]!.dueOn < '2023-01-19');
    // The unit chain as NominationCreated recorded it: what the stages report is scoped by.
    expect(row.ancestry).toEqual(['03814', '120', '14']);
  });

  it('keeps the open stage open, and a resubmission starts a new stay', () => {
    const resubmitted = history([...steps.returnedAtDistrict(), [{ type: 'SubmitNomination' }, context(cast.proposerChiengLao)]]);
    const row = fold(consumedNomination('n', resubmitted))!;
    expect(row.visits.map((v) => [v.unit, v.outcome, v.leftAt === null])).toEqual([
      ['03814', 'approved', false], ['120', 'returned', false], ['120', 'in_review', true],
    ]);
  });
});
