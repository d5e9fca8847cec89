import { randomUUID } from 'node:crypto';
import { councilVote, gso2004, gso2025, nominationBody, nominees } from './support/nomination-fixtures';
import { OpenApiValidator } from './support/openapi-validator';
import { TestApi, type InjectOptions, type TestResponse } from './support/test-api';

/*
 * A whole working day through the api, every request and every answer checked against the document
 * the api serves at /docs-json (OpenApiValidator, the role a validating proxy such as Prism plays):
 * reference data, staff, a nomination created, edited, submitted, voted on, approved at both stages,
 * decided and revoked, the other outcomes (return, reject, withdraw, bulk), and the error answers a
 * client must be able to parse. Any undocumented status, media type, field or shape fails the test.
 */
const { proposer, communeOfficer, districtOfficer, districtDecider } = gso2004;
const admin = { sub: 'admin-14', name: 'Quản trị viên tỉnh', roles: ['admin'] as const, unit: '14', codeSet: 'gso-2004' as const };

describe('the api answers exactly as its OpenAPI document says', () => {
  let api: TestApi;
  let validator: OpenApiValidator;

  beforeAll(async () => {
    api = await TestApi.start();
    const document = await api.request({ method: 'GET', url: '/docs-json' });
    expect(document.statusCode).toBe(200);
    validator = new OpenApiValidator(document.json());
  });
  afterAll(async () => {
    await api.close();
  });

  /** Sends a request, fails on any violation of the document, and checks the status. */
  async function call(request: InjectOptions, status: number, options: { requestIsInvalid?: boolean } = {}): Promise<TestResponse> {
    const response = await api.request(request);
    expect(validator.check(request, response, options)).toEqual([]);
    if (response.statusCode !== status) throw new Error(`expected ${status}, got ${response.statusCode}: ${response.body.slice(0, 500)}`);
    return response;
  }

  const nominationCommand = (id: string, name: string, as: InjectOptions['as'], body: unknown, status = 200, headers?: Record<string, string>) =>
    call({ method: 'POST', url: `/nominations/${id}/${name}`, as, body, ...(headers ? { headers } : {}) }, status);

  async function approvedNomination(kind: keyof typeof nominees = 'collective'): Promise<string> {
    const created = (await call({ method: 'POST', url: '/nominations', as: proposer, body: nominationBody({ awardCode: 'GIAY_KHEN_HUYEN', nominee: nominees[kind] }) }, 201)).json();
    await nominationCommand(created.id, 'submit', proposer, {});
    await nominationCommand(created.id, 'approve', communeOfficer, { comment: 'Đủ điều kiện' });
    await nominationCommand(created.id, 'approve', districtOfficer, { comment: 'Đề nghị Chủ tịch UBND huyện khen thưởng' });
    return created.id;
  }

  it('operations and reference data', async () => {
    await call({ method: 'GET', url: '/health/live' }, 200);
    await call({ method: 'GET', url: '/health/ready' }, 200);
    await call({ method: 'GET', url: '/rule-sets', as: proposer }, 200);
    await call({ method: 'GET', url: '/award-types?ruleSet=vn-2017', as: proposer }, 200);
    await call({ method: 'GET', url: '/units?codeSet=gso-2004&parent=120', as: proposer }, 200);
    await call({ method: 'GET', url: '/units/03814?codeSet=gso-2004', as: proposer }, 200);
    await call({ method: 'PUT', url: '/units', as: admin, body: [{ codeSet: 'gso-2004', code: '03899', name: 'Xã Chiềng Mới', level: 'commune', parentCode: '120' }] }, 200);
    await call({ method: 'PUT', url: `/staff/${randomUUID()}`, as: admin, body: { name: 'Nguyễn Thị Hằng', email: 'hang@muongla.gov.vn', unit: '120', roles: ['officer'], locale: 'vi', active: true } }, 200);
    await call({ method: 'GET', url: '/staff?unit=120', as: admin }, 200);
  });

  it('create → edit → submit → vote → approve → approve → decision → revoke', async () => {
    const created = (await call({ method: 'POST', url: '/nominations', as: proposer, body: nominationBody({ awardCode: 'GIAY_KHEN_HUYEN', nominee: nominees.individual }), headers: { 'idempotency-key': randomUUID() } }, 201)).json();
    const id = created.id as string;
    await call({ method: 'PATCH', url: `/nominations/${id}`, as: proposer, body: { achievements: 'Hoàn thành xuất sắc nhiệm vụ năm học 2021-2022; bổ sung minh chứng.' }, headers: { 'if-match': '"0"' } }, 200);
    await nominationCommand(id, 'submit', proposer, {});
    await nominationCommand(id, 'council-votes', communeOfficer, councilVote(9, 8));
    await nominationCommand(id, 'approve', communeOfficer, { comment: 'Đủ điều kiện' });
    await nominationCommand(id, 'approve', districtOfficer, { comment: 'Đề nghị khen thưởng' });
    await call({ method: 'GET', url: `/nominations/${id}`, as: proposer }, 200);
    await call({ method: 'GET', url: `/nominations/${id}?revision=1`, as: proposer }, 200);
    await call({ method: 'GET', url: `/nominations/${id}/history`, as: proposer }, 200);

    const decision = (await call({
      method: 'POST', url: '/decisions', as: districtDecider,
      body: { number: `${Math.floor(Math.random() * 1e6)}/QĐ-UBND`, signedOn: '2023-03-24', signer: { name: 'Lường Văn Chiến', title: 'Chủ tịch UBND huyện Mường La' }, reason: 'Đã có thành tích xuất sắc trong phong trào thi đua năm 2022', nominationIds: [id, await approvedNomination('household')] },
    }, 201)).json();
    await call({ method: 'GET', url: `/decisions/${decision.id}`, as: districtDecider }, 200);
    await call({ method: 'GET', url: `/nominations/${id}`, as: proposer }, 200);
    // Districts were abolished in 2025: the province (gso-2025) revokes what a district decided.
    await call({
      method: 'POST', url: `/decisions/${decision.id}/revoke`, as: gso2025.provinceDecider,
      body: { number: `${Math.floor(Math.random() * 1e6)}/QĐ-UBND`, signedOn: '2023-06-01', nominationIds: [id], ground: 'false_declaration', reason: 'Kê khai không đúng thành tích' },
    }, 200);
    await call({ method: 'GET', url: `/nominations/${id}`, as: proposer }, 200);
  });

  it('return, reject, withdraw and bulk outcomes', async () => {
    const returned = (await call({ method: 'POST', url: '/nominations', as: proposer, body: nominationBody({ awardCode: 'GIAY_KHEN_HUYEN' }) }, 201)).json().id as string;
    await nominationCommand(returned, 'submit', proposer, {});
    await nominationCommand(returned, 'return', communeOfficer, { reason: 'Thiếu biên bản họp Hội đồng', missing: ['council_minutes'] });
    await nominationCommand(returned, 'withdraw', proposer, { reason: 'Đơn vị xin rút hồ sơ' });
    await call({ method: 'GET', url: `/nominations/${returned}`, as: proposer }, 200);

    const rejected = (await call({ method: 'POST', url: '/nominations', as: proposer, body: nominationBody({ awardCode: 'GIAY_KHEN_HUYEN' }) }, 201)).json().id as string;
    await nominationCommand(rejected, 'submit', proposer, {});
    await nominationCommand(rejected, 'reject', communeOfficer, { reasonCode: 'standard_not_met', reason: 'Chưa đạt tiêu chuẩn' });

    const pending = (await call({ method: 'POST', url: '/nominations', as: proposer, body: nominationBody({ awardCode: 'GIAY_KHEN_HUYEN' }) }, 201)).json().id as string;
    await nominationCommand(pending, 'submit', proposer, {});
    await call({ method: 'POST', url: '/nominations/bulk/approve', as: communeOfficer, body: { ids: [pending, rejected, randomUUID()], comment: 'Đủ điều kiện' } }, 200);
    await call({ method: 'POST', url: '/nominations/bulk/return', as: districtOfficer, body: { ids: [pending], reason: 'Bổ sung hồ sơ', missing: ['supporting'] } }, 200);
    await call({ method: 'POST', url: '/nominations/bulk/reject', as: districtOfficer, body: { ids: [randomUUID()], reasonCode: 'standard_not_met', reason: 'Chưa đạt' } }, 200);
  });

  it('the error answers', async () => {
    const id = (await call({ method: 'POST', url: '/nominations', as: proposer, body: nominationBody({ awardCode: 'GIAY_KHEN_HUYEN' }) }, 201)).json().id as string;

    await call({ method: 'POST', url: '/nominations', as: proposer, body: nominationBody({ surprise: true }) }, 400, { requestIsInvalid: true });
    await call({ method: 'POST', url: '/nominations', as: proposer, body: '{"ruleSet": ' }, 400, { requestIsInvalid: true });
    await call({ method: 'GET', url: `/nominations/${id}` }, 401);
    await call({ method: 'PUT', url: '/units', as: proposer, body: [] }, 403);
    await call({ method: 'GET', url: `/nominations/${randomUUID()}`, as: proposer }, 404);
    await nominationCommand(id, 'approve', communeOfficer, { comment: 'Chưa nộp' }, 409);
    await nominationCommand(id, 'submit', proposer, {}, 412, { 'if-match': '"7"' });
    const key = randomUUID();
    await nominationCommand(id, 'submit', proposer, {}, 200, { 'idempotency-key': key });
    await call({ method: 'POST', url: `/nominations/${id}/withdraw`, as: proposer, body: { reason: 'Khác' }, headers: { 'idempotency-key': key } }, 422);
    await call({ method: 'POST', url: '/nominations', as: proposer, body: JSON.stringify({ achievements: 'x'.repeat(3_000_000) }) }, 413, { requestIsInvalid: true });
    await call({ method: 'POST', url: '/nominations', as: proposer, body: 'ruleSet=vn-2017', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, 415, { requestIsInvalid: true });
  });
});
