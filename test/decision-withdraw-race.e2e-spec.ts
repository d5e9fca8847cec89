import { createAndApprove, expectOk, gso2004, nominationBody, nominees, type View } from './support/nomination-fixtures';
import { TestApi, type TestResponse } from './support/test-api';

const { proposer, communeOfficer, districtOfficer, districtDecider } = gso2004;

const ROUNDS = 24;
const PER_DECISION = 3;

/**
 * Issue 12.3 / 12.14 follow-up: a proposer withdrawing a nomination while the district chairman's
 * decision listing it is being issued. Against real PostgreSQL, many times, with the withdrawal started
 * at a different moment of the decision each round: whoever wins, the decision and its nominations
 * never disagree. Either the decision was issued and every listed nomination is awarded by it (the
 * withdrawal refused, 409), or the decision was refused (nothing written) and the nomination withdrawn.
 */
describe('a withdrawal racing a decision (real PostgreSQL, many rounds)', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await TestApi.start();
  });
  afterAll(async () => {
    await api?.close();
  });

  it('never leaves a decision listing a nomination that is not awarded by it', async () => {
    const outcomes = { decided: 0, withdrawn: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      const listed: View[] = [];
      for (let i = 0; i < PER_DECISION; i++) {
        listed.push(await createAndApprove(api, proposer, [communeOfficer, districtOfficer], nominationBody({ awardCode: 'GIAY_KHEN_HUYEN', nominee: nominees.collective })));
      }
      const target = listed[round % PER_DECISION]!;
      const decision = api.request({
        method: 'POST', url: '/decisions', as: districtDecider, body: {
          number: `${400 + round}/QĐ-UBND`, signedOn: '2023-03-24', signer: { name: 'Lường Văn Chiến', title: 'Chủ tịch UBND huyện Mường La' },
          reason: 'Đã có thành tích xuất sắc trong phong trào thi đua năm 2022', nominationIds: listed.map((n) => n.id),
        },
      });
      // Start the withdrawal at a different point of the decision's work each round (a race, not a wait).
      const withdrawal = (async (): Promise<TestResponse> => {
        for (let tick = 0; tick < round * 3; tick++) await new Promise((resolve) => setImmediate(resolve));
        return api.request({ method: 'POST', url: `/nominations/${target.id}/withdraw`, as: proposer, body: { reason: 'Rút hồ sơ để bổ sung thành tích' } });
      })();
      const [issued, withdrawn] = await Promise.all([decision, withdrawal]);

      const states = await Promise.all(listed.map(async (n) => expectOk(await api.request({ method: 'GET', url: `/nominations/${n.id}`, as: districtOfficer }))));
      const context = `round ${round}: decision ${issued.statusCode} ${issued.body.slice(0, 300)}; withdraw ${withdrawn.statusCode} ${withdrawn.body.slice(0, 300)}`;
      if (issued.statusCode === 201) {
        const decisionId = issued.json().id;
        expect({ context, statuses: states.map((s) => s.status) }).toEqual({ context, statuses: listed.map(() => 'awarded') });
        expect(states.every((s) => s.decision.decisionId === decisionId)).toBe(true);
        expect({ context, status: withdrawn.statusCode }).toEqual({ context, status: 409 });
        expect(withdrawn.json().code).toBe('invalid_transition');
        outcomes.decided++;
      } else {
        expect({ context, status: issued.statusCode }).toEqual({ context, status: 409 });
        expect({ context, status: withdrawn.statusCode }).toEqual({ context, status: 200 });
        expect(states.map((s) => s.status)).toEqual(listed.map((n) => (n.id === target.id ? 'withdrawn' : 'approved')));
        outcomes.withdrawn++;
      }
    }
    // Both outcomes happen, so the rounds really did race.
    expect(outcomes.decided).toBeGreaterThan(0);
    expect(outcomes.withdrawn).toBeGreaterThan(0);
    // 24 rounds of eleven commands and a decision each: on a busy 2-core machine well past jest's 30 s default.
  }, 240_000);
});
