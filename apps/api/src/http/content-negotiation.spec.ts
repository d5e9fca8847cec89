import { preferredFormat } from './content-negotiation';

describe('preferredFormat', () => {
  it.each([
    [undefined, 'json'],
    ['', 'json'],
    ['*/*', 'json'],
    ['application/json', 'json'],
    ['text/csv', 'csv'],
    ['TEXT/CSV; charset=utf-8', 'csv'],
    ['text/csv; header=present', 'csv'],
    ['text/csv;charset=UTF-8;header=present', 'csv'],
    ['text/csv; charset=iso-8859-1, application/json;q=0.5', 'json'],
    ['text/csv, */*;q=0.8', 'csv'],
    ['text/*', 'csv'],
    ['application/json, text/csv;q=0.1', 'json'],
    ['text/csv;q=0.5, application/json;q=0.9', 'json'],
    ['text/csv;q=0, */*', 'json'],
    ['application/json;q=0.2, text/csv;q=0.8', 'csv'],
    ['text/html, image/png', 'json'],
    ['not a media type;;;', 'json'],
  ] as const)('Accept %p gives %s', (accept, format) => {
    expect(preferredFormat(accept)).toBe(format);
  });
});
