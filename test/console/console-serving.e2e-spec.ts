import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestApi, type TestUser } from '../support/test-api';

const admin: TestUser = { sub: 'admin-1', name: 'Quản trị viên', roles: ['admin'], unit: '14', codeSet: 'gso-2004' };
const HTML = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const NOMINATION = '0b7e5a4e-4f1c-4d59-9f7e-0a5b2f1c9d10';

/** A stand-in build: the serving rules are tested here, the real bundle in the browser test. */
function fakeConsoleBuild(): string {
  const dir = mkdtempSync(join(tmpdir(), 'console-build-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><html lang="vi"><head><script type="module" src="/assets/index-AbC123.js"></script></head><body><div id="root"></div></body></html>');
  writeFileSync(join(dir, 'assets', 'index-AbC123.js'), 'console.log("console")');
  return dir;
}

describe('the console served by the api', () => {
  let api: TestApi;
  let dir: string;
  beforeAll(async () => {
    dir = fakeConsoleBuild();
    api = await TestApi.start({ CONSOLE_DIR: dir });
  });
  afterAll(async () => {
    await api?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers a browser navigation anywhere with index.html, revalidated on every load', async () => {
    for (const url of ['/', '/inbox', `/nominations/${NOMINATION}`, '/auth/callback?code=x&state=y']) {
      const page = await api.request({ method: 'GET', url, headers: { accept: HTML } });
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.headers['cache-control']).toBe('no-cache');
      expect(page.body).toContain('<html lang="vi">');
    }
  });

  it('leaves the API untouched on the same paths: JSON clients get JSON and problems', async () => {
    const json = await api.request({ method: 'GET', url: `/nominations/${NOMINATION}`, headers: { accept: 'application/json' } });
    expect(json.statusCode).toBe(401);
    expect(json.headers['content-type']).toMatch(/^application\/problem\+json/);
    const anyType = await api.request({ method: 'GET', url: `/nominations/${NOMINATION}` });
    expect(anyType.statusCode).toBe(401);
    const post = await api.request({ method: 'POST', url: '/nominations', headers: { accept: HTML }, body: {} });
    expect(post.statusCode).toBe(401);
    const health = await api.request({ method: 'GET', url: '/health/live', headers: { accept: HTML } });
    expect(health.json()).toEqual({ status: 'ok' });
    const docs = await api.request({ method: 'GET', url: '/docs', headers: { accept: HTML } });
    expect(docs.body).toContain('swagger');
  });

  it('serves hashed assets as immutable for a year, and unknown assets as a 404 problem', async () => {
    const asset = await api.request({ method: 'GET', url: '/assets/index-AbC123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const missing = await api.request({ method: 'GET', url: '/assets/index-Gone99.js', headers: { accept: HTML } });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
    const escape = await api.request({ method: 'GET', url: '/assets/..%2findex.html' });
    expect(escape.statusCode).toBe(404);
  });

  it('tells the console how to sign in, without authentication', async () => {
    const options = await api.request({ method: 'GET', url: '/auth/config' });
    expect(options.statusCode).toBe(200);
    expect(options.json()).toEqual({ development: true, oidc: null });
  });

  it('offers development sign-in as any active member of the staff directory', async () => {
    for (const [id, name, unit, roles, active] of [
      ['ml-noivu-01', 'Lò Văn Thành', '120', ['officer'], true],
      ['ml-chutich', 'Cầm Văn Chung', '120', ['decider'], true],
      ['ml-nghi-huu', 'Quàng Thị Lả', '120', ['officer'], false],
    ] as const) {
      const put = await api.request({
        method: 'PUT', url: `/staff/${id}`, as: admin,
        body: { name, email: `${id}@muongla.sonla.gov.vn`, unit, codeSet: 'gso-2004', roles, locale: 'vi', active },
      });
      expect(put.statusCode).toBe(200);
    }
    const people = (await api.request({ method: 'GET', url: '/auth/dev/people' })).json().items as { id: string; unitName?: string }[];
    expect(people.map((p) => p.id).sort()).toEqual(['ml-chutich', 'ml-noivu-01']);
    expect(people.find((p) => p.id === 'ml-noivu-01')?.unitName).toBe('Huyện Mường La');

    const issued = await api.request({ method: 'POST', url: '/auth/dev/token', body: { staffId: 'ml-noivu-01' } });
    expect(issued.statusCode).toBe(200);
    const { token } = issued.json();
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
    expect(claims).toMatchObject({ sub: 'ml-noivu-01', name: 'Lò Văn Thành', roles: ['officer'], unit: '120', codeSet: 'gso-2004' });
    const used = await api.request({ method: 'GET', url: '/rule-sets', headers: { authorization: `Bearer ${token}` } });
    expect(used.statusCode).toBe(200);

    expect((await api.request({ method: 'POST', url: '/auth/dev/token', body: { staffId: 'ml-nghi-huu' } })).statusCode).toBe(404);
    expect((await api.request({ method: 'POST', url: '/auth/dev/token', body: { staffId: 'ml-noivu-01', roles: ['admin'] } })).statusCode).toBe(400);
    expect((await api.request({ method: 'POST', url: '/auth/dev/token', body: {} })).statusCode).toBe(400);
  });
});

describe('the console in production', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await TestApi.start({ NODE_ENV: 'production', AUTH_JWT_SECRET: 'a-production-secret-of-at-least-32-characters', SMTP_URL: 'smtp://127.0.0.1:1025', CONSOLE_DIR: join(tmpdir(), 'no-console-here') });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('has no development sign-in routes at all', async () => {
    expect((await api.request({ method: 'GET', url: '/auth/dev/people' })).statusCode).toBe(404);
    expect((await api.request({ method: 'POST', url: '/auth/dev/token', body: { staffId: 'anyone' } })).statusCode).toBe(404);
    expect((await api.request({ method: 'GET', url: '/auth/config' })).json()).toEqual({ development: false, oidc: null });
  });

  it('serves only the API when no console is built', async () => {
    const page = await api.request({ method: 'GET', url: '/', headers: { accept: HTML } });
    expect(page.statusCode).toBe(404);
    expect(page.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});
