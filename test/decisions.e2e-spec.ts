import { randomUUID } from 'node:crypto';
import {
  createAndApprove,
  createNomination,
  expectOk,
  expectProblem,
  expectStatus,
  getNomination,
  gso2004,
  gso2025,
  nominationBody,
  nominationBody2025,
  nominees,
  type View,
} from './support/nomination-fixtures';
import { TestApi, type TestResponse, type TestUser } from './support/test-api';

const { proposer, communeOfficer, districtOfficer, districtDecider, provinceOfficer, provinceDecider, otherDistrictDecider } = gso2004;

/**
 * Signed 2023-03-24: base salary 1,490,000 VND (Decree 38/2019) × the vn-2017 multiples of GIAY_KHEN_HUYEN
 * (0.6 collective, 0.3 individual, 0.45 household), each rounded up to the next 10,000 VND.
 */
const BONUS = { collective: 900_000, individual: 450_000, household: 680_000 } as const;

type NomineeKind = keyof typeof nominees;

const signer = { name: 'Lường Văn Chiến', title: 'Chủ tịch UBND huyện Mường La' };

function decisionBody(number: string, nominationIds: readonly string[], overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    number,
    signedOn: '2023-03-24',
    signer,
    reason: 'Đã có thành tích xuất sắc trong phong trào thi đua năm 2022',
    nominationIds,
    ...overrides,
  };
}

