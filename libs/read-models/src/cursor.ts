import { ValidationFailedError } from '@app/nomination';
import { isUuid } from './uuid';

/**
 * What one position of a cursor's sort key holds. A cursor comes back from the client, so each value
 * is checked for its kind before it reaches SQL: a forged or damaged cursor is a 400, never a cast
 * error from PostgreSQL (a 500) nor a page that starts somewhere nonsensical.
 */
export type CursorField = 'instant' | 'date' | 'uuid' | 'revision' | 'text';

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/u;
const DATE = /^\d{4}-\d{2}-\d{2}$/u;

const FIELD_CHECKS: Readonly<Record<CursorField, (value: unknown) => boolean>> = {
  // As Date.toISOString writes it, and a real instant (2023-02-30 is not).
  instant: (v) => typeof v === 'string' && INSTANT.test(v) && !Number.isNaN(Date.parse(v)) && new Date(v).toISOString() === v,
  date: (v) => typeof v === 'string' && DATE.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`))
    && new Date(`${v}T00:00:00Z`).toISOString().slice(0, 10) === v,
  uuid: (v) => typeof v === 'string' && isUuid(v),
  revision: (v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0,
  text: (v) => typeof v === 'string',
};

/**
 * Opaque keyset cursors: the sort key of the last item returned, as base64url JSON with a kind tag,
 * so a cursor from one list is refused by another instead of silently paging wrongly.
 */
export function encodeCursor(kind: string, key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify([kind, ...key]), 'utf8').toString('base64url');
}

export function decodeCursor(kind: string, cursor: string | undefined, fields: readonly CursorField[]): (string | number)[] | undefined {
  if (cursor === undefined) return undefined;
  const invalid = new ValidationFailedError('The cursor is not one this list gave out.', [{ field: 'cursor', message: 'invalid cursor' }]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid;
  }
  if (!Array.isArray(parsed) || parsed[0] !== kind || parsed.length !== fields.length + 1) throw invalid;
  const key: unknown[] = parsed.slice(1);
  if (!key.every((value, i) => FIELD_CHECKS[fields[i]!](value))) throw invalid;
  return key as (string | number)[];
}

export interface Page {
  readonly cursor?: string;
  /** 1–200, default 50 (validated at the edge). */
  readonly limit?: number;
}

export interface PageOf<Item> {
  readonly items: readonly Item[];
  readonly nextCursor: string | null;
}

export const limitOf = (page: Page): number => Math.min(Math.max(page.limit ?? 50, 1), 200);
