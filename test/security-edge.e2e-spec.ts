import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '@app/config';
import {
  createAndSubmit,
  createNomination,
  expectOk,
  expectProblem,
  gso2004,
  nominationBody,
} from './support/nomination-fixtures';
import { TcpProxy } from './support/tcp-proxy';
import { TestApi, type TestUser } from './support/test-api';

/*
 * Issue 12, the HTTP edge: findings 5 (nesting, auth before body), 6 (X-Forwarded-For), 9 (metrics and
 * readiness details), 10 (headers, no-store, 405), 11 (NUL, invisible and bidi text), 16 (414, Fastify
 * and Node errors as problem+json, If-Match on revoke and bulk), and from 1 the bulk id case folding.
 */

const admin: TestUser = { sub: 'admin-14', name: 'Quản trị tỉnh', roles: ['admin'], unit: '14', codeSet: 'gso-2004' };

function nested(depth: number): string {
  return `{"comment":"x","ids":${'['.repeat(depth)}${']'.repeat(depth)}}`;
}

describe('security: the HTTP edge', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await TestApi.start({ TRUST_PROXY: '10.0.0.0/8' });
  });
  afterAll(async () => {
    await api.close();
  });

  describe('12.5 deeply nested JSON and authentication before the body', () => {
    it('refuses a body nested deeper than JSON_MAX_DEPTH with 400 json_too_deep, writing nothing', async () => {
      const before = await api.eventCount();
      for (const depth of [40, 100_000]) {
        const response = await api.request({ method: 'POST', url: '/nominations/bulk/approve', as: gso2004.communeOfficer, body: nested(depth) });
        const problem = expectProblem(response, 400, 'json_too_deep');
        expect(problem.detail).toContain('32');
      }
      // The same depth inside a string is text, not nesting.
      const inString = await api.request({
        method: 'POST', url: '/nominations', as: gso2004.proposer,
        body: JSON.stringify(nominationBody({ achievements: `Thành tích ${'['.repeat(5000)}` })),
      });
      expectOk(inString, 201);
      expect(await api.eventCount()).toBe(before + 1);
    });

    it('accepts nesting within the limit', async () => {
      const response = await api.request({ method: 'POST', url: '/nominations/bulk/approve', as: gso2004.communeOfficer, body: nested(5) });
      expectProblem(response, 400, 'validation_failed');
    });

    it('answers an anonymous request with a body 401 before parsing it (bad JSON and deep nesting alike)', async () => {
      for (const payload of ['{not json', nested(100_000), JSON.stringify(nominationBody())]) {
        const response = await api.request({ method: 'POST', url: '/nominations', body: payload });
        expectProblem(response, 401, 'unauthenticated');
      }
      const badToken = await api.request({ method: 'PUT', url: '/units', body: '[', headers: { authorization: 'Bearer nope' } });
      expectProblem(badToken, 401, 'unauthenticated');
    });
  });

  describe('12.6 X-Forwarded-For', () => {
    it('records the peer address, not a forged header, when the peer is not a trusted proxy', async () => {
      const created = await createNomination(api, gso2004.proposer);
      const forged = await api.request({
        method: 'POST', url: `/nominations/${created.id}/submit`, as: gso2004.proposer, body: {},
        headers: { 'x-forwarded-for': '<script>alert(1)</script>, 8.8.8.8' },
      });
      expectOk(forged);
      const { rows } = await api.database.pool.query<{ metadata: Record<string, unknown> }>(
        "SELECT metadata FROM events WHERE stream_id = $1 AND type = 'NominationSubmitted'", [`nomination-${created.id}`],
      );
      expect(rows[0]!.metadata['clientIp']).toBe('127.0.0.1');
    });

    it('defaults to trusting no proxy and refuses TRUST_PROXY=true or a non-address', () => {
      expect(loadConfig({}).trustProxy).toBe(false);
      expect(loadConfig({ TRUST_PROXY: '10.0.0.1, 192.168.0.0/16' }).trustProxy).toEqual(['10.0.0.1', '192.168.0.0/16']);
      expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY/);
      expect(() => loadConfig({ TRUST_PROXY: '10.0.0.1,evil' })).toThrow(/not an address: evil/);
    });
  });

  describe('12.9 metrics and readiness', () => {
    it('keeps /metrics off the public port and /health/ready to up or down', async () => {
      expectProblem(await api.request({ method: 'GET', url: '/metrics' }), 404, 'not_found');
      expect((await api.request({ method: 'GET', url: '/health/ready' })).json()).toEqual({ status: 'up' });
      const metrics = await fetch(`${await api.opsUrl()}/metrics`);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toContain('http_request_duration_seconds');
    });
  });

  describe('12.10 headers, caching and methods', () => {
    it('sends security headers on every response and no-store on personal data', async () => {
      const created = await createNomination(api, gso2004.proposer);
      const responses = [
        await api.request({ method: 'GET', url: `/nominations/${created.id}`, as: gso2004.proposer }),
        await api.request({ method: 'GET', url: '/staff', as: admin }),
        await api.request({ method: 'GET', url: '/health/live' }),
        await api.request({ method: 'GET', url: '/no-such-route' }),
      ];
      for (const response of responses) {
        expect(response.headers['x-content-type-options']).toBe('nosniff');
        expect(String(response.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
        expect(response.headers['referrer-policy']).toBe('no-referrer');
        expect(response.headers['x-frame-options']).toBe('DENY');
        expect(response.headers['cache-control']).toBe('no-store');
      }
    });

    it('answers an unknown method on a known path with 405 and Allow', async () => {
      const created = await createNomination(api, gso2004.proposer);
      const del = await api.request({ method: 'DELETE', url: `/nominations/${created.id}`, as: gso2004.proposer });
      expectProblem(del, 405, 'method_not_allowed');
      expect(del.headers['allow']).toBe('GET, HEAD, PATCH');
      const put = await api.request({ method: 'PUT', url: '/decisions', as: gso2004.districtDecider, body: {} });
      expectProblem(put, 405, 'method_not_allowed');
      expect(put.headers['allow']).toBe('GET, HEAD, POST');
      expectProblem(await api.request({ method: 'DELETE', url: '/nothing-here', as: admin }), 404, 'not_found');
    });
  });

  describe('12.11 NUL, invisible and bidirectional text', () => {
    it('refuses NUL bytes on PUT /staff and PUT /units with validation_failed, never 500, leaking no path', async () => {
      const staff = await api.request({
        method: 'PUT', url: '/staff/can-bo-01', as: admin,
        body: { name: 'Lò Văn\u0000Thành', email: 'thanh@sonla.gov.vn', unit: '14', codeSet: 'gso-2004', roles: ['officer'], locale: 'vi', active: true },
      });
      const problem = expectProblem(staff, 400, 'validation_failed');
      expect(problem.errors).toEqual([{ field: 'name', message: expect.stringContaining('NUL') }]);
      const units = await api.request({
        method: 'PUT', url: '/units', as: admin,
        body: [{ codeSet: 'gso-2004', code: '03814', name: 'Xã\u0000Chiềng Lao', level: 'commune', parentCode: '120' }],
      });
      expectProblem(units, 400, 'validation_failed');
      for (const url of ['/staff/can%00bo', '/units/14%00?codeSet=gso-2004', '/units?parent=1%004']) {
        const response = await api.request({ method: url.startsWith('/staff') ? 'PUT' : 'GET', url, as: admin, body: url.startsWith('/staff') ? {} : undefined });
        expectProblem(response, 400, 'validation_failed');
        expect(response.body).not.toMatch(/\/work\/|node_modules|\.ts:/);
      }
    });

    it('refuses names made only of invisible characters and text with bidirectional overrides', async () => {
      const before = await api.eventCount();
      for (const name of ['\u200b\u200b', '\u3164', '\u2800 \u2060', 'Nguyễn \u202eA nǎV']) {
        const response = await api.request({
          method: 'POST', url: '/nominations', as: gso2004.proposer,
          body: nominationBody({ nominee: { kind: 'collective', name, organization: 'UBND xã Chiềng Lao' } }),
        });
        const problem = expectProblem(response, 400, 'validation_failed');
        expect(problem.errors[0].field).toBe('nominee.name');
      }
      const staff = await api.request({
        method: 'PUT', url: '/staff/can-bo-02', as: admin,
        body: { name: '\u200d', email: 'a@sonla.gov.vn', unit: '14', codeSet: 'gso-2004', roles: ['officer'], locale: 'vi', active: true },
      });
      expectProblem(staff, 400, 'validation_failed');
      const achievements = await api.request({
        method: 'POST', url: '/nominations', as: gso2004.proposer, body: nominationBody({ achievements: 'Hoàn thành \u2066xuất sắc\u2069 nhiệm vụ năm học' }),
      });
      expectProblem(achievements, 400, 'validation_failed');
      expect(await api.eventCount()).toBe(before);
      // Vietnamese with combining marks (NFD) is text, not invisible.
      expectOk(await api.request({
        method: 'POST', url: '/nominations', as: gso2004.proposer,
        body: nominationBody({ nominee: { kind: 'collective', name: 'Trường Tiểu học Chiềng Lao'.normalize('NFD'), organization: 'UBND xã' } }),
      }), 201);
    });
  });

  describe('12.16 path limits, Fastify errors and If-Match', () => {
    it('answers an over-long path parameter with problem+json 414', async () => {
      const response = await api.request({ method: 'GET', url: `/nominations/${'a'.repeat(5000)}`, as: gso2004.proposer });
      expectProblem(response, 414, 'uri_too_long');
      expect(response.body).not.toContain('aaaa');
    });

    it('answers bad percent-encoding with problem+json 400', async () => {
      const response = await api.request({ method: 'GET', url: '/units/%E0%A4%A', as: admin });
      expectProblem(response, 400, 'validation_failed');
    });

    it('answers oversized headers with problem+json 431 from a real socket', async () => {
      const server = await api.app.listen({ port: 0, host: '127.0.0.1' });
      expect(server).toBeDefined();
      const port = (api.app.getHttpServer().address() as AddressInfo).port;
      const raw = await new Promise<string>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () => {
          socket.write(`GET /health/live HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
        });
        let data = '';
        socket.on('data', (chunk) => (data += chunk.toString()));
        socket.on('close', () => resolve(data));
        socket.on('error', reject);
      });
      expect(raw).toMatch(/^HTTP\/1\.1 431 /);
      expect(raw).toContain('Content-Type: application/problem+json');
      expect(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4))).toMatchObject({ status: 431, code: 'headers_too_large' });
    });

    it('refuses If-Match on bulk commands and on revoke with 400, writing nothing', async () => {
      const submitted = await createAndSubmit(api, gso2004.proposer);
      const before = await api.eventCount();
      const bulk = await api.request({
        method: 'POST', url: '/nominations/bulk/approve', as: gso2004.communeOfficer, body: { ids: [submitted.id] }, headers: { 'if-match': '"1"' },
      });
      expectProblem(bulk, 400, 'validation_failed');
      const revoke = await api.request({
        method: 'POST', url: `/decisions/${submitted.id}/revoke`, as: gso2004.districtDecider, headers: { 'if-match': '"0"' },
        body: { nominationIds: [submitted.id], ground: 'false_declaration', reason: 'Khai man thành tích', number: '01/QĐ-UBND', signedOn: '2023-06-01' },
      });
      expectProblem(revoke, 400, 'validation_failed');
      expect(await api.eventCount()).toBe(before);
    });
  });

  describe('12.1 bulk ids compared without regard to case', () => {
    it('refuses one id sent in 40 case variants', async () => {
      const id = 'abcdefab-cdef-4abc-8def-abcdefabcdef';
      const variants = Array.from({ length: 40 }, (_, i) => {
        let letter = 0;
        return [...id].map((ch) => (ch === '-' || /\d/.test(ch) ? ch : (i >> (letter++ % 6)) & 1 ? ch.toUpperCase() : ch)).join('');
      });
      expect(new Set(variants).size).toBe(40);
      const before = await api.eventCount();
      const response = await api.request({ method: 'POST', url: '/nominations/bulk/approve', as: gso2004.communeOfficer, body: { ids: variants } });
      const problem = expectProblem(response, 400, 'validation_failed');
      expect(JSON.stringify(problem.errors)).toContain('without regard to case');
      expect(await api.eventCount()).toBe(before);
    });
  });
});

describe('security: every nomination is bounded (12.1)', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await TestApi.start({ NOMINATION_MAX_EVENTS: '20', NOMINATION_MAX_BYTES: '65536' });
  });
  afterAll(async () => {
    await api.close();
  });

  it('refuses the edit past NOMINATION_MAX_EVENTS with 409 nomination_too_many_events, writing nothing', async () => {
    const created = await createNomination(api, gso2004.proposer);
    for (let i = 1; i < 20; i++) {
      expectOk(await api.request({ method: 'PATCH', url: `/nominations/${created.id}`, as: gso2004.proposer, body: { year: 2020 + (i % 3) } }));
    }
    const before = await api.eventCount();
    const refused = await api.request({ method: 'PATCH', url: `/nominations/${created.id}`, as: gso2004.proposer, body: { year: 2021 } });
    expectProblem(refused, 409, 'nomination_too_many_events');
    expect(await api.eventCount()).toBe(before);
  });

  it('refuses the edit that takes the recorded data past NOMINATION_MAX_BYTES with 413 nomination_too_large', async () => {
    const created = await createNomination(api, gso2004.proposer);
    const long = (mark: string) => `Thành tích ${mark}: ${'ễ'.repeat(19_000)}`;
    expectOk(await api.request({ method: 'PATCH', url: `/nominations/${created.id}`, as: gso2004.proposer, body: { achievements: long('a') } }));
    const before = await api.eventCount();
    const refused = await api.request({ method: 'PATCH', url: `/nominations/${created.id}`, as: gso2004.proposer, body: { achievements: long('b') } });
    expectProblem(refused, 413, 'nomination_too_large');
    expect(await api.eventCount()).toBe(before);
    // Small edits within the bound still work.
    expectOk(await api.request({ method: 'PATCH', url: `/nominations/${created.id}`, as: gso2004.proposer, body: { year: 2021 } }));
  });
});

describe('security: rate limits (12.1 reads, 12.15 fail closed)', () => {
  it('limits reads per user on a budget of their own', async () => {
    const api = await TestApi.start({ READ_RATE_LIMIT_PER_MINUTE: '3', WRITE_RATE_LIMIT_PER_MINUTE: '100' });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await api.request({ method: 'GET', url: '/rule-sets', as: gso2004.proposer })).statusCode);
      expect(statuses).toEqual([200, 200, 200, 429]);
      const limited = await api.request({ method: 'GET', url: '/rule-sets', as: gso2004.proposer });
      expect(limited.json()).toMatchObject({ code: 'rate_limited', detail: expect.stringContaining('reads') });
      // Writes and other users keep their own budgets.
      expectOk(await api.request({ method: 'POST', url: '/nominations', as: gso2004.proposer, body: nominationBody() }), 201);
      expect((await api.request({ method: 'GET', url: '/rule-sets', as: gso2004.otherProposer })).statusCode).toBe(200);
    } finally {
      await api.close();
    }
  });

  it('refuses writes with 503 while Redis is unreachable when RATE_LIMIT_FAIL_OPEN=false, and lets them through by default', async () => {
    const proxy = new TcpProxy('127.0.0.1', 6379);
    const port = await proxy.start();
    const closed = await TestApi.start({ REDIS_URL: `redis://127.0.0.1:${port}/0`, RATE_LIMIT_FAIL_OPEN: 'false' });
    try {
      expectOk(await closed.request({ method: 'POST', url: '/nominations', as: gso2004.proposer, body: nominationBody() }), 201);
      await proxy.stop();
      const before = await closed.eventCount();
      const response = await closed.request({ method: 'POST', url: '/nominations', as: gso2004.proposer, body: nominationBody() });
      expectProblem(response, 503, 'rate_limit_unavailable');
      expect(response.headers['retry-after']).toBe('5');
      expect(await closed.eventCount()).toBe(before);
    } finally {
      await closed.close();
    }
    const openPort = await proxy.start();
    const open = await TestApi.start({ REDIS_URL: `redis://127.0.0.1:${openPort}/0` });
    try {
      expect(open.config.rateLimitFailOpen).toBe(true);
      await proxy.stop();
      expectOk(await open.request({ method: 'POST', url: '/nominations', as: gso2004.proposer, body: nominationBody() }), 201);
    } finally {
      await open.close();
    }
  });
});
