import { TcpProxy } from './support/tcp-proxy';
import { TestApi, type TestUser } from './support/test-api';

const admin: TestUser = { sub: 'admin-1', name: 'Quản trị viên', roles: ['admin'], unit: '14', codeSet: 'gso-2025' };

describe('operations: health, docs, metrics, request ids', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await TestApi.start();
  });
  afterAll(async () => {
    await api.close();
  });

  it('is live and ready when PostgreSQL, Redis and the event store answer; details only on the internal port', async () => {
    expect((await api.request({ method: 'GET', url: '/health/live' })).json()).toEqual({ status: 'ok' });
    const ready = await api.request({ method: 'GET', url: '/health/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'up' });
    const internal = await fetch(`${await api.opsUrl()}/health/ready`);
    expect(internal.status).toBe(200);
    expect(await internal.json()).toEqual({
      status: 'ready',
      checks: { database: { status: 'up' }, redis: { status: 'up' }, eventStore: { status: 'up' }, projections: { status: 'up' } },
    });
  });

  it('serves the OpenAPI document and the Swagger UI', async () => {
    const doc = await api.request({ method: 'GET', url: '/docs-json' });
    expect(doc.statusCode).toBe(200);
    expect(doc.json().paths).toHaveProperty(['/health/ready']);
    const paths = doc.json().paths as Record<string, Record<string, { responses: Record<string, unknown> }>>;
    const expected: [string, string][] = [
      ['post', '/nominations'], ['get', '/nominations/{id}'], ['patch', '/nominations/{id}'],
      ['get', '/nominations/{id}/history'],
      ...(['submit', 'return', 'council-votes', 'approve', 'reject', 'withdraw'].map((c) => ['post', `/nominations/{id}/${c}`] as [string, string])),
      ['post', '/nominations/bulk/approve'], ['post', '/nominations/bulk/return'], ['post', '/nominations/bulk/reject'],
      ['post', '/decisions'], ['get', '/decisions/{id}'], ['post', '/decisions/{id}/revoke'],
      ['get', '/rule-sets'], ['get', '/award-types'], ['get', '/units'], ['get', '/units/{code}'], ['put', '/units'],
      ['put', '/staff/{id}'], ['get', '/staff'], ['get', '/health/live'], ['get', '/health/ready'],
    ];
    for (const [method, path] of expected) expect(paths[path]?.[method]).toBeDefined();
    expect(Object.keys(paths['/nominations']!['post']!.responses)).toEqual(expect.arrayContaining(['201', '400', '401', '403', '422', '429']));
    expect(Object.keys(paths['/nominations/{id}/approve']!['post']!.responses)).toEqual(expect.arrayContaining(['200', '404', '409', '412']));
    expect(JSON.stringify(doc.json())).toContain('Trường Tiểu học Chiềng Lao');
    const ui = await api.request({ method: 'GET', url: '/docs' });
    expect(ui.statusCode).toBe(200);
    expect(ui.body).toContain('swagger');
  });

  it('serves Prometheus metrics counting requests on the internal port, not the public one', async () => {
    await api.request({ method: 'GET', url: '/health/live' });
    const metrics = await fetch(`${await api.opsUrl()}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/health\/live",status="200"\} [1-9]/);
    const publicMetrics = await api.request({ method: 'GET', url: '/metrics' });
    expect(publicMetrics.statusCode).toBe(404);
    expect(publicMetrics.body).not.toContain('http_request_duration_seconds');
  });

  it('echoes a valid X-Request-Id and replaces a forged one', async () => {
    const kept = await api.request({ method: 'GET', url: '/health/live', headers: { 'x-request-id': 'abc-123' } });
    expect(kept.headers['x-request-id']).toBe('abc-123');
    const replaced = await api.request({ method: 'GET', url: '/health/live', headers: { 'x-request-id': 'bad id\nforged' } });
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers unknown routes and missing tokens with problem+json', async () => {
    const missing = await api.request({ method: 'GET', url: '/no-such-route', as: admin });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toContain('application/problem+json');
    expect(missing.json()).toMatchObject({ status: 404, code: 'not_found' });
    const anonymous = await api.request({ method: 'GET', url: '/units' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json()).toMatchObject({ status: 401, code: 'unauthenticated' });
  });
});

describe('operations: the database goes away and comes back', () => {
  let api: TestApi;
  const proxy = new TcpProxy('127.0.0.1', 5432);

  beforeAll(async () => {
    const port = await proxy.start();
    // Same fresh database, but reached through the proxy so the test can cut it off.
    api = await TestApi.startWith((databaseUrl) => ({ DATABASE_URL: databaseUrl.replace(':5432/', `:${port}/`) }));
  });
  afterAll(async () => {
    await api.close();
    await proxy.stop();
  });

  it('turns not ready and answers 503, then recovers by itself', async () => {
    expect((await api.request({ method: 'GET', url: '/staff', as: admin })).statusCode).toBe(200);

    const port = proxy.port;
    await proxy.stop();
    const notReady = await api.request({ method: 'GET', url: '/health/ready' });
    expect(notReady.statusCode).toBe(503);
    expect(notReady.json()).toEqual({ status: 'down' });
    const internal = await fetch(`${await api.opsUrl()}/health/ready`);
    expect(internal.status).toBe(503);
    expect(await internal.json()).toMatchObject({ status: 'not_ready', checks: { database: { status: 'down' }, redis: { status: 'up' } } });
    const failed = await api.request({ method: 'GET', url: '/staff', as: admin });
    expect(failed.statusCode).toBe(503);
    expect(failed.json()).toMatchObject({ code: 'service_unavailable' });
    expect(failed.headers['retry-after']).toBeDefined();

    await proxy.start(port);
    const ready = await api.request({ method: 'GET', url: '/health/ready' });
    expect(ready.statusCode).toBe(200);
    const units = await api.request({ method: 'GET', url: '/staff', as: admin });
    expect(units.statusCode).toBe(200);
  });
});

describe('operations: EVENT_STORE=kurrentdb with no reachable server', () => {
  let api: TestApi;
  beforeAll(async () => {
    // Port 1 on loopback: nothing listens there, so every connection is refused at once.
    api = await TestApi.start({ EVENT_STORE: 'kurrentdb', KURRENTDB_URL: 'kurrentdb://127.0.0.1:1?tls=false' });
  });
  afterAll(async () => {
    await api.close();
  });

  it('refuses to become ready and says why', async () => {
    const ready = await api.request({ method: 'GET', url: '/health/ready' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toEqual({ status: 'down' });
    const internal = await fetch(`${await api.opsUrl()}/health/ready`);
    expect(internal.status).toBe(503);
    const body = await internal.json() as { checks: { eventStore: { detail: string } } };
    expect(body).toMatchObject({ status: 'not_ready', checks: { database: { status: 'up' }, redis: { status: 'up' }, eventStore: { status: 'down' } } });
    expect(body.checks.eventStore.detail).toEqual(expect.any(String));
    expect(body.checks.eventStore.detail.length).toBeGreaterThan(0);
  });
});
