import { describe, expect, it } from '@jest/globals';
import { formatDate, formatDateTime, formatMoney, nfc, parseDate, todayInVietnam, vietnamDay } from './format';

describe('console display formats', () => {
  it('writes dates as dd/mm/yyyy', () => {
    expect(formatDate('2023-03-24')).toBe('24/03/2023');
    expect(formatDate(null)).toBe('—');
  });

  it('reads dates typed as dd/mm/yyyy, refusing ones that do not exist', () => {
    expect(parseDate('24/03/2023')).toBe('2023-03-24');
    expect(parseDate('1/7/2025')).toBe('2025-07-01');
    expect(parseDate('29/02/2024')).toBe('2024-02-29');
    expect(parseDate('29/02/2023')).toBeUndefined();
    expect(parseDate('03/24/2023')).toBeUndefined();
    expect(parseDate('2023-03-24')).toBeUndefined();
  });

  it('shows instants in Vietnam time, whatever the zone of the browser', () => {
    // 17:30 UTC on 31 Dec is already 1 January in Hà Nội.
    expect(formatDate('2022-12-31T17:30:00.000Z')).toBe('01/01/2023');
    expect(formatDateTime('2023-03-24T07:05:00.000Z')).toBe('24/03/2023 14:05');
    expect(todayInVietnam(new Date('2025-06-30T18:00:00.000Z'))).toBe('2025-07-01');
  });

  it('writes money in dong with dots between thousands', () => {
    expect(formatMoney(1_490_000)).toBe('1.490.000 ₫');
    expect(formatMoney(2_340_000 * 8)).toBe('18.720.000 ₫');
    expect(formatMoney(0)).toBe('0 ₫');
    expect(formatMoney(999)).toBe('999 ₫');
  });

  it('sends names as NFC without stripping diacritics', () => {
    const decomposed = 'Nguye\u0302\u0303n'; // "Nguyễn" typed with combining marks
    expect(nfc(decomposed)).toBe('Nguyễn');
    expect(nfc(decomposed)).not.toBe(decomposed);
  });

  it('turns a day into the instants it spans in Vietnam, across month, year and leap-day ends', () => {
    expect(vietnamDay('2024-12-20')).toEqual({ from: '2024-12-20T00:00:00+07:00', to: '2024-12-21T00:00:00+07:00' });
    expect(vietnamDay('2024-12-31').to).toBe('2025-01-01T00:00:00+07:00');
    expect(vietnamDay('2024-02-28').to).toBe('2024-02-29T00:00:00+07:00');
    expect(vietnamDay('2023-02-28').to).toBe('2023-03-01T00:00:00+07:00');
    // The first instant of 20/12 in Vietnam is 17:00 UTC the day before.
    expect(new Date(vietnamDay('2024-12-20').from).toISOString()).toBe('2024-12-19T17:00:00.000Z');
  });
});
