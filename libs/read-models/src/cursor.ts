import { ValidationFailedError } from '@app/nomination';

/**
 * Opaque keyset cursors: the sort key of the last item returned, as base64url JSON with a kind tag,
 * so a cursor from one list is refused by another instead of silently paging wrongly.
 */
export function encodeCursor(kind: string, key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify([kind, ...key]), 'utf8').toString('base64url');
}

export function decodeCursor(kind: string, cursor: string | undefined, arity: number): (string | number)[] | undefined {
  if (cursor === undefined) return undefined;
  const invalid = new ValidationFailedError('The cursor is not one this list gave out.', [{ field: 'cursor', message: 'invalid cursor' }]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid;
  }
  if (!Array.isArray(parsed) || parsed[0] !== kind || parsed.length !== arity + 1) throw invalid;
  const key = parsed.slice(1);
  if (!key.every((k) => typeof k === 'string' || typeof k === 'number')) throw invalid;
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
