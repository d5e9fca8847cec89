import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { escapeIdentifier, type PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { ColumnTypes } from '../sql';

/*
 * COPY … FROM STDIN in text format, for the rebuild's inserts into its shadow tables: rows go to
 * PostgreSQL as tab-separated lines, parsed by each column's input function, with no JSON array to
 * build and take apart (upsertRows) and no conflict check. Each value is formatted as the text
 * jsonb_to_recordset would turn the same value into, so a row copied equals the row upserted
 * (the crash test compares rebuilt tables with live ones row for row).
 */

/** COPY text format: backslash, tab, newline and carriage return escaped. */
function copyEscape(text: string): string {
  return /[\\\t\n\r]/u.test(text) ? text.replace(/[\\\t\n\r]/gu, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r')) : text;
}

/** An element of a text[] literal: always quoted, `"` and `\` escaped by a backslash. */
function arrayElement(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  return `"${String(value).replace(/["\\]/gu, (c) => `\\${c}`)}"`;
}

/** One value as COPY text for a column of the given SQL type (as in ColumnTypes). */
export function copyValue(value: unknown, type: string): string {
  if (value === null || value === undefined) return '\\N';
  switch (type) {
    case 'jsonb':
    case 'json':
      // JSON.stringify escapes every control character: only backslashes need doubling.
      return JSON.stringify(value).replace(/\\/gu, '\\\\');
    case 'boolean':
      return value === true ? 't' : 'f';
    case 'text[]':
      return copyEscape(`{${(value as readonly unknown[]).map(arrayElement).join(',')}}`);
    default:
      return copyEscape(value instanceof Date ? value.toISOString() : String(value));
  }
}

/** The COPY line of one row (values of `columns`, in their order). */
export function copyLine(columns: ColumnTypes, names: readonly string[], row: Readonly<Record<string, unknown>>): string {
  let line = '';
  for (let i = 0; i < names.length; i++) {
    if (i > 0) line += '\t';
    line += copyValue(row[names[i]!], columns[names[i]!]!);
  }
  return `${line}\n`;
}

/** Characters per chunk handed to the COPY stream. */
const CHUNK = 1 << 20;

/** The lines joined into chunks of about CHUNK characters. */
function* chunksOf(lines: readonly string[]): Generator<string> {
  let chunk = '';
  for (const line of lines) {
    chunk += line;
    if (chunk.length >= CHUNK) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk !== '') yield chunk;
}

/** Rows per COPY statement: each is its own short transaction (a long one would hold back every event reader). */
const ROWS_PER_COPY = 5_000;

/** Inserts the lines (copyLine of `columns`) into `table` with COPY, in statements of at most ROWS_PER_COPY rows. */
export async function copyRows(client: PoolClient, table: string, columns: ColumnTypes, lines: readonly string[]): Promise<void> {
  const text = `COPY ${escapeIdentifier(table)} (${Object.keys(columns).map(escapeIdentifier).join(', ')}) FROM STDIN`;
  for (let from = 0; from < lines.length; from += ROWS_PER_COPY) {
    const part = lines.length <= ROWS_PER_COPY ? lines : lines.slice(from, from + ROWS_PER_COPY);
    // pg-copy-streams: the COPY as a writable stream (back-pressure, and the server's refusal as its error).
    await pipeline(Readable.from(chunksOf(part)), client.query(copyFrom(text)));
  }
}
