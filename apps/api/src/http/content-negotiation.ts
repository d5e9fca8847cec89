import Negotiator from 'negotiator';

// The CSV as served (UTF-8, with a header row), so a range naming those parameters matches it too.
const OFFERED = ['application/json', 'text/csv', 'text/csv;charset=utf-8', 'text/csv;header=present', 'text/csv;charset=utf-8;header=present'];

/**
 * The representation a read that offers CSV answers with: CSV when the Accept header prefers text/csv
 * to application/json (by q-value, then by how specific the matching range is, then by the header's
 * order: RFC 9110 §12.5.1), JSON otherwise, also when it accepts neither or is missing. Mentioning
 * text/csv is not enough: `application/json, text/csv;q=0.1` asks for JSON.
 */
export function preferredFormat(accept: string | undefined): 'json' | 'csv' {
  if (accept === undefined || accept.trim() === '') return 'json';
  return new Negotiator({ headers: { accept } }).mediaType(OFFERED)?.startsWith('text/csv') === true ? 'csv' : 'json';
}
