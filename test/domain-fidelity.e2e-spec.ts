import {
  command,
  councilVote,
  createAndApprove,
  createNomination,
  documents,
  expectOk,
  expectProblem,
  gso2004,
  nominationBody,
  nominees,
} from './support/nomination-fixtures';
import { TestApi, type TestUser } from './support/test-api';

const { proposer, communeOfficer, districtOfficer, provinceOfficer } = gso2004;
const districtProposer: TestUser = { sub: 'p-120', name: 'Tòng Văn Hải', roles: ['proposer'], unit: '120', codeSet: 'gso-2004' };
const provinceProposer: TestUser = { sub: 'p-14', name: 'Đinh Thị Mai', roles: ['proposer'], unit: '14', codeSet: 'gso-2004' };

describe('domain fidelity over HTTP (real PostgreSQL)', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await TestApi.start();
  });
  afterAll(async () => {
    await api.close();
  });

  it('given GIAY_KHEN_XA proposed at a district, when it is created, then 400 names the deciding level and nothing is written', async () => {
    const before = await api.eventCount();
    const refused = expectProblem(await api.request({
      method: 'POST', url: '/nominations', as: districtProposer, body: nominationBody({ awardCode: 'GIAY_KHEN_XA', proposingUnit: '120' }),
    }), 400, 'validation_failed');
    expect(refused.details).toMatchObject({ reason: 'no_deciding_unit', decidingLevels: ['commune'] });
    expect(await api.eventCount()).toBe(before);
  });

  it('given a draft without documents (absent or empty), then it is saved; submit names the missing documents', async () => {
    const { documents: _d, ...withoutDocuments } = nominationBody();
    for (const body of [withoutDocuments, { ...withoutDocuments, documents: [] }]) {
      const draft = await createNomination(api, proposer, body);
      expect(draft).toMatchObject({ status: 'draft', documents: [] });
      const refused = expectProblem(await command(api, proposer, draft.id, 'submit'), 400, 'validation_failed');
      expect(refused.details).toMatchObject({ reason: 'missing_documents', missingDocuments: ['submission', 'achievement_report'] });
    }
  });

  it('given a commune nomination, when proposers of the district or province edit, submit or withdraw it, then 403 and nothing is written (#12.2)', async () => {
    const draft = await createNomination(api, proposer);
    const approved = await createAndApprove(api, proposer, [communeOfficer, districtOfficer, provinceOfficer]);
    const before = await api.eventCount();
    for (const outsider of [districtProposer, provinceProposer]) {
      expectProblem(await api.request({ method: 'PATCH', url: `/nominations/${draft.id}`, as: outsider, body: { achievements: 'Sửa hộ' } }), 403, 'forbidden');
      expectProblem(await command(api, outsider, draft.id, 'submit'), 403, 'forbidden');
      expectProblem(await command(api, outsider, approved.id, 'withdraw', { reason: 'Rút hộ' }), 403, 'forbidden');
    }
    expect(await api.eventCount()).toBe(before);
    expect(expectOk(await command(api, proposer, approved.id, 'withdraw', { reason: 'Đơn vị xin rút hồ sơ' })).status).toBe('withdrawn');
  });

  it('given absent members\' written opinions, then they count toward the approval share but not the quorum', async () => {
    // CHIEN_SI_THI_DUA_TINH under vn-2017: at least 9/10 of all members in favour.
    const withMinutes = nominationBody({
      awardCode: 'CHIEN_SI_THI_DUA_TINH', nominee: nominees.individual, documents: documents(['submission', 'achievement_report', 'council_minutes']),
    });
    const atProvince = await createAndApprove(api, proposer, [communeOfficer, districtOfficer], withMinutes);
    const vote = councilVote(15, 13, { present: 13, against: 0, writtenInFavour: 2, writtenAgainst: 0 });
    const view = expectOk(await command(api, provinceOfficer, atProvince.id, 'council-votes', vote));
    expect(view.councilVotes.at(-1)).toMatchObject({ members: 15, present: 13, inFavour: 13, writtenInFavour: 2, approvalRequired: 14, passed: true });
    const without = expectOk(await command(api, provinceOfficer, atProvince.id, 'council-votes', { ...vote, writtenInFavour: 0 }));
    expect(without.councilVotes.at(-1)).toMatchObject({ passed: false });
    expectProblem(await command(api, provinceOfficer, atProvince.id, 'council-votes', { ...vote, writtenInFavour: 3 }), 400, 'validation_failed');
  });
});
