import { randomUUID } from 'node:crypto';
import { ROLES, type Role } from '@app/auth';
import { RouteCatalogue, type RouteInfo } from '../apps/api/src/http/route-catalogue';
import {
  createAndApprove,
  createAndSubmit,
  expectOk,
  gso2004,
  nominationBody,
} from './support/nomination-fixtures';
import { TestApi, type TestResponse, type TestUser } from './support/test-api';

/*
 * The OWASP API Security Top 10 cases this service is exposed to, run over every route the api has.
 * The routes are read from the controllers (RouteCatalogue), not listed here: a route added tomorrow is
 * checked for authentication, function-level authorisation, mass assignment and resource limits
 * without anyone remembering to add it, and an object route (one with a path parameter) fails until its
 * kind of object has an entry in OBJECT_KINDS saying how its ownership is tested.
 *
 * Each check walks every route and collects the offenders, so one run names all of them.
 */

/** Routes anyone may call without a token, deliberately. Anything else public is a finding. */
const PUBLIC_ROUTES = new Set([
  'GET /health/live', 'GET /health/ready', 'GET /auth/config', 'GET /auth/dev/people', 'POST /auth/dev/token',
]);

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Where a route's path parameters come from for the generic checks: any syntactically valid value. */
function concrete(route: RouteInfo, values: Record<string, string> = {}): string {
  return route.path.replace(/:([A-Za-z]+)/g, (_m, name: string) => values[name] ?? (name === 'code' ? '14' : '0b7d3f0e-6a7c-4f0e-9a53-2f9a1d6c1e01'));
}

const label = (route: RouteInfo): string => `${route.method} ${route.path}`;

/** A user holding every role the route does not accept (undefined when the route accepts any role). */
function outsider(route: RouteInfo): TestUser | undefined {
  if (route.roles === undefined) return undefined;
  const roles = ROLES.filter((role) => !route.roles!.includes(role));
  return roles.length === 0 ? undefined : { sub: 'owasp-outsider', name: 'Người ngoài', roles, unit: '03814', codeSet: 'gso-2004' };
}

/** A user of another commune (03820) with the roles the route asks for. */
function foreigner(route: RouteInfo, unit = '03820'): TestUser {
  const roles: Role[] = route.roles === undefined ? [...ROLES] : [...route.roles];
  return { sub: `owasp-foreign-${unit}`, name: 'Cán bộ đơn vị khác', roles, unit, codeSet: 'gso-2004' };
}

function problemCode(response: TestResponse): string | undefined {
  try {
    return (response.json() as { code?: string }).code;
  } catch {
    return undefined;
  }
}

interface ObjectKind {
  /** Why and how ownership is tested, or why the object has no owner. */
  readonly rule: string;
  /** A foreign caller's request on an existing object must be answered with this status (or it has no owner: undefined). */
  readonly foreignStatus?: 404 | 403;
  /** The user outside the object's jurisdiction who holds the route's roles. */
  readonly foreigner?: (route: RouteInfo) => TestUser;
  /** The path parameter values naming an existing object. */
  readonly existing?: () => Record<string, string>;
}

