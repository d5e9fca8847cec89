import {
  approve,
  command,
  createAndApprove,
  createNomination,
  expectOk,
  expectProblem,
  getNomination,
  gso2004,
  gso2025,
  nominationBody,
  type View,
} from './support/nomination-fixtures';
import { TestApi, type TestUser } from './support/test-api';

/*
 * Issue 12, findings 4 (separation of duties by person across the whole life) and 3 (a refused
 * per-nomination effect refuses the whole decision command up front; decision and nominations agree).
 * One person is one token `sub`, whatever unit or role the token names today.
 */

const person = (sub: string, roles: TestUser['roles'], unit: string): TestUser => ({ sub, name: 'Nguyễn Văn Bình', roles, unit, codeSet: 'gso-2004' });
const signer = { name: 'Lường Văn Chiến', title: 'Chủ tịch UBND huyện Mường La' };
const giayKhenHuyen = () => nominationBody({ awardCode: 'GIAY_KHEN_HUYEN' });

function decisionBody(number: string, nominationIds: readonly string[]): Record<string, unknown> {
  return { number, signedOn: '2023-03-24', signer, reason: 'Đã có thành tích xuất sắc năm 2022', nominationIds };
}

describe('security: separation of duties by person (12.4) and decision effects (12.3)', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await TestApi.start();
  });
  afterAll(async () => {
    await api.close();
  });

  async function submitted(): Promise<View> {
    const created = await createNomination(api, gso2004.proposer, giayKhenHuyen());
    return expectOk(await command(api, gso2004.proposer, created.id, 'submit'));
  }

  it('whoever approved at the commune may not approve, vote or reject at the district, whatever their token says now', async () => {
    const view = await submitted();
    await approve(api, person('binh', ['officer'], '03814'), view.id);
    const moved = person('binh', ['officer', 'decider'], '120');
    const before = await api.eventCount();
    for (const [name, body] of [
      ['approve', { comment: 'Đồng ý' }],
      ['council-votes', { sessionDate: '2023-03-20', minutesNumber: '05/BB', members: 9, present: 9, inFavour: 9, against: 0 }],
      ['reject', { reasonCode: 'other', reason: 'Không đạt' }],
    ] as const) {
      const refused = expectProblem(await command(api, moved, view.id, name, body), 403, 'forbidden');
      expect(refused.details).toMatchObject({ reason: 'separation_of_duties', conflict: 'approved_at_another_stage' });
    }
    expect(await api.eventCount()).toBe(before);
    // Someone else at the district may.
    expect((await approve(api, gso2004.districtOfficer, view.id)).status).toBe('approved');
  });

  it('whoever edited a draft may not approve it later, at any stage', async () => {
    const created = await createNomination(api, gso2004.proposer, giayKhenHuyen());
    const editor = person('editor-1', ['proposer'], '03814');
    expectOk(await api.request({ method: 'PATCH', url: `/nominations/${created.id}`, as: editor, body: { year: 2022 } }));
    expectOk(await command(api, gso2004.proposer, created.id, 'submit'));
    const refused = await command(api, person('editor-1', ['officer'], '03814'), created.id, 'approve', { comment: 'Đồng ý' });
    expect(expectProblem(refused, 403, 'forbidden').details).toMatchObject({ conflict: 'edited' });
  });

  it('refuses a decision up front (403) when its signer approved one of its nominations, writing nothing', async () => {
    const view = await submitted();
    await approve(api, person('chien', ['officer'], '03814'), view.id);
    await approve(api, gso2004.districtOfficer, view.id);
    const clean = await createAndApprove(api, gso2004.proposer, [gso2004.communeOfficer, gso2004.districtOfficer], giayKhenHuyen());
    const before = await api.eventCount();
    const refused = await api.request({
      method: 'POST', url: '/decisions', as: person('chien', ['decider'], '120'), body: decisionBody('31/QĐ-UBND', [clean.id, view.id]),
    });
    expect(expectProblem(refused, 403, 'forbidden').details).toEqual({ offending: [{ nominationId: view.id, reason: 'separation_of_duties' }] });
    expect(await api.eventCount()).toBe(before);
    expect((await getNomination(api, gso2004.proposer, view.id)).status).toBe('approved');
    expect((await getNomination(api, gso2004.proposer, clean.id)).status).toBe('approved');
  });

  it('refuses a revocation by a participant with 403 before anything is written; the registers agree after every decision command', async () => {
    const participant = person('lan', ['officer'], '03814');
    const view = await submitted();
    await approve(api, participant, view.id);
    await approve(api, gso2004.districtOfficer, view.id);
    const issued = expectOk(await api.request({ method: 'POST', url: '/decisions', as: gso2004.districtDecider, body: decisionBody('32/QĐ-UBND', [view.id]) }), 201);
    await expectAgreement(issued.id, { [view.id]: 'awarded' });

    const revoke = (as: TestUser, number: string) => api.request({
      method: 'POST', url: `/decisions/${issued.id}/revoke`, as,
      body: { number, signedOn: '2023-06-01', nominationIds: [view.id], ground: 'false_declaration', reason: 'Khai man thành tích' },
    });
    const before = await api.eventCount();
    // Since the 2025 reform the abolished district's decisions are revoked by its successor, the province (gso-2025).
    const refused = expectProblem(await revoke({ ...person('lan', ['decider'], '14'), codeSet: 'gso-2025' }, '40/QĐ-UBND'), 403, 'forbidden');
    expect(refused.details).toMatchObject({ nominationId: view.id });
    expect(await api.eventCount()).toBe(before);
    await expectAgreement(issued.id, { [view.id]: 'awarded' });

    expectOk(await revoke(gso2025.provinceDecider, '41/QĐ-UBND'));
    await expectAgreement(issued.id, { [view.id]: 'revoked' });
  });

  /** The decision's lines and the nominations' own states say the same thing. */
  async function expectAgreement(decisionId: string, expected: Record<string, 'awarded' | 'revoked'>): Promise<void> {
    const decision = expectOk(await api.request({ method: 'GET', url: `/decisions/${decisionId}`, as: gso2004.districtDecider }));
    for (const [nominationId, status] of Object.entries(expected)) {
      const line = (decision.nominations as { nominationId: string; revoked?: unknown }[]).find((n) => n.nominationId === nominationId);
      expect(line).toBeDefined();
      expect(line!.revoked !== undefined).toBe(status === 'revoked');
      expect((await getNomination(api, gso2004.proposer, nominationId)).status).toBe(status);
    }
  }
});
