import { applyDecorators } from '@nestjs/common';
import { ApiExtension, ApiProduces } from '@nestjs/swagger';

/** Where ApiCsvResponse leaves its description for buildOpenApiDocument (removed from the served document). */
export const CSV_RESPONSE_EXTENSION = 'x-csv-response';

export interface CsvResponseDoc {
  /** What the CSV holds. */
  readonly description: string;
  /** The header line without the BOM and the CRLF, as a regular expression (columns that may be absent in groups). */
  readonly header: string;
  /** A whole answer, BOM included. */
  readonly example: string;
}

/**
 * The route also answers `text/csv` (when the request's Accept names it): RFC 4180 text, UTF-8 with a
 * BOM, CRLF line ends, a header line. Documented as a string whose first line is `header`, never as the
 * JSON answer's schema. Use it instead of `@ApiProduces`.
 */
export function ApiCsvResponse(doc: CsvResponseDoc): MethodDecorator {
  return applyDecorators(ApiProduces('application/json', 'text/csv'), ApiExtension(CSV_RESPONSE_EXTENSION, doc));
}

/** The `text/csv` media type object of a 2xx answer. */
export function csvMediaType(doc: CsvResponseDoc): Record<string, unknown> {
  return {
    schema: {
      type: 'string',
      contentMediaType: 'text/csv',
      description: `${doc.description} RFC 4180: UTF-8 with a byte order mark, CRLF line ends, the header line first; `
        + 'a field holding a comma, a quote or a line break is quoted, quotes doubled; a text field starting with = + - @ or a tab gets a leading apostrophe (it would run as a spreadsheet formula).',
      pattern: `^\\uFEFF${doc.header}\\r\\n`,
    },
    example: doc.example,
  };
}
