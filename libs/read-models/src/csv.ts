/**
 * RFC 4180 CSV: CRLF line ends, fields quoted when they hold a comma, quote, CR or LF (quotes
 * doubled), UTF-8 with a byte order mark so spreadsheet programs read Vietnamese correctly.
 *
 * A text field starting with = + - @ (or a tab or CR) would be run as a formula by spreadsheet
 * programs; such fields are prefixed with an apostrophe (OWASP's advice for CSV injection).
 */
export const UTF8_BOM = '\uFEFF';

const NEEDS_QUOTES = /[",\r\n]/u;
const FORMULA_START = /^[=+\-@\t\r]/u;

export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  let text = String(value).normalize('NFC');
  if (FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const lines = [header, ...rows].map((row) => row.map(csvField).join(','));
  return `${UTF8_BOM}${lines.join('\r\n')}\r\n`;
}
