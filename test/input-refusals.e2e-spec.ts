import { expectProblem, gso2004, nominationBody } from './support/nomination-fixtures';
import { TestApi } from './support/test-api';

/*
 * Inputs that once reached a 500 (issue 11): each is now a clear 400 validation_failed that names the
 * field, and nothing is written.
 */
const admin = { sub: 'admin-14', name: 'Quản trị viên tỉnh', roles: ['admin'] as const, unit: '14', codeSet: 'gso-2004' as const };

describe('inputs PostgreSQL or the transformer could not take are refused as bad input', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await TestApi.start();
  });
  afterAll(async () => {
    await api.close();
  });

  it.each([
    ['[null]', [null]],
    ['[]', []],
    ['null', null],
    ['a string', 'Trường Tiểu học'],
    ['[{ kind: "collective" }]', [{ kind: 'collective', name: 'Trường Tiểu học Chiềng Lao' }]],
  ])('POST /nominations with nominee %s', async (_, nominee) => {
    const before = await api.eventCount();
    const body = expectProblem(await api.request({ method: 'POST', url: '/nominations', as: gso2004.proposer, body: nominationBody({ nominee }) }), 400, 'validation_failed');
    expect(body.errors.map((e: { field: string }) => e.field)).toContain('nominee');
    expect(await api.eventCount()).toBe(before);
  });

  it('PATCH /nominations/{id} with nominee [null]', async () => {
    const created = (await api.request({ method: 'POST', url: '/nominations', as: gso2004.proposer, body: nominationBody() })).json();
    expectProblem(await api.request({ method: 'PATCH', url: `/nominations/${created.id}`, as: gso2004.proposer, body: { nominee: [null] } }), 400, 'validation_failed');
  });

  it.each([
    ['a NUL character', 'Lò Văn\u0000 Thành'],
    ['an unpaired surrogate', 'Lò Văn \uD83C Thành'],
  ])('PUT /staff/{id} with %s in the name', async (_, name) => {
    const response = await api.request({
      method: 'PUT', url: '/staff/s-nul', as: admin,
      body: { name, email: 'thanh.lv@muongla.sonla.gov.vn', unit: '120', roles: ['officer'], locale: 'vi', active: true },
    });
    const body = expectProblem(response, 400, 'validation_failed');
    expect(body.errors).toEqual([expect.objectContaining({ field: 'name' })]);
    const { rows } = await api.database.pool.query('SELECT 1 FROM staff WHERE id = $1', ['s-nul']);
    expect(rows).toEqual([]);
  });

  it('PUT /units with a NUL character in a name', async () => {
    const response = await api.request({
      method: 'PUT', url: '/units', as: admin,
      body: [{ codeSet: 'gso-2004', code: '03898', name: 'Xã\u0000 Chiềng Mới', level: 'commune', parentCode: '120' }],
    });
    expectProblem(response, 400, 'validation_failed');
    const { rows } = await api.database.pool.query("SELECT 1 FROM units WHERE code = '03898'");
    expect(rows).toEqual([]);
  });

  it('still takes a name with characters outside the Basic Multilingual Plane', async () => {
    const response = await api.request({
      method: 'PUT', url: '/staff/s-emoji', as: admin,
      body: { name: 'Lò Văn Thành 🏅', email: 'thanh.lv@muongla.sonla.gov.vn', unit: '120', roles: ['officer'], locale: 'vi', active: true },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().name).toBe('Lò Văn Thành 🏅');
  });
});
