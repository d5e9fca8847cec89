import { signDevelopmentToken } from '@app/auth';
import { loadConfig } from '@app/config';
import { expectOk, expectProblem, gso2004, nominationBody } from './support/nomination-fixtures';
import { TestApi, type TestUser } from './support/test-api';

/* Issue 12, finding 13 (token lifetime, deactivated staff, token unit against the directory) and 15 (production guard). */

const admin: TestUser = { sub: 'admin-14', name: 'Quản trị tỉnh', roles: ['admin'], unit: '14', codeSet: 'gso-2004' };

describe('security: tokens and the staff directory (12.13)', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await TestApi.start({ AUTH_STAFF_CACHE_SECONDS: '0' });
  });
  afterAll(async () => {
    await api.close();
  });

  const claims = { sub: gso2004.proposer.sub, name: gso2004.proposer.name, roles: [...gso2004.proposer.roles], unit: '03814', codeSet: 'gso-2004' as const };
  const get = (token: string) => api.request({ method: 'GET', url: '/rule-sets', headers: { authorization: `Bearer ${token}` } });

  it('refuses a token older than AUTH_MAX_TOKEN_AGE (12 h by default) though not yet expired', async () => {
    expect(api.config.authMaxTokenAgeSeconds).toBe(12 * 3600);
    const old = await signDevelopmentToken(claims, api.config, { now: new Date(Date.now() - 13 * 3600_000), expiresIn: '2d' });
    expectProblem(await get(old), 401, 'unauthenticated');
    const fresh = await signDevelopmentToken(claims, api.config, { now: new Date(Date.now() - 11 * 3600_000), expiresIn: '12h' });
    expectOk(await get(fresh));
  });

  it('refuses a token claiming a lifetime longer than the maximum age', async () => {
    const yearLong = await signDevelopmentToken(claims, api.config, { expiresIn: '365d' });
    expectProblem(await get(yearLong), 401, 'unauthenticated');
  });

  it('refuses a token issued in the future', async () => {
    const future = await signDevelopmentToken(claims, api.config, { now: new Date(Date.now() + 3600_000), expiresIn: '1h' });
    expectProblem(await get(future), 401, 'unauthenticated');
  });

  it('shuts out a staff member set active: false, on reads and on writes, and lets them back when reactivated', async () => {
    const staff = (active: boolean) => api.request({
      method: 'PUT', url: `/staff/${gso2004.proposer.sub}`, as: admin,
      body: { name: gso2004.proposer.name, email: 'hoa@chienglao.gov.vn', unit: '03814', codeSet: 'gso-2004', roles: ['proposer'], locale: 'vi', active },
    });
    expectOk(await staff(true));
    expectOk(await api.request({ method: 'GET', url: '/rule-sets', as: gso2004.proposer }));
    expectOk(await staff(false));
    const before = await api.eventCount();
    expectProblem(await api.request({ method: 'GET', url: '/rule-sets', as: gso2004.proposer }), 401, 'unauthenticated');
    expectProblem(await api.request({ method: 'POST', url: '/nominations', as: gso2004.proposer, body: nominationBody() }), 401, 'unauthenticated');
    expect(await api.eventCount()).toBe(before);
    expectOk(await staff(true));
    expectOk(await api.request({ method: 'POST', url: '/nominations', as: gso2004.proposer, body: nominationBody() }), 201);
  });

  it('refuses a token whose unit differs from the staff directory record', async () => {
    expectOk(await api.request({
      method: 'PUT', url: `/staff/${gso2004.otherProposer.sub}`, as: admin,
      body: { name: gso2004.otherProposer.name, email: 'su@ngocchien.gov.vn', unit: '03820', codeSet: 'gso-2004', roles: ['proposer'], locale: 'vi', active: true },
    }));
    // The same person with a token claiming commune 03814 instead of their own 03820.
    const elsewhere: TestUser = { ...gso2004.otherProposer, unit: '03814' };
    const before = await api.eventCount();
    const refused = await api.request({ method: 'POST', url: '/nominations', as: elsewhere, body: nominationBody() });
    expect(expectProblem(refused, 403, 'forbidden').reason).toBe('staff_unit_mismatch');
    expectProblem(await api.request({ method: 'GET', url: '/rule-sets', as: elsewhere }), 403, 'forbidden');
    expect(await api.eventCount()).toBe(before);
    expectOk(await api.request({ method: 'GET', url: '/rule-sets', as: gso2004.otherProposer }));
    // Users with no directory record are judged by their token alone.
    expectOk(await api.request({ method: 'GET', url: '/rule-sets', as: gso2004.districtOfficer }));
  });
});

describe('security: the production guard (12.15)', () => {
  // An audit signing key and a mail server of its own, so only the secret under test is judged here.
  const problems = (env: Record<string, string>): string[] => {
    try {
      loadConfig({ AUDIT_SIGNING_KEY: 'nEw7-ZJ0bq3Yx1sVt9LkQp2Wm5Rc8Hd4Ug6Fa0Ei3Oo', SMTP_URL: 'smtp://127.0.0.1:1025', ...env });
      return [];
    } catch (error) {
      return [...(error as { problems: string[] }).problems];
    }
  };

  it('refuses long but predictable secrets, accepts a random one', () => {
    for (const secret of ['a'.repeat(64), 'password'.repeat(6), 'abababababababababababababababababababab', '1234567890'.repeat(4)]) {
      expect(problems({ NODE_ENV: 'production', AUTH_JWT_SECRET: secret })).toEqual([expect.stringContaining('too predictable')]);
    }
    expect(problems({ NODE_ENV: 'production', AUTH_JWT_SECRET: 'Vx3q9LkP2m-Zt7RfY0wB8sNcJ4hD6gUe_aQ1iTo5' })).toEqual([]);
  });

  it('refuses to start in the container image with NODE_ENV unset or empty', () => {
    expect(problems({ NOMINATION_APPROVALS_IMAGE: '1' })).toEqual([expect.stringContaining('NODE_ENV: must be set inside a container image')]);
    expect(problems({ NOMINATION_APPROVALS_IMAGE: '1', NODE_ENV: '' })).toHaveLength(1);
    expect(problems({ NOMINATION_APPROVALS_IMAGE: '1', NODE_ENV: 'development' })).toEqual([]);
    expect(problems({})).toEqual([]);
  });

  it('documents RATE_LIMIT_FAIL_OPEN as true by default', () => {
    expect(loadConfig({}).rateLimitFailOpen).toBe(true);
    expect(loadConfig({ RATE_LIMIT_FAIL_OPEN: 'false' }).rateLimitFailOpen).toBe(false);
    expect(problems({ RATE_LIMIT_FAIL_OPEN: 'sometimes' })).toEqual([expect.stringContaining('RATE_LIMIT_FAIL_OPEN')]);
  });
});
