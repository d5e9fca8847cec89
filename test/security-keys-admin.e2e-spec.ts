import { expectOk, expectProblem, gso2004, nominationBody } from './support/nomination-fixtures';
import { TestApi, type TestUser } from './support/test-api';

/* Issue 12, findings 12 (Idempotency-Key replays and reuse after purge) and 14 (admin actions bounded by the admin's unit). */

describe('security: Idempotency-Key replays (12.12)', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await TestApi.start();
  });
  afterAll(async () => {
    await api.close();
  });

  const create = (as: TestUser, key: string, body: Record<string, unknown>) =>
    api.request({ method: 'POST', url: '/nominations', as, body, headers: { 'idempotency-key': key } });

  it('refuses a key reused after its record was purged with a different body (422), and replays the same body from the log', async () => {
    const first = expectOk(await create(gso2004.proposer, 'purged-1', nominationBody()), 201);
    await api.database.pool.query('DELETE FROM idempotency_records');
    const before = await api.eventCount();
    const other = nominationBody({ achievements: 'Một hồ sơ khác hẳn, với thành tích khác năm 2022.' });
    expectProblem(await create(gso2004.proposer, 'purged-1', other), 422, 'idempotency_key_reused');
    expect(await api.eventCount()).toBe(before);
    const again = expectOk(await create(gso2004.proposer, 'purged-1', nominationBody()), 201);
    expect(again.id).toBe(first.id);
    expect(await api.eventCount()).toBe(before);
  });

  it('re-checks the caller\'s jurisdiction when replaying a stored answer', async () => {
    const created = expectOk(await create(gso2004.proposer, 'moved-1', nominationBody()), 201);
    // The same person, now acting for another commune, replays the key.
    const moved: TestUser = { ...gso2004.proposer, unit: '03820' };
    const replay = await create(moved, 'moved-1', nominationBody());
    expectProblem(replay, 404, 'not_found');
    expect(replay.body).not.toContain(created.id);
    expect((await create(gso2004.proposer, 'moved-1', nominationBody())).headers['idempotent-replayed']).toBe('true');
  });
});

describe('security: admin actions bounded by the admin\'s unit (12.14)', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await TestApi.start();
  });
  afterAll(async () => {
    await api.close();
  });

  const communeAdmin: TestUser = { sub: 'admin-03814', name: 'Quản trị xã Chiềng Lao', roles: ['admin'], unit: '03814', codeSet: 'gso-2004' };
  const provinceAdmin: TestUser = { sub: 'admin-14', name: 'Quản trị tỉnh', roles: ['admin'], unit: '14', codeSet: 'gso-2004' };
  const unit = (code: string, parentCode: string, name: string) => ({ codeSet: 'gso-2004', code, name, level: 'commune', parentCode });
  const staff = (unitCode: string) => ({ name: 'Lò Văn Thành', email: 'thanh@sonla.gov.vn', unit: unitCode, codeSet: 'gso-2004', roles: ['officer'], locale: 'vi', active: true });

  it('a commune admin cannot re-parent or rename another unit, nor manage staff elsewhere', async () => {
    const units = async () => JSON.stringify((await api.request({ method: 'GET', url: '/units?codeSet=gso-2004', as: provinceAdmin })).json());
    const before = await units();
    for (const body of [[unit('03820', '116', 'Xã Ngọc Chiến')], [unit('03820', '03814', 'Xã Ngọc Chiến')], [unit('03814', '116', 'Xã Chiềng Lao')]]) {
      expectProblem(await api.request({ method: 'PUT', url: '/units', as: communeAdmin, body }), 403, 'forbidden');
    }
    expect(await units()).toBe(before);
    expectProblem(await api.request({ method: 'PUT', url: '/staff/o-120-new', as: communeAdmin, body: staff('120') }), 403, 'forbidden');
    expectOk(await api.request({ method: 'PUT', url: '/staff/o-120-new', as: provinceAdmin, body: staff('120') }));
    // Taking over someone of another unit by moving them into one's own is refused too.
    expectProblem(await api.request({ method: 'PUT', url: '/staff/o-120-new', as: communeAdmin, body: staff('03814') }), 403, 'forbidden');
    expectProblem(await api.request({ method: 'GET', url: '/staff?unit=120', as: communeAdmin }), 403, 'forbidden');
    const listed = expectOk(await api.request({ method: 'GET', url: '/staff', as: communeAdmin }));
    expect(listed.items.map((m: { unit: string }) => m.unit)).not.toContain('120');
  });

  it('an admin may manage their own unit and the units under it', async () => {
    expectOk(await api.request({ method: 'PUT', url: '/staff/o-03814-new', as: communeAdmin, body: staff('03814') }));
    expectOk(await api.request({ method: 'PUT', url: '/units', as: provinceAdmin, body: [unit('03820', '120', 'Xã Ngọc Chiến')] }));
    expectOk(await api.request({ method: 'PUT', url: '/units', as: communeAdmin, body: [unit('03814', '120', 'Xã Chiềng Lao')] }));
  });
});
