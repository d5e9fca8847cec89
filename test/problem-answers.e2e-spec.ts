import { randomUUID } from 'node:crypto';
import { gso2004, nominationBody } from './support/nomination-fixtures';
import { TestApi, type InjectOptions } from './support/test-api';

/*
 * Every refusal the process can give is application/problem+json with a code from the error table,
 * whoever gives it: Fastify's router and body parsers, Node's URL handling, Nest, the guards, the
 * domain. TestApi checks each answer against the OpenAPI document (the documented problem of that
 * status, or outside the document still a well-formed problem); this spec adds the refusals no other
 * suite provokes, and the exact code of each.
 */
const { proposer } = gso2004;

describe('every refusal is problem+json', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await TestApi.start();
  });
  afterAll(async () => {
    await api.close();
  });

  it.each<[string, InjectOptions, number, string]>([
    ['an unknown path', { method: 'GET', url: '/nowhere', as: proposer }, 404, 'not_found'],
    ['an unknown path without a token', { method: 'GET', url: '/nowhere/at/all' }, 404, 'not_found'],
    ['a method the path does not serve', { method: 'DELETE', url: '/nominations', as: proposer }, 405, 'method_not_allowed'],
    ['an empty JSON body', { method: 'POST', url: '/nominations', as: proposer, body: '' , headers: { 'content-type': 'application/json' } }, 400, 'validation_failed'],
    ['a JSON body that is not JSON', { method: 'POST', url: '/nominations', as: proposer, body: '{"ruleSet": ' }, 400, 'validation_failed'],
    ['a body with __proto__', { method: 'POST', url: '/nominations', as: proposer, body: '{"__proto__": {"x": 1}}' }, 400, 'validation_failed'],
    ['a body as text', { method: 'POST', url: '/nominations', as: proposer, body: 'hello', headers: { 'content-type': 'text/plain' } }, 415, 'unsupported_media_type'],
    ['a body of an unknown media type', { method: 'POST', url: '/nominations', as: proposer, body: '<x/>', headers: { 'content-type': 'application/xml' } }, 415, 'unsupported_media_type'],
    ['a body too large', { method: 'POST', url: '/nominations', as: proposer, body: JSON.stringify({ achievements: 'x'.repeat(3_000_000) }) }, 413, 'payload_too_large'],
    ['bad percent-encoding in a path', { method: 'GET', url: '/nominations/%E0%A4%A', as: proposer }, 400, 'validation_failed'],
    ['a NUL in a path', { method: 'GET', url: '/nominations/%00', as: proposer }, 400, 'validation_failed'],
    ['a malformed id', { method: 'GET', url: '/nominations/not-a-uuid', as: proposer }, 404, 'not_found'],
    ['a malformed query', { method: 'GET', url: '/nominations?limit=lots', as: proposer }, 400, 'validation_failed'],
    ['a malformed If-Match', { method: 'POST', url: `/nominations/${randomUUID()}/submit`, as: proposer, body: {}, headers: { 'if-match': 'three' } }, 400, 'validation_failed'],
    ['a malformed Min-Position', { method: 'GET', url: '/inbox', as: proposer, headers: { 'min-position': 'soon' } }, 400, 'validation_failed'],
    ['a token that is not one', { method: 'GET', url: '/inbox', headers: { authorization: 'Bearer not.a.jwt' } }, 401, 'unauthenticated'],
    ['a write without a token', { method: 'POST', url: '/nominations', body: nominationBody() }, 401, 'unauthenticated'],
  ])('%s', async (_what, request, status, code) => {
    const response = await api.request(request);
    expect([response.statusCode, String(response.headers['content-type'])]).toEqual([status, expect.stringMatching(/^application\/problem\+json/)]);
    expect(response.json()).toMatchObject({ status, code });
  });

  it('answers the internal listener\'s refusals (unknown path, other methods) as problem+json too', async () => {
    const ops = await api.opsUrl();
    for (const [init, path, status, code] of [[{}, '/nowhere', 404, 'not_found'], [{ method: 'POST' }, '/metrics', 405, 'method_not_allowed']] as const) {
      const response = await fetch(`${ops}${path}`, init);
      expect([response.status, response.headers.get('content-type')]).toEqual([status, 'application/problem+json; charset=utf-8']);
      expect(await response.json()).toMatchObject({ status, code });
    }
  });
});
