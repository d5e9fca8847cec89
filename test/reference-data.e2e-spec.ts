import { TestApi, type TestUser } from './support/test-api';

const admin: TestUser = { sub: 'admin-1', name: 'Quản trị viên', roles: ['admin'], unit: '14', codeSet: 'gso-2004' };
const officer: TestUser = { sub: 'o-120', name: 'Nguyễn Thị Hằng', roles: ['officer'], unit: '120', codeSet: 'gso-2004' };

describe('reference data and administration', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await TestApi.start();
  });
  afterAll(async () => {
    await api.close();
  });

  it('lists rule sets with the one in force, and award types per rule set', async () => {
    const ruleSets = (await api.request({ method: 'GET', url: '/rule-sets', as: officer })).json().items as { id: string; inForce: boolean }[];
    expect(ruleSets.map((r) => r.id)).toEqual(['vn-2017', 'vn-2024', 'vn-2025']);
    expect(ruleSets.filter((r) => r.inForce).map((r) => r.id)).toEqual(['vn-2025']);
    const awards = (await api.request({ method: 'GET', url: '/award-types?ruleSet=vn-2017', as: officer })).json();
    expect(awards.ruleSet).toBe('vn-2017');
    expect(awards.items.map((a: { code: string }) => a.code)).toContain('GIAY_KHEN_HUYEN');
  });

  it('accepts minPosition on every reference read, as on any query (API.md), and refuses one that is not a log position', async () => {
    // These were 400 validation_failed ("property minPosition should not exist"), so a client that
    // sends its last Log-Position with every read (as API.md allows) could not read units or staff.
    for (const url of ['/rule-sets', '/award-types?ruleSet=vn-2017&', '/units?codeSet=gso-2004&', '/units/03814?codeSet=gso-2004&']) {
      const joined = `${url}${url.endsWith('&') ? '' : '?'}minPosition=1`;
      expect([joined, (await api.request({ method: 'GET', url: joined, as: officer })).statusCode]).toEqual([joined, 200]);
      const refused = await api.request({ method: 'GET', url: `${url}${url.endsWith('&') ? '' : '?'}minPosition=abc`, as: officer });
      expect([url, refused.statusCode, refused.json().code]).toEqual([url, 400, 'validation_failed']);
    }
    expect((await api.request({ method: 'GET', url: '/staff?unit=120&minPosition=1', as: admin })).statusCode).toBe(200);
  });

  it('upserts units in one request (the last record of a code wins) and lists them under their parent', async () => {
    const response = await api.request({
      method: 'PUT', url: '/units', as: admin,
      body: [
        { codeSet: 'gso-2004', code: '03856', name: 'Xã Nậm Giôn (tạm)', level: 'commune', parentCode: '120' },
        { codeSet: 'gso-2004', code: '03856', name: 'Xã Nậm Giôn', level: 'commune', parentCode: '120' },
        { codeSet: 'gso-2004', code: '03814', name: 'Xã Chiềng Lao', level: 'commune', parentCode: '120' },
      ],
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ upserted: 2 });
    const units = (await api.request({ method: 'GET', url: '/units?codeSet=gso-2004&parent=120', as: officer })).json().items as { code: string; name: string }[];
    expect(units.find((u) => u.code === '03856')?.name).toBe('Xã Nậm Giôn');
    expect(units.map((u) => u.code)).toEqual(expect.arrayContaining(['03808', '03814', '03856']));
  });

  it('refuses units that would break the directory, and writes none of them', async () => {
    const before = await api.database.pool.query('SELECT count(*)::int AS n FROM units');
    const response = await api.request({
      method: 'PUT', url: '/units', as: admin,
      body: [
        { codeSet: 'gso-2004', code: '03857', name: 'Xã Mới', level: 'commune', parentCode: '120' },
        { codeSet: 'gso-2004', code: '03858', name: 'Xã Mồ Côi', level: 'commune', parentCode: '999' },
      ],
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'validation_failed' });
    const after = await api.database.pool.query('SELECT count(*)::int AS n FROM units');
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });

  it('lets only admins change units and staff', async () => {
    const units = await api.request({ method: 'PUT', url: '/units', as: officer, body: [] });
    expect(units.statusCode).toBe(403);
    const staff = await api.request({
      method: 'PUT', url: '/staff/o-120', as: officer,
      body: { name: 'Nguyễn Thị Hằng', email: 'hang@muongla.sonla.gov.vn', unit: '120', roles: ['officer'], locale: 'vi', active: true },
    });
    expect(staff.statusCode).toBe(403);
  });

  it('keeps the staff directory, Vietnamese names in NFC', async () => {
    const put = await api.request({
      method: 'PUT', url: '/staff/o-120', as: admin,
      body: { name: 'Nguyễn Thị Hằng'.normalize('NFD'), email: 'hang@muongla.sonla.gov.vn', unit: '120', codeSet: 'gso-2004', roles: ['officer'], locale: 'vi', active: true },
    });
    expect(put.statusCode).toBe(200);
    const items = (await api.request({ method: 'GET', url: '/staff?unit=120', as: admin })).json().items;
    expect(items).toEqual([expect.objectContaining({ id: 'o-120', name: 'Nguyễn Thị Hằng'.normalize('NFC'), roles: ['officer'], active: true })]);
  });
});
