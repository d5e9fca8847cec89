import { csvViolations, OpenApiValidator } from './openapi-validator';
import type { InjectOptions, TestResponse } from './test-api';

/*
 * The checks TestApi runs on every e2e exchange, on a document of one operation, so that what makes
 * an e2e test fail is itself tested: an answer the document does not describe, a refusal that is not
 * problem+json, a request the api accepted but the document forbids.
 */
const problemSchema = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail', 'code'],
  properties: { type: { type: 'string' }, title: { type: 'string' }, status: { type: 'integer' }, detail: { type: 'string' }, code: { type: 'string', enum: ['validation_failed', 'not_found'] } },
};
const problem = (status: number) => ({ description: 'problem', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDetailsDto' } } }, status });
const document = {
  openapi: '3.1.0',
  security: [{ bearer: [] }],
  components: { schemas: { ProblemDetailsDto: problemSchema } },
  paths: {
    '/things/{id}': {
      post: {
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
        requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['name'], properties: { name: { type: 'string' } }, additionalProperties: false } } } },
        responses: {
          200: { description: 'ok', content: { 'application/json': { schema: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } } }, 'text/csv': { schema: { type: 'string', pattern: '^\\uFEFFid,name\\r\\n' } } } },
          400: problem(400),
        },
      },
    },
  },
};
const id = '3f0c9a52-8d1e-4b7a-9c3e-2a5d7f1b6e40';
const user = { sub: 'u', name: 'U', roles: ['officer'] as const, unit: '120' };

function response(statusCode: number, contentType: string | undefined, body: unknown): TestResponse {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return { statusCode, headers: contentType === undefined ? {} : { 'content-type': contentType }, body: text, json: () => JSON.parse(text) };
}
const post = (body: unknown, url = `/things/${id}`, extra: Partial<InjectOptions> = {}): InjectOptions => ({ method: 'POST', url, as: user, body, ...extra });
const refusal = (status: number, code = 'validation_failed') => ({ type: 'x', title: 'x', status, detail: 'x', code });

describe('OpenApiValidator.checkExchange', () => {
  const validator = new OpenApiValidator(document);

  it('accepts a documented exchange, JSON or CSV', () => {
    expect(validator.checkExchange(post({ name: 'a' }), response(200, 'application/json', { id }))).toEqual([]);
    expect(validator.checkExchange(post({ name: 'a' }), response(200, 'text/csv; charset=utf-8', '\uFEFFid,name\r\n1,"Lò Thị ""Hoa"", xã"\r\n'))).toEqual([]);
  });

  it('fails a CSV answer of another header line, or one that is not RFC 4180', () => {
    expect(validator.checkExchange(post({ name: 'a' }), response(200, 'text/csv', '\uFEFFid,title\r\n1,a\r\n'))).toEqual([expect.stringContaining('CSV (root) must match pattern')]);
    expect(validator.checkExchange(post({ name: 'a' }), response(200, 'text/csv', '\uFEFFid,name\r\n1,a,b\r\n'))).toEqual([expect.stringMatching(/response CSV record 2 has 3 fields, the header 2$/)]);
    expect(validator.checkExchange(post({ name: 'a' }), response(200, 'text/csv', '{"id":"1"}'))).toEqual([expect.stringContaining('must match pattern'), expect.stringMatching(/response CSV does not end with CRLF$/)]);
  });

  it('knows RFC 4180 as the api writes it', () => {
    expect(csvViolations('a,b\r\n"x\r\ny","1,2"\r\n,\r\n"",""\r\n')).toEqual([]);
    expect(csvViolations('a,b\n1,2\n')).toEqual(['does not end with CRLF']);
    expect(csvViolations('a,b\n1,2\r\n')).toEqual(['record 1: a line break outside quotes that is not CRLF']);
    expect(csvViolations('a,b\r\n1,x"y\r\n')).toEqual(['record 2: a quote inside an unquoted field']);
    expect(csvViolations('a,b\r\n1,"x"y\r\n')).toEqual(['record 2: text after a closing quote']);
    expect(csvViolations('a,b\r\n1,"xy\r\n')).toEqual(['record 2: a quoted field is never closed']);
    expect(csvViolations('\uFEFF')).toEqual(['is empty (no header line)']);
  });

  it('fails an accepted request the document refuses, and an answer of another shape', () => {
    expect(validator.checkExchange(post({ name: 'a', extra: 1 }), response(200, 'application/json', { id }))).toEqual([expect.stringContaining('request body')]);
    expect(validator.checkExchange(post({ name: 'a' }), response(200, 'application/json', { name: 'a' }))).toEqual([expect.stringContaining('response body')]);
  });

  it('checks only the answer of a refused request, which must be a documented problem', () => {
    expect(validator.checkExchange(post({ nonsense: true }), response(400, 'application/problem+json', refusal(400)))).toEqual([]);
    expect(validator.checkExchange(post({}), response(400, 'application/json', refusal(400)))).toEqual([expect.stringContaining('media type application/json is not documented')]);
    expect(validator.checkExchange(post({}), response(409, 'application/problem+json', refusal(409)))).toEqual([expect.stringContaining('status 409 is not documented')]);
    expect(validator.checkExchange(post({}), response(400, 'application/problem+json', refusal(400, 'whatever')))).toEqual([expect.stringContaining('/code')]);
  });

  it('fails an answer given without the token the document requires', () => {
    expect(validator.checkExchange(post({ name: 'a' }, undefined, { as: undefined }), response(200, 'application/json', { id }))).toEqual([expect.stringContaining('without the bearer token')]);
  });

  it('outside the document, wants refusals as problem+json and no JSON answers', () => {
    expect(validator.checkExchange(post({}, '/nowhere'), response(404, 'application/problem+json', refusal(404, 'not_found')))).toEqual([]);
    expect(validator.checkExchange(post({}, '/nowhere'), response(404, 'text/plain', 'not found'))).toEqual([expect.stringContaining('not application/problem+json')]);
    expect(validator.checkExchange({ method: 'GET', url: '/nowhere' }, response(200, 'application/json', {}))).toEqual([expect.stringContaining('no such operation')]);
    expect(validator.checkExchange({ method: 'GET', url: '/docs-json' }, response(200, 'application/json', {}))).toEqual([]);
  });

  it('leaves a browser navigation answered with a page to the console', () => {
    const navigation: InjectOptions = { method: 'POST', url: `/things/${id}`, headers: { accept: 'text/html' } };
    expect(validator.checkExchange(navigation, response(200, 'text/html; charset=utf-8', '<!doctype html>'))).toEqual([]);
  });
});
