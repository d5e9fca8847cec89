import {
  approve,
  command,
  createAndApprove,
  createAndSubmit,
  expectOk,
  expectProblem,
  gso2004,
  nominationBody,
  nominees,
  type View,
} from './support/nomination-fixtures';
import { TestApi, type TestUser } from './support/test-api';

/*
 * Issue 12, finding 14 (second half): re-parenting a unit never widens who can read the nominations
 * and decisions recorded before; their recorded unit ancestry decides. Xã Chiềng Lao (03814) is moved
 * from Huyện Mường La (120) to Thành phố Sơn La (116) after it proposed four nominations and two
 * decisions were issued on them (one by the district, one by the commune itself).
 */
const { proposer, communeOfficer, communeDecider, districtOfficer, districtDecider } = gso2004;
const as = (sub: string, name: string, roles: TestUser['roles'], unit: string): TestUser => ({ sub, name, roles, unit, codeSet: 'gso-2004' });
const newOfficer = as('o-116', 'Đỗ Văn Bình', ['officer'], '116');
const newAuditor = as('a-116', 'Thanh tra thành phố — Vì Văn Hùng', ['auditor'], '116');
const newProposer = as('p-116', 'Lò Văn Sơn', ['proposer'], '116');
const newDecider = gso2004.otherDistrictDecider;
const oldAuditor = as('a-120', 'Thanh tra huyện — Đặng Thị Hương', ['auditor'], '120');
const provinceAuditor = as('a-14', 'Thanh tra tỉnh — Hà Văn Tùng', ['auditor'], '14');
const provinceAdmin = as('admin-14', 'Quản trị tỉnh', ['admin'], '14');

const signer = (name: string, title: string) => ({ name, title });

