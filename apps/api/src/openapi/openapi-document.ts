import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { BODY_ROUTE_STATUSES, EVERY_ROUTE_STATUSES, PATH_PARAMETER_STATUSES, problemResponse } from '../http/problem-responses';
import { CSV_RESPONSE_EXTENSION, csvMediaType, type CsvResponseDoc } from './csv-response';

type Operation = NonNullable<OpenAPIObject['paths'][string]['get']>;
const METHODS = ['get', 'put', 'post', 'patch', 'delete'] as const;
/** Methods whose requests the api reads a body of (and may refuse for it). */
const BODY_METHODS = new Set(['put', 'post', 'patch']);

/** Examples for path parameters by name; a path parameter with neither a declared example nor one here fails the build. */
const PATH_PARAMETER_EXAMPLES: Readonly<Record<string, unknown>> = {
  id: '3f0c9a52-8d1e-4b7a-9c3e-2a5d7f1b6e40',
  code: '03814',
};

/** Any JSON value: what an event's payload (GET /nominations/{id}/history) is made of. */
const JSON_VALUE_SCHEMA = {
  description: 'Any JSON value.',
  anyOf: [
    { type: 'string' }, { type: 'number' }, { type: 'boolean' }, { type: 'null' },
    { type: 'array', items: { $ref: '#/components/schemas/JsonValue' } },
    { type: 'object', additionalProperties: { $ref: '#/components/schemas/JsonValue' } },
  ],
};

/**
 * The public contract as OpenAPI: served at /docs-json and the source of the console's typed client.
 *
 * OpenAPI 3.1. 3.1 because its schemas are JSON Schema: a nullable
 * reference (`currentStage`) is `anyOf [ref, null]`, which every validator reads the same way, where
 * 3.0's `nullable` beside an `allOf` is read differently by each.
 *
 * The decorators describe each route's own answers; the answers every route shares (400, 500, 503;
 * for routes that read a body 413, 415; for routes with a path parameter 414) are added here so none
 * can be forgotten. Every problem answer is generated from the error table (problemResponse). A route
 * that also answers CSV (ApiCsvResponse) documents its `text/csv` answer as text, not as its JSON schema.
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setOpenAPIVersion('3.1.0')
      .setTitle('Nomination Approvals')
      .setDescription(
        'Đề nghị khen thưởng: hồ sơ thi đua, khen thưởng đi qua các cấp xã, huyện, tỉnh. ' +
          'Event-sourced approvals of emulation and commendation award nominations. ' +
          'Errors are application/problem+json with a stable `code`.',
      )
      .setVersion('1')
      .setLicense('Proprietary', 'https://nomination-approvals.local/license')
      .addServer('/', 'This server')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer')
      .addSecurityRequirements('bearer')
      .build(),
  );
  document.components = { ...document.components, schemas: { ...document.components?.schemas, JsonValue: JSON_VALUE_SCHEMA } };
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (operation !== undefined) completeOperation(path, method, operation);
    }
  }
  return document;
}

function completeOperation(path: string, method: string, operation: Operation): void {
  const statuses = new Set<number>([
    ...EVERY_ROUTE_STATUSES,
    ...(BODY_METHODS.has(method) ? BODY_ROUTE_STATUSES : []),
    ...(path.includes('{') ? PATH_PARAMETER_STATUSES : []),
  ]);
  for (const status of statuses) operation.responses[status] ??= problemResponse(status);
  documentCsv(path, method, operation);
  for (const parameter of operation.parameters ?? []) {
    if (!('in' in parameter) || parameter.in !== 'path' || parameter.example !== undefined || parameter.examples !== undefined) continue;
    const example = PATH_PARAMETER_EXAMPLES[parameter.name];
    if (example === undefined) throw new Error(`${method.toUpperCase()} ${path}: path parameter ${parameter.name} needs an example`);
    parameter.example = example;
  }
}

/** The `text/csv` answers: a string of the documented header line (ApiCsvResponse), never the JSON schema. */
function documentCsv(path: string, method: string, operation: Operation): void {
  const extended = operation as Operation & { [CSV_RESPONSE_EXTENSION]?: CsvResponseDoc };
  const doc = extended[CSV_RESPONSE_EXTENSION];
  delete extended[CSV_RESPONSE_EXTENSION];
  for (const [status, response] of Object.entries(operation.responses)) {
    const content = response !== undefined && 'content' in response ? response.content : undefined;
    if (content?.['text/csv'] === undefined) continue;
    if (doc === undefined || !status.startsWith('2')) throw new Error(`${method.toUpperCase()} ${path}: a text/csv answer needs @ApiCsvResponse`);
    content['text/csv'] = csvMediaType(doc);
  }
}