describe('OWASP API Top 10 over every route (RouteCatalogue)', () => {
  let api: TestApi;
  let routes: readonly RouteInfo[];
  let nominationId: string;
  let decisionId: string;
  let notificationId: string;

  const OBJECT_KINDS: Record<string, ObjectKind> = {
    nominations: {
      rule: 'API1 BOLA: outside its route and the units above its proposing unit, a nomination does not exist (404)',
      foreignStatus: 404,
      foreigner: (route) => foreigner(route, '03820'),
      existing: () => ({ id: nominationId }),
    },
    decisions: {
      rule: 'API1 BOLA: a decision is visible to its issuing unit and the units above; another district gets 404',
      foreignStatus: 404,
      foreigner: (route) => foreigner(route, '116'),
      existing: () => ({ id: decisionId }),
    },
    units: { rule: 'reference data: every authenticated user may read every unit of the official lists' },
    admin: {
      rule: 'API1 BOLA: a notification belongs to its staff recipient\'s unit; an admin of another unit is told 404, as for an unknown id',
      foreignStatus: 404,
      foreigner: (route) => ({ ...foreigner(route, '03820'), roles: ['admin'] }),
      existing: () => ({ id: notificationId }),
    },
    staff: {
      rule: 'API1/API5: an admin acts only for staff of their own unit and the units under it (403)',
      foreignStatus: 403,
      foreigner: (route) => ({ ...foreigner(route, '03820'), roles: ['admin'] }),
      existing: () => ({ id: 'can-bo-xa-chieng-lao' }),
    },
  };

  beforeAll(async () => {
    api = await TestApi.start({ BODY_LIMIT_BYTES: '4096', WRITE_RATE_LIMIT_PER_MINUTE: '100000', READ_RATE_LIMIT_PER_MINUTE: '100000' });
    routes = api.app.get(RouteCatalogue).routes();
    nominationId = (await createAndSubmit(api, gso2004.proposer)).id;
    const approved = await createAndApprove(api, gso2004.proposer, [gso2004.communeOfficer, gso2004.districtOfficer], nominationBody({ awardCode: 'GIAY_KHEN_HUYEN' }));
    decisionId = expectOk(await api.request({
      method: 'POST', url: '/decisions', as: gso2004.districtDecider,
      body: { number: '07/QĐ-UBND', signedOn: '2023-03-24', signer: { name: 'Lường Văn Chiến', title: 'Chủ tịch UBND huyện' },
        reason: 'Đã có thành tích xuất sắc', nominationIds: [approved.id] },
    }), 201).id;
    // A failed notification of commune 03814's officer (no worker runs here: the row is written as the dispatcher would).
    notificationId = randomUUID();
    await api.database.pool.query(
      `INSERT INTO notification_outbox (id, template, delivery, source, nomination_id, recipient_id, recipient_email, recipient_name, locale,
         message_id, payload, status, attempts, last_error, occurred_at, failed_at, code_set, unit, ancestry_units)
       VALUES ($1, 'stage_arrived', 'immediate', $2, $3, 'can-bo-xa-chieng-lao', 'thanh@chienglao.gov.vn', 'Cầm Văn Thanh', 'vi',
         $4, '{}', 'failed', 1, '550 5.1.1 mailbox unavailable', now(), now(), 'gso-2004', '03814', '{03814,120,14}')`,
      [notificationId, randomUUID(), nominationId, `<${notificationId}@sonla.gov.vn>`],
    );
    expectOk(await api.request({
      method: 'PUT', url: '/staff/can-bo-xa-chieng-lao', as: { sub: 'admin-03814', name: 'Quản trị xã', roles: ['admin'], unit: '03814', codeSet: 'gso-2004' },
      body: { name: 'Cầm Văn Thanh', email: 'thanh@chienglao.gov.vn', unit: '03814', codeSet: 'gso-2004', roles: ['officer'], locale: 'vi', active: true },
    }));
  });
  afterAll(async () => {
    await api.close();
  });

  it('finds the routes (the catalogue is not empty and includes the command routes)', () => {
    expect(routes.length).toBeGreaterThan(20);
    expect(routes.map(label)).toEqual(expect.arrayContaining(['POST /nominations/:id/approve', 'POST /decisions/:id/revoke', 'PUT /staff/:id']));
  });

  it('API2/API5: only the deliberate public routes answer without a token; every other one answers 401 problem+json', async () => {
    const offenders: string[] = [];
    for (const route of routes) {
      if (route.isPublic) {
        if (!PUBLIC_ROUTES.has(label(route))) offenders.push(`${label(route)} is public but not in PUBLIC_ROUTES`);
        continue;
      }
      const response = await api.request({ method: route.method as 'GET', url: concrete(route), ...(WRITE_METHODS.has(route.method) ? { body: {} } : {}) });
      if (response.statusCode !== 401 || problemCode(response) !== 'unauthenticated') offenders.push(`${label(route)} → ${response.statusCode}`);
      // API8: even refusals carry the security headers and are never cached.
      if (response.headers['x-content-type-options'] !== 'nosniff' || response.headers['cache-control'] !== 'no-store') {
        offenders.push(`${label(route)} lacks nosniff or no-store`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('API5: a caller holding none of a route\'s roles gets 403 and nothing is written', async () => {
    const before = await api.eventCount();
    const offenders: string[] = [];
    for (const route of routes) {
      const user = route.isPublic ? undefined : outsider(route);
      if (user === undefined) continue;
      const response = await api.request({ method: route.method as 'GET', url: concrete(route, OBJECT_KINDS[route.path.split('/')[1]!]?.existing?.()), as: user, ...(WRITE_METHODS.has(route.method) ? { body: {} } : {}) });
      if (response.statusCode !== 403 || problemCode(response) !== 'forbidden') offenders.push(`${label(route)} as ${user.roles.join('+')} → ${response.statusCode}`);
    }
    expect(offenders).toEqual([]);
    expect(await api.eventCount()).toBe(before);
  });

  /** Valid bodies for the commands on one object, so that a foreign request gets past validation to ownership. */
  const COMMAND_BODIES: Record<string, (id: string) => unknown> = {
    'PATCH /nominations/:id': () => ({ year: 2022 }),
    'POST /nominations/:id/submit': () => ({}),
    'POST /nominations/:id/approve': () => ({ comment: 'Đủ điều kiện' }),
    'POST /nominations/:id/return': () => ({ reason: 'Thiếu biên bản', missing: ['council_minutes'] }),
    'POST /nominations/:id/reject': () => ({ reasonCode: 'other', reason: 'Không đạt' }),
    'POST /nominations/:id/withdraw': () => ({ reason: 'Rút hồ sơ' }),
    'POST /nominations/:id/council-votes': () => ({ sessionDate: '2023-03-20', minutesNumber: '05/BB', members: 9, present: 9, inFavour: 9, against: 0 }),
    'POST /decisions/:id/revoke': () => ({ number: '09/QĐ-UBND', signedOn: '2023-06-01', nominationIds: ['0b7d3f0e-6a7c-4f0e-9a53-2f9a1d6c1e01'], ground: 'false_declaration', reason: 'Khai man' }),
    'POST /admin/notifications/:id/retry': () => ({}),
    'PUT /staff/:id': () => ({ name: 'Cầm Văn Thanh', email: 'thanh@chienglao.gov.vn', unit: '03814', codeSet: 'gso-2004', roles: ['officer'], locale: 'vi', active: false }),
  };

  it('API1: every object route answers a caller outside the object\'s jurisdiction as if it did not exist, writing nothing', async () => {
    const before = await api.eventCount();
    const offenders: string[] = [];
    for (const route of routes.filter((r) => r.path.includes('/:') && !r.isPublic)) {
      const kind = OBJECT_KINDS[route.path.split('/')[1]!];
      if (kind === undefined) {
        offenders.push(`${label(route)}: no entry in OBJECT_KINDS saying how its ownership is tested`);
        continue;
      }
      if (kind.foreignStatus === undefined) continue;
      const user = kind.foreigner!(route);
      const body = WRITE_METHODS.has(route.method) ? (COMMAND_BODIES[label(route)]?.(nominationId) ?? {}) : undefined;
      const ask = (values: Record<string, string>) =>
        api.request({ method: route.method as 'GET', url: concrete(route, values), as: user, ...(body !== undefined ? { body } : {}) });
      const existing = await ask(kind.existing!());
      const missing = await ask({ id: '7f000000-0000-4000-8000-000000000001', code: '99' });
      const known = body === undefined || COMMAND_BODIES[label(route)] !== undefined;
      if (existing.statusCode < 400) offenders.push(`${label(route)}: a foreign ${user.roles.join('+')} of ${user.unit} got ${existing.statusCode}`);
      else if (known && existing.statusCode !== kind.foreignStatus) {
        offenders.push(`${label(route)}: a foreign ${user.roles.join('+')} of ${user.unit} got ${existing.statusCode} ${existing.body.slice(0, 120)}`);
      } else if (kind.foreignStatus === 404 && (existing.statusCode !== missing.statusCode || problemCode(existing) !== problemCode(missing))) {
        offenders.push(`${label(route)}: tells an existing object (${existing.statusCode}) from a missing one (${missing.statusCode})`);
      }
    }
    expect(offenders).toEqual([]);
    expect(await api.eventCount()).toBe(before);
  });

  it('API3: every write route refuses properties it does not define (mass assignment), naming them', async () => {
    const injected = { createdBy: { id: 'mallory' }, status: 'awarded', revision: 99, roles: ['admin'] };
    const offenders: string[] = [];
    for (const route of routes.filter((r) => WRITE_METHODS.has(r.method))) {
      const user: TestUser = { ...foreigner(route, '03814'), sub: 'owasp-mass' };
      const send = (body: unknown) => api.request({
        method: route.method as 'POST', url: concrete(route, OBJECT_KINDS[route.path.split('/')[1]!]?.existing?.()), body, ...(route.isPublic ? {} : { as: user }),
      });
      let response = await send(injected);
      const wantsArray = (r: TestResponse) => r.statusCode === 400
        && ((r.json() as { errors?: { field: string; message: string }[] }).errors ?? []).some((e) => e.field === 'body' && /array/.test(e.message));
      if (wantsArray(response)) response = await send([injected]);
      const fields = response.statusCode === 400 ? ((response.json() as { errors?: { field: string }[] }).errors ?? []).map((e) => e.field) : [];
      if (!fields.some((field) => /(^|\.|\])createdBy$/.test(field))) offenders.push(`${label(route)} → ${response.statusCode} ${JSON.stringify(fields)}`);
    }
    expect(offenders).toEqual([]);
  });

  it('API4: over-long path parameters (414), deep nesting (400) and oversized bodies (413) are refused on every route', async () => {
    const offenders: string[] = [];
    for (const route of routes) {
      const user: TestUser = { ...foreigner(route, '03814'), sub: 'owasp-limits' };
      const auth = route.isPublic ? {} : { as: user };
      if (route.path.includes('/:')) {
        const long = await api.request({ method: route.method as 'GET', url: route.path.replace(/:([A-Za-z]+)/, 'x'.repeat(5000)).replace(/:([A-Za-z]+)/g, 'x'), ...auth });
        if (long.statusCode !== 414) offenders.push(`${label(route)} long parameter → ${long.statusCode}`);
      }
      if (!WRITE_METHODS.has(route.method)) continue;
      const deep = await api.request({ method: route.method as 'POST', url: concrete(route), body: `${'['.repeat(100)}${']'.repeat(100)}`, ...auth });
      if (problemCode(deep) !== 'json_too_deep') offenders.push(`${label(route)} deep nesting → ${deep.statusCode}`);
      const big = await api.request({ method: route.method as 'POST', url: concrete(route), body: JSON.stringify({ reason: 'x'.repeat(5000) }), ...auth });
      if (big.statusCode !== 413) offenders.push(`${label(route)} oversized body → ${big.statusCode}`);
    }
    expect(offenders).toEqual([]);
  });

  it('API4: list routes cap their page size', async () => {
    const document = (await api.request({ method: 'GET', url: '/docs-json' })).json() as {
      paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>>;
    };
    const offenders: string[] = [];
    let checked = 0;
    for (const route of routes.filter((r) => r.method === 'GET' && !r.isPublic)) {
      const operation = document.paths[route.path.replace(/:([A-Za-z]+)/g, '{$1}')]?.['get'];
      if (!operation?.parameters?.some((p) => p.name === 'limit' && p.in === 'query')) continue;
      checked++;
      const user: TestUser = { ...foreigner(route, '14'), sub: 'owasp-page' };
      const response = await api.request({ method: 'GET', url: `${concrete(route)}?limit=100000`, as: user });
      if (response.statusCode !== 400) offenders.push(`${label(route)}?limit=100000 → ${response.statusCode}`);
    }
    expect(checked).toBeGreaterThan(0);
    expect(offenders).toEqual([]);
  });

  it('API9: the OpenAPI document describes every route', async () => {
    const document = (await api.request({ method: 'GET', url: '/docs-json' })).json() as { paths: Record<string, Record<string, unknown>> };
    const missing = routes
      .filter((route) => document.paths[route.path.replace(/:([A-Za-z]+)/g, '{$1}')]?.[route.method.toLowerCase()] === undefined)
      .map(label);
    expect(missing).toEqual([]);
  });
});
