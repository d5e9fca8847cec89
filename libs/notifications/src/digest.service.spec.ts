import { loadReferenceData, WorkingDayCalendar } from '@app/nomination';
import { latestDigestDay } from './digest.service';

const calendar = new WorkingDayCalendar(loadReferenceData().holidays);

describe('the day a digest belongs to', () => {
  it('is today from 07:30 Vietnam time on a working day, the previous working day before it', () => {
    expect(latestDigestDay(calendar, new Date('2026-02-12T00:31:00Z'), '07:30')).toBe('2026-02-12');
    expect(latestDigestDay(calendar, new Date('2026-02-12T00:29:00Z'), '07:30')).toBe('2026-02-11');
  });

  it('skips weekends and the whole Tết holiday (16–20 February 2026)', () => {
    expect(latestDigestDay(calendar, new Date('2026-02-14T05:00:00Z'), '07:30')).toBe('2026-02-13');
    expect(latestDigestDay(calendar, new Date('2026-02-19T05:00:00Z'), '07:30')).toBe('2026-02-13');
    expect(latestDigestDay(calendar, new Date('2026-02-23T00:30:00Z'), '07:30')).toBe('2026-02-23');
  });

  it('counts the Saturday worked in exchange (10 January 2026)', () => {
    expect(latestDigestDay(calendar, new Date('2026-01-10T03:00:00Z'), '07:30')).toBe('2026-01-10');
  });
});