describe('decisions over HTTP (real PostgreSQL)', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await TestApi.start();
  });
  afterAll(async () => {
    await api.close();
  });

  /** A GIAY_KHEN_HUYEN nomination (vn-2017) approved at its deciding stage, district 120. */
  async function approvedAtDistrict(kind: NomineeKind = 'collective', by: TestUser = proposer): Promise<View> {
    const view = await createAndApprove(api, by, [communeOfficer, districtOfficer], nominationBody({ awardCode: 'GIAY_KHEN_HUYEN', nominee: nominees[kind] }));
    expect(view.status).toBe('approved');
    return view;
  }

  async function issue(as: TestUser, body: Record<string, unknown>, headers?: Record<string, string>): Promise<TestResponse> {
    return api.request({ method: 'POST', url: '/decisions', as, body, ...(headers ? { headers } : {}) });
  }

  async function statusesOf(ids: readonly string[]): Promise<string[]> {
    return Promise.all(ids.map(async (id) => (await getNomination(api, proposer, id)).status as string));
  }

  it('issues one decision covering eight approved nominations: each becomes awarded with its number, date and bonus', async () => {
    const kinds: NomineeKind[] = ['collective', 'collective', 'individual', 'household', 'collective', 'individual', 'household', 'collective'];
    const nominations: View[] = [];
    for (const kind of kinds) nominations.push(await approvedAtDistrict(kind));
    const ids = nominations.map((n) => n.id as string);
    const before = await api.eventCount();

    const response = await issue(districtDecider, decisionBody('125/QĐ-UBND', ids));
    const decision = expectOk(response, 201);
    expect(response.headers['location']).toBe(`/decisions/${decision.id}`);
    expect(decision).toMatchObject({
      number: '125/QĐ-UBND',
      signedOn: '2023-03-24',
      signer,
      codeSet: 'gso-2004',
      issuingUnit: '120',
      issuedBy: { id: districtDecider.sub, unit: '120' },
    });
    expect(decision.nominations.map((n: View) => [n.nominationId, n.awardCode, n.nomineeKind, n.bonusAmount])).toEqual(
      kinds.map((kind, i) => [ids[i], 'GIAY_KHEN_HUYEN', kind, BONUS[kind]]),
    );
    expect(decision.bonusTotal).toBe(kinds.reduce((sum, kind) => sum + BONUS[kind], 0));
    // One DecisionIssued, one NominationAwarded per nomination.
    expect(await api.eventCount()).toBe(before + 1 + ids.length);

    for (const [i, id] of ids.entries()) {
      const view = await getNomination(api, proposer, id);
      expect(view).toMatchObject({
        status: 'awarded',
        decision: {
          decisionId: decision.id, decisionNumber: '125/QĐ-UBND', signedOn: '2023-03-24', issuingUnit: '120',
          bonusAmount: BONUS[kinds[i]!],
        },
      });
    }
    const history = expectOk(await api.request({ method: 'GET', url: `/nominations/${ids[0]}/history`, as: proposer }));
    expect(history.items.at(-1)).toMatchObject({ type: 'NominationAwarded', actor: { id: districtDecider.sub } });

    // Readable by the issuing unit and the units above it, not by another district.
    // The command's answer also carries the log position it left behind; the read is the same decision.
    expect(decision.position).toMatch(/^\d+$/);
    expect(response.headers['log-position']).toBe(decision.position);
    const { position: _written, ...issued } = decision;
    expect(expectOk(await api.request({ method: 'GET', url: `/decisions/${decision.id}`, as: districtDecider }))).toEqual(issued);
    expect(expectOk(await api.request({ method: 'GET', url: `/decisions/${decision.id}`, as: provinceOfficer })).id).toBe(decision.id);
    expectProblem(await api.request({ method: 'GET', url: `/decisions/${decision.id}`, as: otherDistrictDecider }), 404, 'not_found');
    expectProblem(await api.request({ method: 'GET', url: `/decisions/${randomUUID()}`, as: districtDecider }), 404, 'not_found');
  });

  it('refuses a decision number already issued by the same unit, however it is written', async () => {
    const first = await approvedAtDistrict();
    expectOk(await issue(districtDecider, decisionBody('200/QĐ-UBND', [first.id])), 201);

    const others = [await approvedAtDistrict(), await approvedAtDistrict('individual')];
    const ids = others.map((n) => n.id as string);
    const before = await api.eventCount();
    // Look-alikes read the same on paper: zero-width space, word joiner, Icelandic Ð for Đ, full-width digits.
    for (const spelling of ['200/QĐ-UBND', '200/qđ-ubnd', '200/QD-UBND', ' 200 / qđ - ubnd ', '200/Q\u200BĐ-UBND', '200\u2060/QĐ-UBND', '200/QÐ-UBND', '２００/QĐ-UBND']) {
      const taken = expectProblem(await issue(districtDecider, decisionBody(spelling, ids)), 409, 'decision_number_taken');
      expect(taken.details).toMatchObject({ issuingUnit: '120' });
    }
    expect(await api.eventCount()).toBe(before);
    expect(await statusesOf(ids)).toEqual(['approved', 'approved']);

    // Another number is free; the same number is free at another issuing unit.
    expectOk(await issue(districtDecider, decisionBody('201/QĐ-UBND', ids)), 201);
    expect(await statusesOf(ids)).toEqual(['awarded', 'awarded']);
    const provincial = await createAndApprove(api, proposer, [communeOfficer, districtOfficer, provinceOfficer]);
    const byProvince = expectOk(await issue(provinceDecider, decisionBody('200/QĐ-UBND', [provincial.id], {
      signer: { name: 'Hoàng Quốc Khánh', title: 'Chủ tịch UBND tỉnh Sơn La' },
    })), 201);
    expect(byProvince).toMatchObject({ issuingUnit: '14', nominations: [{ nominationId: provincial.id, awardCode: 'BANG_KHEN_TINH' }] });
  });

  it('given 01/QĐ-UBND issued by a unit in 2024, when the unit issues 01/QĐ-UBND again in 2025 it succeeds, and twice in one year it fails', async () => {
    const [a, b, c] = [await approvedAtDistrict(), await approvedAtDistrict(), await approvedAtDistrict()];
    const in2024 = expectOk(await issue(districtDecider, decisionBody('01/QĐ-UBND', [a.id], { signedOn: '2024-01-05' })), 201);
    expect(in2024).toMatchObject({ baseSalary: 1_800_000, nominations: [{ bonusAmount: 1_080_000 }], warnings: [] });
    const in2025 = expectOk(await issue(districtDecider, decisionBody('01/QĐ-UBND', [b.id], { signedOn: '2025-01-06' })), 201);
    expect(in2025.id).not.toBe(in2024.id);
    expect(in2025).toMatchObject({ baseSalary: 2_340_000, nominations: [{ bonusAmount: 1_410_000 }] });
    expectProblem(await issue(districtDecider, decisionBody('1/QĐ-UBND', [c.id], { signedOn: '2025-03-01' })), 409, 'decision_number_taken');
    expect(await statusesOf([c.id])).toEqual(['approved']);
    // A number not shaped like n/QĐ-… is accepted with a warning.
    const odd = expectOk(await issue(districtDecider, decisionBody('Số 7 khen thưởng', [c.id], { signedOn: '2025-03-01' })), 201);
    expect(odd.warnings).toEqual([expect.objectContaining({ code: 'decision_number_format' })]);
  });

  it('answers the same for a foreign nomination that exists and one that does not (no existence oracle)', async () => {
    const foreign = await approvedAtDistrict();
    const ghost = randomUUID();
    const refused = expectProblem(await issue(otherDistrictDecider, decisionBody('900/QĐ-UBND', [foreign.id, ghost])), 409);
    expect(refused.details.offending).toEqual([{ nominationId: foreign.id, reason: 'not_found' }, { nominationId: ghost, reason: 'not_found' }]);
    const alone = (id: string) => issue(otherDistrictDecider, decisionBody('901/QĐ-UBND', [id]));
    const [one, other] = [expectProblem(await alone(foreign.id), 409), expectProblem(await alone(ghost), 409)];
    expect({ ...one, details: { offending: [{ ...one.details.offending[0], nominationId: 'x' }] } })
      .toEqual({ ...other, details: { offending: [{ ...other.details.offending[0], nominationId: 'x' }] } });
  });

  it('refuses a decision listing any nomination that is not approved at the caller\'s unit, naming each offending id, and writes nothing', async () => {
    const approved = [await approvedAtDistrict(), await approvedAtDistrict('household')];
    const inReview = await createAndApprove(api, proposer, [communeOfficer], nominationBody({ awardCode: 'GIAY_KHEN_HUYEN' }));
    const draft = await createNomination(api, proposer, nominationBody({ awardCode: 'GIAY_KHEN_HUYEN' }));
    const provincial = await createAndApprove(api, proposer, [communeOfficer, districtOfficer, provinceOfficer]);
    const unknown = randomUUID();
    const ids = [approved[0]!.id, inReview.id, approved[1]!.id, draft.id, provincial.id, unknown];
    const before = await api.eventCount();

    const refused = expectProblem(await issue(districtDecider, decisionBody('300/QĐ-UBND', ids)), 409);
    expect(refused.details.offending).toEqual([
      { nominationId: inReview.id, reason: 'not_approved' },
      { nominationId: draft.id, reason: 'not_approved' },
      { nominationId: provincial.id, reason: 'not_at_your_unit' },
      { nominationId: unknown, reason: 'not_found' },
    ]);
    expect(await api.eventCount()).toBe(before);
    expect(await statusesOf([approved[0]!.id, approved[1]!.id, inReview.id, provincial.id])).toEqual(['approved', 'approved', 'in_review', 'approved']);

    // Nothing was reserved either: the number is still free for a valid list.
    const issued = expectOk(await issue(districtDecider, decisionBody('300/QĐ-UBND', [approved[0]!.id, approved[1]!.id])), 201);
    expect(issued.nominations).toHaveLength(2);
  });

  it('revokes some awards of a decision: those become revoked, the others stay awarded', async () => {
    const nominations = [await approvedAtDistrict(), await approvedAtDistrict('individual'), await approvedAtDistrict('household')];
    const ids = nominations.map((n) => n.id as string);
    const decision = expectOk(await issue(districtDecider, decisionBody('400/QĐ-UBND', ids)), 201);
    const revokeUrl = `/decisions/${decision.id}/revoke`;
    const revokeBody = {
      nominationIds: [ids[1]],
      ground: 'false_declaration',
      reason: 'Kê khai thành tích không đúng sự thật, thu hồi tiền thưởng.',
      number: '410/QĐ-UBND',
      signedOn: '2023-06-01',
    };

    // The district level was abolished on 1 July 2025: today its decisions are revoked by its successor
    // named in the unit data (Tỉnh Sơn La, gso-2025). Other districts do not see the decision.
    const before = await api.eventCount();
    const successorDecider = gso2025.provinceDecider;
    const refused = expectProblem(await api.request({ method: 'POST', url: revokeUrl, as: districtDecider, body: revokeBody }), 403, 'forbidden');
    expect(refused).toMatchObject({ details: { unit: '14', codeSet: 'gso-2025' } });
    expectProblem(await api.request({ method: 'POST', url: revokeUrl, as: districtOfficer, body: revokeBody }), 403, 'forbidden');
    expectProblem(await api.request({ method: 'POST', url: revokeUrl, as: provinceDecider, body: revokeBody }), 403, 'forbidden');
    expectProblem(await api.request({ method: 'POST', url: revokeUrl, as: otherDistrictDecider, body: revokeBody }), 404, 'not_found');
    expectProblem(await api.request({ method: 'POST', url: revokeUrl, as: successorDecider, body: { ...revokeBody, nominationIds: [randomUUID()] } }), 400, 'validation_failed');
    expectProblem(await api.request({ method: 'POST', url: revokeUrl, as: successorDecider, body: { ...revokeBody, ground: 'changed_our_mind' } }), 400, 'validation_failed');
    const { number: _n, ...withoutNumber } = revokeBody;
    expectProblem(await api.request({ method: 'POST', url: revokeUrl, as: successorDecider, body: withoutNumber }), 400, 'validation_failed');
    const { signedOn: _s, ...withoutDate } = revokeBody;
    expectProblem(await api.request({ method: 'POST', url: revokeUrl, as: successorDecider, body: withoutDate }), 400, 'validation_failed');
    expect(await api.eventCount()).toBe(before);

    const revoked = expectOk(await api.request({ method: 'POST', url: revokeUrl, as: successorDecider, body: revokeBody }));
    expect(revoked.revocations).toEqual([expect.objectContaining({
      number: '410/QĐ-UBND', signedOn: '2023-06-01', revokingUnit: { codeSet: 'gso-2025', unit: '14' }, bonusToRecover: BONUS.individual,
      recovery: [{ nominationId: ids[1], bonusAmount: BONUS.individual, items: ['certificate'] }],
    })]);
    expect(revoked.nominations.find((n: View) => n.nominationId === ids[1]).revoked).toMatchObject({ ground: 'false_declaration' });
    expect(revoked.nominations.filter((n: View) => n.revoked !== undefined)).toHaveLength(1);
    // One DecisionRevoked, one AwardRevoked.
    expect(await api.eventCount()).toBe(before + 2);

    expect(await statusesOf(ids)).toEqual(['awarded', 'revoked', 'awarded']);
    const revokedView = await getNomination(api, proposer, ids[1]!);
    expect(revokedView).toMatchObject({
      decision: { decisionId: decision.id, decisionNumber: '400/QĐ-UBND' },
      revocation: { decisionId: decision.id, ground: 'false_declaration', bonusToRecover: BONUS.individual, number: '410/QĐ-UBND', revokingUnit: { codeSet: 'gso-2025', unit: '14' } },
    });
    const { position: _written, ...revokedWithoutPosition } = revoked;
    expect(expectOk(await api.request({ method: 'GET', url: `/decisions/${decision.id}`, as: districtDecider }))).toEqual(revokedWithoutPosition);

    // Revoking the same award twice is refused and writes nothing.
    const afterRevoke = await api.eventCount();
    expectProblem(await api.request({ method: 'POST', url: revokeUrl, as: successorDecider, body: { ...revokeBody, number: '411/QĐ-UBND' } }), 409, 'invalid_transition');
    expect(await api.eventCount()).toBe(afterRevoke);
  });

  it('numbers a revocation as the decision it is: its number is unique per revoking unit and year among award decisions and revocations', async () => {
    const nominations = [await approvedAtDistrict(), await approvedAtDistrict('individual'), await approvedAtDistrict('household')];
    const ids = nominations.map((n) => n.id as string);
    const decision = expectOk(await issue(districtDecider, decisionBody('1600/QĐ-UBND', ids)), 201);
    // Today the abolished district's decisions are revoked by its successor, Tỉnh Sơn La (gso-2025).
    const successorDecider = gso2025.provinceDecider;
    const revoke = (nominationId: string, number: string, signedOn: string) => api.request({
      method: 'POST', url: `/decisions/${decision.id}/revoke`, as: successorDecider,
      body: { nominationIds: [nominationId], ground: 'later_violation', reason: 'Phát hiện vi phạm sau khi khen thưởng.', number, signedOn },
    });
    expectOk(await revoke(ids[0]!, '1610/QĐ-UBND', '2026-02-02'));

    // The province's own award decision of 2026, numbered 1620.
    const provincial = await createAndApprove(api, gso2025.proposer, [gso2025.communeOfficer, gso2025.provinceOfficer], nominationBody2025({ year: 2025 }));
    expectOk(await issue(successorDecider, decisionBody('1620/QĐ-UBND', [provincial.id], { signedOn: '2026-01-20', signer: { name: 'Nguyễn Đình Việt', title: 'Chủ tịch UBND tỉnh Sơn La' } })), 201);

    const before = await api.eventCount();
    // Another revocation with a number the province already gave a revocation, or an award decision, that year.
    expectProblem(await revoke(ids[1]!, '1610/qđ-ubnd', '2026-03-02'), 409, 'decision_number_taken');
    expectProblem(await revoke(ids[1]!, '1620/QĐ-UBND', '2026-03-02'), 409, 'decision_number_taken');
    expect(await api.eventCount()).toBe(before);
    // An award decision with a number the province gave a revocation that year.
    const another = await createAndApprove(api, gso2025.proposer, [gso2025.communeOfficer, gso2025.provinceOfficer], nominationBody2025({ year: 2025 }));
    const afterAnother = await api.eventCount();
    expectProblem(await issue(successorDecider, decisionBody('1610/QĐ-UBND', [another.id], { signedOn: '2026-04-01' })), 409, 'decision_number_taken');
    expect(await api.eventCount()).toBe(afterAnother);
    expect(await statusesOf([ids[1]!, ids[2]!])).toEqual(['awarded', 'awarded']);

    // Numbering restarts each 1 January, and another number is free.
    expectOk(await revoke(ids[1]!, '1610/QĐ-UBND', '2025-12-31'));
    expectOk(await revoke(ids[2]!, '1611/QĐ-UBND', '2026-03-02'));
    expect(await statusesOf(ids)).toEqual(['revoked', 'revoked', 'revoked']);
  });

  it('numbers the decisions of Tỉnh Sơn La once across the 2025 reform: its gso-2004 and gso-2025 records are one unit', async () => {
    const provincial2004 = () => createAndApprove(api, proposer, [communeOfficer, districtOfficer, provinceOfficer]);
    const provincial2025 = () => createAndApprove(api, gso2025.proposer, [gso2025.communeOfficer, gso2025.provinceOfficer], nominationBody2025({ year: 2025 }));
    const chairman = { signer: { name: 'Hoàng Quốc Khánh', title: 'Chủ tịch UBND tỉnh Sơn La' } };
    expectOk(await issue(provinceDecider, decisionBody('1700/QĐ-UBND', [(await provincial2004()).id], { signedOn: '2025-06-20', ...chairman })), 201);
    const later = await provincial2025();

    const before = await api.eventCount();
    const taken = expectProblem(await issue(gso2025.provinceDecider, decisionBody('1700/QĐ-UBND', [later.id], { signedOn: '2025-08-01', ...chairman })), 409, 'decision_number_taken');
    expect(taken.details).toMatchObject({ issuingUnit: '14' });
    expect(await api.eventCount()).toBe(before);
    expect((await getNomination(api, gso2025.proposer, later.id)).status).toBe('approved');

    // The same number is free the next year, and at another unit the same year.
    expectOk(await issue(gso2025.provinceDecider, decisionBody('1700/QĐ-UBND', [later.id], { signedOn: '2026-01-12', ...chairman })), 201);
    expectOk(await issue(districtDecider, decisionBody('1700/QĐ-UBND', [(await approvedAtDistrict()).id], { signedOn: '2025-06-20' })), 201);
  });

  it('replays a retried decision with the same Idempotency-Key without writing anything new', async () => {
    const ids = [(await approvedAtDistrict()).id, (await approvedAtDistrict('individual')).id];
    const key = `decision-${randomUUID()}`;
    const body = decisionBody('500/QĐ-UBND', ids);
    const first = await issue(districtDecider, body, { 'idempotency-key': key });
    expectStatus(first, 201);
    const afterFirst = await api.eventCount();

    const retry = await issue(districtDecider, body, { 'idempotency-key': key });
    expectStatus(retry, 201);
    expect(retry.json()).toEqual(first.json());
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.headers['location']).toBe(first.headers['location']);
    expect(await api.eventCount()).toBe(afterFirst);

    expectProblem(await issue(districtDecider, { ...body, reason: 'Lý do khác' }, { 'idempotency-key': key }), 422, 'idempotency_key_reused');
    expect(await api.eventCount()).toBe(afterFirst);
  });

  it('keeps deciding apart from proposing: officers may not decide, nor may a decider decide a nomination they submitted', async () => {
    const approved = await approvedAtDistrict();
    const before = await api.eventCount();
    expectProblem(await issue(districtOfficer, decisionBody('600/QĐ-UBND', [approved.id])), 403, 'forbidden');
    expectProblem(await issue(proposer, decisionBody('600/QĐ-UBND', [approved.id])), 403, 'forbidden');

    // A district clerk who is also a decider proposes for the district's own office, then tries to decide it.
    const clerkDecider: TestUser = { sub: 'pd-120', name: 'Tòng Thị Phóng', roles: ['proposer', 'decider'], unit: '120', codeSet: 'gso-2004' };
    const own = await createAndApprove(api, clerkDecider, [districtOfficer], nominationBody({
      awardCode: 'GIAY_KHEN_HUYEN', proposingUnit: '120', nominee: { kind: 'collective', name: 'Văn phòng HĐND và UBND huyện Mường La' },
    }));
    expect(own.status).toBe('approved');
    const afterOwn = await api.eventCount();
    // Issue 12.3: a refused per-nomination effect (here separation of duties) refuses the decision with 403.
    const refused = expectProblem(await issue(clerkDecider, decisionBody('600/QĐ-UBND', [own.id])), 403, 'forbidden');
    expect(refused.details.offending).toEqual([{ nominationId: own.id, reason: 'separation_of_duties' }]);
    expect(await api.eventCount()).toBe(afterOwn);
    expect(afterOwn - before).toBe(3); // only the clerk's nomination was written in between

    // The chairman may.
    expectOk(await issue(districtDecider, decisionBody('600/QĐ-UBND', [own.id, approved.id])), 201);
  });

  describe('malformed decisions: 4xx, nothing written', () => {
    let approvedId: string;
    beforeAll(async () => {
      approvedId = (await approvedAtDistrict()).id;
    });

    const cases: { name: string; body: (id: string) => unknown; status?: number; code?: string; headers?: Record<string, string> }[] = [
      { name: 'signedOn in the future', body: (id) => decisionBody('700/QĐ-UBND', [id], { signedOn: `${new Date().getUTCFullYear() + 1}-01-02` }) },
      { name: 'signedOn not a date', body: (id) => decisionBody('700/QĐ-UBND', [id], { signedOn: '24/03/2023' }) },
      { name: 'no nominations', body: () => decisionBody('700/QĐ-UBND', []) },
      { name: 'a nomination listed twice', body: (id) => decisionBody('700/QĐ-UBND', [id, id]) },
      { name: 'a nomination id that is not a UUID', body: () => decisionBody('700/QĐ-UBND', ['abc']) },
      { name: 'an unknown field (bonusTotal)', body: (id) => decisionBody('700/QĐ-UBND', [id], { bonusTotal: 1 }) },
      { name: 'an unknown nested field in signer', body: (id) => decisionBody('700/QĐ-UBND', [id], { signer: { ...signer, unit: '14' } }) },
      { name: 'signer as a string', body: (id) => decisionBody('700/QĐ-UBND', [id], { signer: 'Lường Văn Chiến' }) },
      { name: 'a number over 50 characters', body: (id) => decisionBody('7'.repeat(51), [id]) },
      { name: 'an empty number', body: (id) => decisionBody('', [id]) },
      { name: 'nominationIds as a string', body: (id) => decisionBody('700/QĐ-UBND', [], { nominationIds: id }) },
      { name: 'a null body', body: () => null },
      { name: 'an array body', body: (id) => [decisionBody('700/QĐ-UBND', [id])] },
      { name: 'invalid JSON text', body: () => '{"number": "700/QĐ-UBND",' },
      { name: 'a non-JSON content type', body: () => 'number=700', status: 415, code: 'unsupported_media_type', headers: { 'content-type': 'text/plain' } },
    ];

    it.each(cases)('POST /decisions: $name', async ({ body, status = 400, code = 'validation_failed', headers }) => {
      const before = await api.eventCount();
      expectProblem(await issue(districtDecider, body(approvedId) as Record<string, unknown>, headers), status, code);
      expect(await api.eventCount()).toBe(before);
    });

    it('leaves the nomination approved and the number free', async () => {
      expect(await statusesOf([approvedId])).toEqual(['approved']);
      expectOk(await issue(districtDecider, decisionBody('700/QĐ-UBND', [approvedId])), 201);
    });
  });

  it('lets only one of several concurrent decisions award the same nomination', async () => {
    const shared = await approvedAtDistrict();
    const own = await Promise.all([0, 1, 2, 3].map(() => approvedAtDistrict('individual')));
    const before = await api.eventCount();

    const responses = await Promise.all(own.map((n, i) => issue(districtDecider, decisionBody(`${900 + i}/QĐ-UBND`, [shared.id, n.id]))));
    const statuses = responses.map((r) => r.statusCode).sort();
    expect(statuses).toEqual([201, 409, 409, 409]);
    const winner = responses.find((r) => r.statusCode === 201)!.json();
    for (const loser of responses.filter((r) => r.statusCode !== 201)) expectProblem(loser, 409);

    const view = await getNomination(api, proposer, shared.id);
    expect(view).toMatchObject({ status: 'awarded', decision: { decisionId: winner.id } });
    // The winner's DecisionIssued and its two awards; the losers wrote nothing.
    expect(await api.eventCount()).toBe(before + 3);
    const losersOwn = own.filter((n) => !winner.nominations.some((line: View) => line.nominationId === n.id)).map((n) => n.id as string);
    expect(await statusesOf(losersOwn)).toEqual(['approved', 'approved', 'approved']);
  });

  it('lets only one of two concurrent decisions with the same number through', async () => {
    const [a, b] = await Promise.all([approvedAtDistrict(), approvedAtDistrict('household')]);
    const before = await api.eventCount();
    const responses = await Promise.all([
      issue(districtDecider, decisionBody('950/QĐ-UBND', [a!.id])),
      issue(districtDecider, decisionBody('950/qđ-ubnd', [b!.id])),
    ]);
    expect(responses.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    expectProblem(responses.find((r) => r.statusCode === 409)!, 409, 'decision_number_taken');
    expect(await api.eventCount()).toBe(before + 2);
  });
});