describe('security: re-parenting a unit never widens who reads what was recorded before (12.14)', () => {
  let api: TestApi;
  let awarded: View;
  let atDistrict: View;
  let returned: View;
  let communeAwarded: View;
  let projectedLate: View;
  let oldIds: string[];
  let districtDecision: string;
  let communeDecision: string;

  const get = async (user: TestUser, url: string): Promise<View> => expectOk(await api.request({ method: 'GET', url, as: user }));
  const ids = (page: View, key = 'id'): string[] => page.items.map((item: View) => item[key]);

  beforeAll(async () => {
    api = await TestApi.start();
    await api.startWorker();
    awarded = await createAndApprove(api, proposer, [communeOfficer, districtOfficer], nominationBody({ awardCode: 'GIAY_KHEN_HUYEN' }));
    districtDecision = expectOk(await api.request({
      method: 'POST', url: '/decisions', as: districtDecider, body: {
        number: '301/QĐ-UBND', signedOn: '2023-03-24', signer: signer('Lường Văn Chiến', 'Chủ tịch UBND huyện Mường La'),
        reason: 'Đã có thành tích xuất sắc trong phong trào thi đua năm 2022', nominationIds: [awarded.id],
      },
    }), 201).id;
    communeAwarded = await createAndApprove(api, proposer, [communeOfficer], nominationBody({ awardCode: 'GIAY_KHEN_XA', nominee: nominees.household }));
    communeDecision = expectOk(await api.request({
      method: 'POST', url: '/decisions', as: communeDecider, body: {
        number: '12/QĐ-UBND', signedOn: '2023-03-20', signer: signer('Quàng Văn Lả', 'Chủ tịch UBND xã Chiềng Lao'),
        reason: 'Gia đình tiêu biểu năm 2022', nominationIds: [communeAwarded.id],
      },
    }), 201).id;
    atDistrict = await createAndApprove(api, proposer, [communeOfficer], nominationBody({ awardCode: 'GIAY_KHEN_HUYEN', nominee: nominees.individual }));
    returned = await createAndSubmit(api, proposer, nominationBody({ awardCode: 'GIAY_KHEN_HUYEN' }));
    expectOk(await command(api, communeOfficer, returned.id, 'return', { reason: 'Thiếu biên bản họp', missing: ['council_minutes'] }));
    // Created while the worker is down, and projected only after the move: the projections must use
    // what the event recorded, not the unit tree of the moment they run.
    await api.stopWorker();
    projectedLate = expectOk(await api.request({ method: 'POST', url: '/nominations', as: proposer, body: nominationBody() }), 201);

    expectOk(await api.request({
      method: 'PUT', url: '/units', as: provinceAdmin,
      body: [{ codeSet: 'gso-2004', code: '03814', name: 'Xã Chiềng Lao', level: 'commune', parentCode: '116' }],
    }));
    // Every consumer caught up with what was written while it was down (a restart on a loaded machine
    // takes longer than a read's Min-Position wait).
    await (await api.startWorker()).waitForAll(BigInt(projectedLate.position as string), 60_000);
    oldIds = [awarded.id, atDistrict.id, returned.id, communeAwarded.id, projectedLate.id];
  });
  afterAll(async () => {
    await api?.close();
  });

  it('the move took effect: Chiềng Lao is listed under Thành phố Sơn La', async () => {
    const unit = await get(provinceAdmin, '/units/03814?codeSet=gso-2004');
    expect(unit).toMatchObject({ code: '03814', parentCode: '116' });
  });

  it('the new district\'s staff see nothing of the older nominations on any nomination route', async () => {
    for (const user of [newOfficer, newAuditor, newProposer, newDecider]) {
      for (const query of ['?limit=200', '?unit=03814&limit=200', '?unit=116&limit=200', '?status=awarded']) {
        expect(ids(await get(user, `/nominations${query}`))).toEqual([]);
      }
      for (const id of oldIds) {
        for (const url of [`/nominations/${id}`, `/nominations/${id}?revision=0`, `/nominations/${id}/history`]) {
          expectProblem(await api.request({ method: 'GET', url, as: user }), 404, 'not_found');
        }
      }
      expect(ids(await get(user, '/inbox'), 'nominationId')).toEqual([]);
    }
  });

  it('nor any decision issued on them, nor their reports', async () => {
    for (const user of [newOfficer, newAuditor, newDecider]) {
      for (const id of [districtDecision, communeDecision]) {
        expectProblem(await api.request({ method: 'GET', url: `/decisions/${id}`, as: user }), 404, 'not_found');
      }
      for (const query of ['', '?unit=03814', '?year=2023']) expect(ids(await get(user, `/decisions${query}`))).toEqual([]);
      for (const query of ['', '?unit=03814', '?year=2022']) {
        const report = await get(user, `/reports/awards${query}`);
        expect(report.rows).toEqual([]);
        expect(report.totals).toEqual({ count: 0, bonusTotal: 0 });
      }
      for (const query of ['', '?unit=03814']) expect((await get(user, `/reports/stages${query}`)).rows).toEqual([]);
    }
  });

  it('nor their audit trail', async () => {
    for (const query of ['?limit=200', '?unit=03814&limit=200', `?nominationId=${awarded.id}`, `?decisionId=${communeDecision}`]) {
      const response = await api.request({ method: 'GET', url: `/audit/events${query}`, as: newAuditor });
      if (response.statusCode === 403) continue;
      const page = expectOk(response);
      expect(page.items).toEqual([]);
    }
    const csv = await api.request({ method: 'GET', url: '/audit/events', as: newAuditor, headers: { accept: 'text/csv' } });
    expect(csv.statusCode).toBe(200);
    expect(csv.body.trim().split('\r\n')).toHaveLength(1);
  });

  it('the old district and the province keep reading all of it', async () => {
    for (const user of [districtOfficer, oldAuditor, districtDecider, provinceAuditor]) {
      expect(ids(await get(user, '/nominations?limit=200'))).toEqual(expect.arrayContaining(oldIds));
      expect(ids(await get(user, '/nominations?unit=03814&limit=200'))).toEqual(expect.arrayContaining(oldIds));
      for (const id of oldIds) {
        expect((await get(user, `/nominations/${id}`)).id).toBe(id);
        expect((await get(user, `/nominations/${id}/history`)).items[0].type).toBe('NominationCreated');
      }
      for (const id of [districtDecision, communeDecision]) expect((await get(user, `/decisions/${id}`)).id).toBe(id);
      expect(ids(await get(user, '/decisions?limit=200'))).toEqual(expect.arrayContaining([districtDecision, communeDecision]));
      expect((await get(user, '/reports/awards')).totals.count).toBe(2);
      expect((await get(user, '/reports/awards?unit=03814')).totals.count).toBe(2);
      expect((await get(user, '/reports/stages')).rows.map((r: View) => r.unit)).toContain('03814');
    }
    expect(ids(await get(districtOfficer, '/inbox'), 'nominationId')).toEqual([atDistrict.id]);
    expect(ids(await get(proposer, '/inbox'), 'nominationId')).toEqual([returned.id]);
    for (const user of [oldAuditor, provinceAuditor]) {
      const seen = new Set((await get(user, '/audit/events?limit=200')).items.map((i: View) => i.nominationId ?? i.decisionId));
      for (const id of [...oldIds, districtDecision, communeDecision]) expect(seen).toContain(id);
    }
  });

  it('writes follow the recorded route: the old district still acts at its stage, the new one does not', async () => {
    expectProblem(await command(api, newOfficer, atDistrict.id, 'approve', { comment: 'Đồng ý' }), 404, 'not_found');
    expectProblem(await command(api, newOfficer, returned.id, 'reject', { reasonCode: 'other', reason: 'Không thuộc thẩm quyền' }), 404, 'not_found');
    expect((await approve(api, districtOfficer, atDistrict.id)).status).toBe('approved');
    expect(ids(await get(districtDecider, '/inbox'), 'nominationId')).toEqual([atDistrict.id]);
    expect(ids(await get(newDecider, '/inbox'), 'nominationId')).toEqual([]);
    // The proposing unit still edits and resubmits its own, to the stage that returned it.
    expect((await command(api, proposer, returned.id, 'submit')).statusCode).toBe(200);
  });

  it('a nomination created after the move takes the new route, and only the new chain reads it', async () => {
    const fresh = await createAndApprove(api, proposer, [communeOfficer], nominationBody({ awardCode: 'GIAY_KHEN_HUYEN', nominee: nominees.individual }));
    expect(fresh.currentStage).toMatchObject({ unit: '116' });
    expect(fresh.route.map((s: View) => s.unit)).toEqual(['03814', '116']);
    expect((await get(newOfficer, `/nominations/${fresh.id}`)).id).toBe(fresh.id);
    expect(ids(await get(newOfficer, '/inbox'), 'nominationId')).toEqual([fresh.id]);
    expectProblem(await api.request({ method: 'GET', url: `/nominations/${fresh.id}`, as: districtOfficer }), 404, 'not_found');
    expect(ids(await get(oldAuditor, '/nominations?limit=200'))).not.toContain(fresh.id);
    expect(ids(await get(provinceAuditor, '/nominations?limit=200'))).toContain(fresh.id);
  });
});
