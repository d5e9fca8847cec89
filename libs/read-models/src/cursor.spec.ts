import { ValidationFailedError } from '@app/nomination';
import { decodeCursor, encodeCursor } from './cursor';

const forged = (value: unknown): string => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
const ID = '790ab6ef-6d7c-89a8-9fed-24c2decf0be2';

describe('keyset cursors', () => {
  it('gives back the sort key it was given', () => {
    const cursor = encodeCursor('nominations', ['2023-03-24T02:00:00.123Z', ID]);
    expect(decodeCursor('nominations', cursor, ['instant', 'uuid'])).toEqual(['2023-03-24T02:00:00.123Z', ID]);
    expect(decodeCursor('decisions', encodeCursor('decisions', ['2023-12-31', ID]), ['date', 'uuid'])).toEqual(['2023-12-31', ID]);
    expect(decodeCursor('history', encodeCursor('history', [0]), ['revision'])).toEqual([0]);
    expect(decodeCursor('inbox', encodeCursor('inbox', ['9999-12-31||x']), ['text'])).toEqual(['9999-12-31||x']);
    expect(decodeCursor('inbox', undefined, ['text'])).toBeUndefined();
  });

  // Each of these reached PostgreSQL as a cast ('x'::timestamptz, 'y'::uuid, '2023-13-01'::date) or
  // as a revision of NaN, and came back as a 500 instead of a 400.
  it.each([
    ['nominations', ['nominations', 'x', 'y'], ['instant', 'uuid']],
    ['nominations', ['nominations', '2023-01-01T00:00:00Z', 'not-a-uuid'], ['instant', 'uuid']],
    ['nominations', ['nominations', '2023-02-30T00:00:00.000Z', ID], ['instant', 'uuid']],
    ['nominations', ['nominations', 1e300, ID], ['instant', 'uuid']],
    ['decisions', ['decisions', '2023-13-01', ID], ['date', 'uuid']],
    ['decisions', ['decisions', '2023-02-29', ID], ['date', 'uuid']],
    ['history', ['history', 'abc'], ['revision']],
    ['history', ['history', -5], ['revision']],
    ['history', ['history', 1.5], ['revision']],
    ['history', ['history', 1e20], ['revision']],
    ['inbox', ['inbox', 5], ['text']],
    ['nominations', ['inbox', 'x'], ['instant', 'uuid']],
    ['nominations', ['nominations', '2023-03-24T02:00:00.123Z'], ['instant', 'uuid']],
  ] as const)('refuses a forged %s cursor %j as invalid input', (kind, key, fields) => {
    expect(() => decodeCursor(kind, forged(key), fields)).toThrow(ValidationFailedError);
  });

  it('refuses what is not base64url JSON', () => {
    expect(() => decodeCursor('nominations', '!!!', ['instant', 'uuid'])).toThrow(ValidationFailedError);
    expect(() => decodeCursor('nominations', 'bm9wZQ', ['instant', 'uuid'])).toThrow(ValidationFailedError);
  });
});
