import { randomUUID } from 'node:crypto';
import {
  approve,
  command,
  communeOfficerNo,
  councilVote,
  createAndApprove,
  createAndSubmit,
  createNomination,
  documents,
  dueOnFor,
  expectOk,
  expectProblem,
  expectStatus,
  getNomination,
  gso2004,
  gso2025,
  nominationBody,
  nominationBody2025,
  nominees,
  routeStatuses,
  type View,
} from './support/nomination-fixtures';
import { TestApi, type TestUser } from './support/test-api';

const { proposer, communeOfficer, districtOfficer, provinceOfficer, otherProposer, otherCommuneOfficer } = gso2004;

describe('nominations over HTTP (real PostgreSQL)', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await TestApi.start();
  });
  afterAll(async () => {
    await api.close();
  });

  describe('routes', () => {
    it('takes a vn-2017 commune nomination for BANG_KHEN_TINH commune → district → province, with history and older views', async () => {
      const createdResponse = await api.request({ method: 'POST', url: '/nominations', as: proposer, body: nominationBody() });
      const created = expectOk(createdResponse, 201);
      expect(createdResponse.headers['location']).toBe(`/nominations/${created.id}`);
      expect(createdResponse.headers['etag']).toBe('"0"');
      expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(created).toMatchObject({
        revision: 0,
        status: 'draft',
        ruleSet: 'vn-2017',
        codeSet: 'gso-2004',
        awardCode: 'BANG_KHEN_TINH',
        awardName: 'Bằng khen của Chủ tịch UBND tỉnh',
        year: 2022,
        proposingUnit: '03814',
        nominee: nominees.collective,
        currentStage: null,
        deciding: { unit: '14', level: 'province' },
        createdBy: { id: proposer.sub, name: proposer.name, unit: '03814' },
      });
      expect(created.route.map((s: View) => `${s.unit}:${s.level}`)).toEqual(['03814:commune', '120:district', '14:province']);
      expect(routeStatuses(created)).toEqual(['03814:pending', '120:pending', '14:pending']);
      const afterCreate = new Date();

      const submitResponse = await command(api, proposer, created.id, 'submit');
      const submitted = expectOk(submitResponse);
      expect(submitResponse.headers['etag']).toBe('"1"');
      expect(submitted).toMatchObject({ revision: 1, status: 'in_review', currentStage: { unit: '03814', level: 'commune' } });
      expect(submitted.currentStage.dueOn).toBe(dueOnFor(submitted.currentStage.enteredAt));
      expect(routeStatuses(submitted)).toEqual(['03814:in_review', '120:pending', '14:pending']);

      const atDistrictResponse = await command(api, communeOfficer, created.id, 'approve', { comment: 'Hội đồng xã nhất trí đề nghị.' });
      const atDistrict = expectOk(atDistrictResponse);
      expect(atDistrictResponse.headers['etag']).toBe('"2"');
      expect(atDistrict).toMatchObject({ revision: 2, status: 'in_review', currentStage: { unit: '120', level: 'district' } });
      expect(routeStatuses(atDistrict)).toEqual(['03814:approved', '120:in_review', '14:pending']);
      const afterCommune = new Date();

      const atProvince = await approve(api, districtOfficer, created.id);
      expect(atProvince).toMatchObject({ revision: 3, status: 'in_review', currentStage: { unit: '14', level: 'province' } });
      expect(routeStatuses(atProvince)).toEqual(['03814:approved', '120:approved', '14:in_review']);

      const approvedResponse = await command(api, provinceOfficer, created.id, 'approve', { comment: 'Đề nghị Chủ tịch UBND tỉnh tặng Bằng khen.' });
      const approved = expectOk(approvedResponse);
      expect(approvedResponse.headers['etag']).toBe('"4"');
      expect(approved).toMatchObject({ revision: 4, status: 'approved', currentStage: null });
      expect(routeStatuses(approved)).toEqual(['03814:approved', '120:approved', '14:approved']);
      expect(approved.approvals.map((a: View) => [a.unit, a.by.id])).toEqual([
        ['03814', communeOfficer.sub], ['120', districtOfficer.sub], ['14', provinceOfficer.sub],
      ]);

      // Now, and as it was.
      const now = await api.request({ method: 'GET', url: `/nominations/${created.id}`, as: provinceOfficer });
      expect(expectOk(now)).toEqual(approved);
      expect(now.headers['etag']).toBe('"4"');

      const atRevision1 = await api.request({ method: 'GET', url: `/nominations/${created.id}?revision=1`, as: proposer });
      expect(atRevision1.headers['etag']).toBe('"1"');
      expect(expectOk(atRevision1)).toEqual(submitted);
      expect(await getNomination(api, proposer, created.id, '?revision=0')).toEqual(created);
      expect(await getNomination(api, districtOfficer, created.id, '?revision=3')).toEqual(atProvince);

      const asOfCreate = await getNomination(api, proposer, created.id, `?asOf=${afterCreate.toISOString()}`);
      expect(asOfCreate).toMatchObject({ revision: 0, status: 'draft' });
      const asOfCommune = await getNomination(api, proposer, created.id, `?asOf=${encodeURIComponent(afterCommune.toISOString())}`);
      expect(asOfCommune).toMatchObject({ revision: 2, status: 'in_review', currentStage: { unit: '120' } });
      expectProblem(await api.request({ method: 'GET', url: `/nominations/${created.id}?asOf=2000-01-01T00:00:00Z`, as: proposer }), 404, 'not_found');

      const history = expectOk(await api.request({ method: 'GET', url: `/nominations/${created.id}/history`, as: proposer }));
      expect(history.items.map((e: View) => [e.revision, e.type, e.actor.id])).toEqual([
        [0, 'NominationCreated', proposer.sub],
        [1, 'NominationSubmitted', proposer.sub],
        [2, 'StageApproved', communeOfficer.sub],
        [3, 'StageApproved', districtOfficer.sub],
        [4, 'NominationApproved', provinceOfficer.sub],
      ]);
      for (const entry of history.items) {
        expect(entry.hash).toMatch(/^[0-9a-f]{64}$/);
        expect(Number.isNaN(Date.parse(entry.at))).toBe(false);
        expect(entry.actor).toMatchObject({ name: expect.any(String), unit: expect.any(String), roles: expect.any(Array) });
      }
      expect(history.items[2].actor).toEqual({ id: communeOfficer.sub, name: communeOfficer.name, unit: '03814', roles: ['officer'] });
      expect(new Set(history.items.map((e: View) => e.hash)).size).toBe(5);
    });

    it('takes the same award under vn-2025 commune → province (two stages, no district)', async () => {
      const { proposer: p25, communeOfficer: c25, provinceOfficer: o25 } = gso2025;
      const created = await createNomination(api, p25, nominationBody2025({ year: 2025 }));
      expect(created).toMatchObject({ ruleSet: 'vn-2025', codeSet: 'gso-2025', deciding: { unit: '14', level: 'province' } });
      expect(created.route.map((s: View) => `${s.unit}:${s.level}`)).toEqual(['03814:commune', '14:province']);

      const submitted = expectOk(await command(api, p25, created.id, 'submit'));
      expect(submitted.currentStage).toMatchObject({ unit: '03814', level: 'commune' });
      const atProvince = await approve(api, c25, created.id);
      expect(atProvince).toMatchObject({ status: 'in_review', currentStage: { unit: '14', level: 'province' } });
      expect(routeStatuses(atProvince)).toEqual(['03814:approved', '14:in_review']);
      const approved = await approve(api, o25, created.id);
      expect(approved).toMatchObject({ status: 'approved', revision: 3 });
      expect(routeStatuses(approved)).toEqual(['03814:approved', '14:approved']);
    });

    it('returns for supplementation, resubmits to the same stage with a restarted due date, and refuses a second return there', async () => {
      const atDistrict = await createAndApprove(api, proposer, [communeOfficer]);
      const firstEntry = atDistrict.currentStage;
      expect(firstEntry.unit).toBe('120');

      const returned = expectOk(await command(api, districtOfficer, atDistrict.id, 'return', {
        reason: 'Hồ sơ thiếu biên bản họp Hội đồng Thi đua - Khen thưởng xã.',
        missing: ['council_minutes'],
      }));
      expect(returned).toMatchObject({ status: 'returned', currentStage: null });
      expect(routeStatuses(returned)).toEqual(['03814:approved', '120:returned', '14:pending']);
      expect(returned.returns).toEqual([
        expect.objectContaining({ stageIndex: 1, unit: '120', missing: ['council_minutes'], by: expect.objectContaining({ id: districtOfficer.sub }) }),
      ]);
      // While returned it waits for the proposer: the district can no longer act on it.
      expectProblem(await command(api, districtOfficer, atDistrict.id, 'approve', {}), 409, 'invalid_transition');

      const supplemented = expectOk(await api.request({
        method: 'PATCH', url: `/nominations/${atDistrict.id}`, as: proposer,
        body: { documents: documents(['submission', 'achievement_report', 'council_minutes']) },
      }));
      expect(supplemented.documents.map((d: View) => d.kind)).toContain('council_minutes');

      const resubmitted = expectOk(await command(api, proposer, atDistrict.id, 'submit'));
      expect(resubmitted).toMatchObject({ status: 'in_review', currentStage: { unit: '120', level: 'district' } });
      expect(routeStatuses(resubmitted)).toEqual(['03814:approved', '120:in_review', '14:pending']);
      // The stage restarts when the supplemented dossier arrives.
      expect(Date.parse(resubmitted.currentStage.enteredAt)).toBeGreaterThan(Date.parse(firstEntry.enteredAt));
      expect(resubmitted.currentStage.dueOn).toBe(dueOnFor(resubmitted.currentStage.enteredAt));
      const history = expectOk(await api.request({ method: 'GET', url: `/nominations/${atDistrict.id}/history`, as: proposer }));
      const lastSubmit = history.items.filter((e: View) => e.type === 'NominationSubmitted').at(-1);
      expect(lastSubmit.data).toMatchObject({ resubmission: true });
      expect(resubmitted.currentStage.enteredAt).toBe(lastSubmit.at);

      const before = await api.eventCount();
      const second = expectProblem(await command(api, districtOfficer, atDistrict.id, 'return', {
        reason: 'Lần hai: đề nghị bổ sung thêm minh chứng.', missing: ['supporting'],
      }), 409, 'supplement_limit_reached');
      expect(second.details).toMatchObject({ limit: 1, stageIndex: 1 });
      expect(await api.eventCount()).toBe(before);

      // The stage can still decide: it forwards to the province.
      expect(await approve(api, districtOfficer, atDistrict.id)).toMatchObject({ currentStage: { unit: '14' } });
    });

    it('refuses to submit a dossier that lacks the award\'s required documents, and writes nothing', async () => {
      const created = await createNomination(api, proposer, nominationBody({
        awardCode: 'CHIEN_SI_THI_DUA_TINH', nominee: nominees.individual, documents: documents(['submission']),
      }));
      const before = await api.eventCount();
      const refused = expectProblem(await command(api, proposer, created.id, 'submit'), 400, 'validation_failed');
      expect(refused.details).toMatchObject({ reason: 'missing_documents', missingDocuments: ['achievement_report', 'council_minutes'] });
      expect(await api.eventCount()).toBe(before);
      expect(await getNomination(api, proposer, created.id)).toMatchObject({ status: 'draft', revision: 0 });
    });
  });

  describe('council votes', () => {
    it('blocks approval at the deciding stage until a vote passes the award threshold (CHIEN_SI_THI_DUA_TINH, 9/10 of all members)', async () => {
      const body = nominationBody({
        awardCode: 'CHIEN_SI_THI_DUA_TINH',
        nominee: nominees.individual,
        documents: documents(['submission', 'achievement_report', 'council_minutes']),
      });
      const atProvince = await createAndApprove(api, proposer, [communeOfficer, districtOfficer], body);
      expect(atProvince).toMatchObject({ currentStage: { unit: '14' }, rules: { councilVoteRequired: true } });

      const before = await api.eventCount();
      expectProblem(await command(api, provinceOfficer, atProvince.id, 'approve', {}), 409, 'council_vote_required');
      expect(await api.eventCount()).toBe(before);

      // 8 of 9 in favour: quorum met, but 9/10 of all members is 9.
      const failed = expectOk(await command(api, provinceOfficer, atProvince.id, 'council-votes', councilVote(9, 8)));
      expect(failed.councilVotes).toEqual([
        expect.objectContaining({ stageIndex: 2, unit: '14', members: 9, inFavour: 8, quorumRequired: 6, approvalRequired: 9, passed: false }),
      ]);
      const afterVote = await api.eventCount();
      const refused = expectProblem(await command(api, provinceOfficer, atProvince.id, 'approve', {}), 409, 'council_vote_required');
      expect(refused.details).toMatchObject({ latestVote: { passed: false } });
      expect(await api.eventCount()).toBe(afterVote);
      expect(await getNomination(api, provinceOfficer, atProvince.id)).toMatchObject({ status: 'in_review' });

      const passed = expectOk(await command(api, provinceOfficer, atProvince.id, 'council-votes', councilVote(9, 9, { minutesNumber: '06/BB-HĐTĐKT' })));
      expect(passed.councilVotes.map((v: View) => v.passed)).toEqual([false, true]);
      expect(await approve(api, provinceOfficer, atProvince.id)).toMatchObject({ status: 'approved' });
    });

    it('does not count a quorate vote whose present members fall short of the quorum', async () => {
      const body = nominationBody({
        awardCode: 'CHIEN_SI_THI_DUA_TINH',
        nominee: nominees.individual,
        documents: documents(['submission', 'achievement_report', 'council_minutes']),
      });
      const atProvince = await createAndApprove(api, proposer, [communeOfficer, districtOfficer], body);
      // 5 of 9 present is below 2/3 (6), even with everyone present in favour.
      const vote = expectOk(await command(api, provinceOfficer, atProvince.id, 'council-votes', councilVote(9, 5, { present: 5, against: 0 })));
      expect(vote.councilVotes[0]).toMatchObject({ quorumRequired: 6, passed: false });
      expectProblem(await command(api, provinceOfficer, atProvince.id, 'approve', {}), 409, 'council_vote_required');
    });
  });

  describe('jurisdiction, roles and separation of duties', () => {
    it('answers 404 outside the jurisdiction or code set, 403 inside the route but not at the current stage, 403 for the wrong role', async () => {
      const submitted = await createAndSubmit(api, proposer);
      const id = submitted.id as string;
      const before = await api.eventCount();

      // Another commune's proposer and officer: not on the route, so it does not exist for them.
      expectProblem(await api.request({ method: 'GET', url: `/nominations/${id}`, as: otherProposer }), 404, 'not_found');
      expectProblem(await api.request({ method: 'GET', url: `/nominations/${id}/history`, as: otherProposer }), 404, 'not_found');
      expectProblem(await command(api, otherProposer, id, 'withdraw', { reason: 'Rút hồ sơ.' }), 404, 'not_found');
      expectProblem(await api.request({ method: 'PATCH', url: `/nominations/${id}`, as: otherProposer, body: { year: 2021 } }), 404, 'not_found');
      expectProblem(await command(api, otherCommuneOfficer, id, 'approve', {}), 404, 'not_found');
      expectProblem(await command(api, otherCommuneOfficer, id, 'return', { reason: 'Thiếu hồ sơ.', missing: [] }), 404, 'not_found');

      // The same unit codes in the other code set name other areas: still not found.
      for (const stranger of [gso2025.proposer, gso2025.communeOfficer, gso2025.provinceOfficer]) {
        expectProblem(await api.request({ method: 'GET', url: `/nominations/${id}`, as: stranger }), 404, 'not_found');
      }
      expectProblem(await command(api, gso2025.communeOfficer, id, 'approve', {}), 404, 'not_found');

      // A proposer may not approve at all (role), even at their own unit.
      const byRole = expectProblem(await command(api, proposer, id, 'approve', {}), 403, 'forbidden');
      expect(JSON.stringify(byRole)).toContain('officer');

      // The district is on the route but the nomination waits at the commune.
      expectProblem(await command(api, districtOfficer, id, 'approve', {}), 403, 'forbidden');
      expect(await api.eventCount()).toBe(before);

      // Officers above can read it.
      expect(await getNomination(api, districtOfficer, id)).toMatchObject({ status: 'in_review' });
      expect(await getNomination(api, provinceOfficer, id)).toMatchObject({ status: 'in_review' });

      // At the province stage the district officer is on the route, behind it: 403, nothing written.
      await approve(api, communeOfficer, id);
      await approve(api, districtOfficer, id);
      const atProvince = await api.eventCount();
      const notHere = expectProblem(await command(api, districtOfficer, id, 'approve', {}), 403, 'forbidden');
      expect(notHere.details).toMatchObject({ reason: 'not_at_current_stage', unit: '14' });
      expectProblem(await command(api, communeOfficer, id, 'reject', { reasonCode: 'standard_not_met', reason: 'Không đạt.' }), 403, 'forbidden');
      expect(await api.eventCount()).toBe(atProvince);

      // Unknown and malformed ids are simply not found; no token at all is 401.
      expectProblem(await api.request({ method: 'GET', url: `/nominations/${randomUUID()}`, as: proposer }), 404, 'not_found');
      expectProblem(await api.request({ method: 'GET', url: '/nominations/not-an-id', as: proposer }), 404, 'not_found');
      expectProblem(await command(api, communeOfficer, randomUUID(), 'approve', {}), 404, 'not_found');
      expectProblem(await api.request({ method: 'GET', url: `/nominations/${id}` }), 401, 'unauthenticated');
    });

    it('refuses self-approval: whoever created or submitted a nomination may not approve or reject it', async () => {
      const clerkOfficer: TestUser = { sub: 'po-03814', name: 'Điêu Chính Tơi', roles: ['proposer', 'officer'], unit: '03814', codeSet: 'gso-2004' };

      const own = await createAndSubmit(api, clerkOfficer);
      const before = await api.eventCount();
      const refused = expectProblem(await command(api, clerkOfficer, own.id, 'approve', { comment: 'Tự duyệt.' }), 403, 'forbidden');
      expect(refused.details).toMatchObject({ reason: 'separation_of_duties' });
      expectProblem(await command(api, clerkOfficer, own.id, 'reject', { reasonCode: 'other', reason: 'Tự từ chối.' }), 403, 'forbidden');
      const bulk = expectOk(await api.request({ method: 'POST', url: '/nominations/bulk/approve', as: clerkOfficer, body: { ids: [own.id] } }));
      expect(bulk.results).toEqual([expect.objectContaining({ id: own.id, ok: false, code: 'forbidden' })]);
      expect(await api.eventCount()).toBe(before);

      // Submitted (not created) by the clerk: still barred.
      const created = await createNomination(api, proposer);
      expectOk(await command(api, clerkOfficer, created.id, 'submit'));
      const afterSubmit = await api.eventCount();
      expect(expectProblem(await command(api, clerkOfficer, created.id, 'approve', {}), 403, 'forbidden').details)
        .toMatchObject({ reason: 'separation_of_duties' });
      expect(await api.eventCount()).toBe(afterSubmit);

      // Any other officer of the unit may approve it.
      expect(await approve(api, communeOfficer, own.id)).toMatchObject({ currentStage: { unit: '120' } });
    });
  });

  describe('concurrency, idempotency and preconditions', () => {
    it('lets exactly one of 50 concurrent approvals by officers of the current stage through', async () => {
      const submitted = await createAndSubmit(api, proposer);
      const before = await api.eventCount();

      const responses = await Promise.all(
        Array.from({ length: 50 }, (_, i) => command(api, communeOfficerNo(i), submitted.id, 'approve', { comment: `Cán bộ số ${i} duyệt.` })),
      );
      // Exactly one transition, by the one request answered 200.
      expect(responses.filter((r) => r.statusCode === 200)).toHaveLength(1);
      expect(await api.eventCount()).toBe(before + 1);
      const winner = responses.find((r) => r.statusCode === 200)!.json();
      const now = await getNomination(api, proposer, submitted.id);
      expect(now).toMatchObject({ revision: 2, currentStage: { unit: '120' } });
      expect(now.approvals).toHaveLength(1);
      expect(now.approvals[0].by.id).toBe(winner.approvals[0].by.id);

      // Every loser lost a race: 409, never a 403 for a stage it was entitled to act at when it asked.
      const losers = responses.filter((r) => r.statusCode !== 200);
      expect(losers).toHaveLength(49);
      for (const loser of losers) expect(String(loser.headers['content-type'])).toContain('application/problem+json');
      expect(losers.map((r) => `${r.statusCode} ${r.json().code}`).filter((s) => !/^409 (revision_conflict|invalid_transition)$/.test(s))).toEqual([]);
    });

    it('replays an idempotent retry without writing, refuses the key with another body, and returns the same nomination for a retried create', async () => {
      const createKey = `create-${randomUUID()}`;
      const body = nominationBody({ nominee: { ...nominees.household } });
      const first = await api.request({ method: 'POST', url: '/nominations', as: proposer, body, headers: { 'idempotency-key': createKey } });
      const created = expectOk(first, 201);
      const afterCreate = await api.eventCount();
      const retry = await api.request({ method: 'POST', url: '/nominations', as: proposer, body, headers: { 'idempotency-key': createKey } });
      expectStatus(retry, 201);
      expect(retry.json()).toEqual(created);
      expect(retry.json().id).toBe(created.id);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(retry.headers['location']).toBe(first.headers['location']);
      expect(retry.headers['etag']).toBe('"0"');
      expect(await api.eventCount()).toBe(afterCreate);
      expectProblem(
        await api.request({ method: 'POST', url: '/nominations', as: proposer, body: { ...body, year: 2021 }, headers: { 'idempotency-key': createKey } }),
        422, 'idempotency_key_reused',
      );
      expect(await api.eventCount()).toBe(afterCreate);

      expectOk(await command(api, proposer, created.id, 'submit'));
      const key = `approve-${randomUUID()}`;
      const approveBody = { comment: 'Đồng ý chuyển huyện.' };
      const approved = await command(api, communeOfficer, created.id, 'approve', approveBody, { 'idempotency-key': key });
      expectStatus(approved, 200);
      expect(approved.headers['idempotent-replayed']).toBeUndefined();
      const afterApprove = await api.eventCount();

      const replayed = await command(api, communeOfficer, created.id, 'approve', approveBody, { 'idempotency-key': key });
      expectStatus(replayed, 200);
      expect(replayed.json()).toEqual(approved.json());
      expect(replayed.headers['idempotent-replayed']).toBe('true');
      expect(replayed.headers['etag']).toBe(approved.headers['etag']);
      expect(await api.eventCount()).toBe(afterApprove);

      expectProblem(await command(api, communeOfficer, created.id, 'approve', { comment: 'Nội dung khác.' }, { 'idempotency-key': key }), 422, 'idempotency_key_reused');
      expect(await api.eventCount()).toBe(afterApprove);
      expect(await getNomination(api, proposer, created.id)).toMatchObject({ revision: 2, currentStage: { unit: '120' } });
    });

    it('refuses a stale If-Match with 412 and writes nothing; a matching one succeeds', async () => {
      const submitted = await createAndSubmit(api, proposer);
      const before = await api.eventCount();
      const stale = expectProblem(await command(api, communeOfficer, submitted.id, 'approve', {}, { 'if-match': '"0"' }), 412, 'revision_conflict');
      expect(stale.status).toBe(412);
      expectProblem(await command(api, communeOfficer, submitted.id, 'approve', {}, { 'if-match': 'yesterday' }), 400, 'validation_failed');
      expect(await api.eventCount()).toBe(before);

      const current = await api.request({ method: 'GET', url: `/nominations/${submitted.id}`, as: communeOfficer });
      expect(current.headers['etag']).toBe('"1"');
      const ok = await command(api, communeOfficer, submitted.id, 'approve', {}, { 'if-match': String(current.headers['etag']) });
      expectStatus(ok, 200);
      expect(ok.headers['etag']).toBe('"2"');
      expect(await api.eventCount()).toBe(before + 1);
    });
  });

  describe('bulk approve', () => {
    it('approves each id as its own command and reports each outcome', async () => {
      const a = await createAndSubmit(api, proposer);
      const b = await createAndSubmit(api, proposer, nominationBody({ nominee: nominees.individual }));
      const draft = await createNomination(api, proposer);
      const atDistrict = await createAndApprove(api, proposer, [communeOfficer]);
      const elsewhere = await createAndSubmit(api, otherProposer, nominationBody({ proposingUnit: '03820' }));
      const missing = randomUUID();
      const before = await api.eventCount();

      const response = await api.request({
        method: 'POST', url: '/nominations/bulk/approve', as: communeOfficer,
        body: { ids: [a.id, draft.id, b.id, atDistrict.id, missing, elsewhere.id], comment: 'Duyệt theo danh sách.' },
      });
      const { results } = expectOk(response);
      expect(results).toEqual([
        expect.objectContaining({ id: a.id, ok: true, status: 'in_review' }),
        expect.objectContaining({ id: draft.id, ok: false, code: 'invalid_transition' }),
        expect.objectContaining({ id: b.id, ok: true, status: 'in_review' }),
        expect.objectContaining({ id: atDistrict.id, ok: false, code: 'forbidden' }),
        expect.objectContaining({ id: missing, ok: false, code: 'not_found' }),
        expect.objectContaining({ id: elsewhere.id, ok: false, code: 'not_found' }),
      ]);
      for (const failed of results.filter((r: View) => !r.ok)) expect(typeof failed.detail).toBe('string');
      expect(await api.eventCount()).toBe(before + 2);
      expect(await getNomination(api, proposer, a.id)).toMatchObject({ currentStage: { unit: '120' } });
      expect(await getNomination(api, proposer, b.id)).toMatchObject({ currentStage: { unit: '120' } });
      expect(await getNomination(api, proposer, draft.id)).toMatchObject({ status: 'draft' });
      expect(await getNomination(api, otherProposer, elsewhere.id)).toMatchObject({ currentStage: { unit: '03820' } });

      // Role is checked for the whole request.
      expectProblem(await api.request({ method: 'POST', url: '/nominations/bulk/approve', as: proposer, body: { ids: [a.id] } }), 403, 'forbidden');
    });
  });

  describe('malformed requests: a 4xx problem, never a 500, nothing written', () => {
    let target: View;
    beforeAll(async () => {
      target = await createAndSubmit(api, proposer);
    });

    const valid = nominationBody();
    const validDocument = documents()[0]!;
    interface Case {
      readonly name: string;
      readonly as?: TestUser;
      readonly method?: 'POST' | 'PATCH';
      /** Relative to the target nomination when it starts with ':'. */
      readonly url?: string;
      readonly body?: unknown;
      readonly headers?: Record<string, string>;
      readonly status: number;
      readonly code: string;
    }
    const create = (name: string, body: unknown, status = 400, code = 'validation_failed', extra: Partial<Case> = {}): Case =>
      ({ name: `POST /nominations: ${name}`, body, status, code, ...extra });
    const cmd = (path: string, name: string, body: unknown, as: TestUser = communeOfficer, status = 400, code = 'validation_failed', extra: Partial<Case> = {}): Case =>
      ({ name: `POST /nominations/{id}/${path}: ${name}`, url: `:${path}`, body, as, status, code, ...extra });

    const cases: Case[] = [
      create('year as a string', { ...valid, year: '2022' }),
      create('year as a fraction', { ...valid, year: 2022.5 }),
      create('year in the future', { ...valid, year: new Date().getUTCFullYear() + 1 }),
      create('year before 1945', { ...valid, year: 1900 }),
      create('unknown top-level field (status)', { ...valid, status: 'approved' }),
      create('unknown top-level field (createdBy)', { ...valid, createdBy: { id: 'someone-else' } }),
      create('unknown nested field in nominee', { ...valid, nominee: { ...nominees.collective, salary: 1000000 } }),
      create('unknown nested field in a document', { ...valid, documents: [{ ...validDocument, owner: 'x' }] }),
      create('a gender on a collective', { ...valid, nominee: { ...nominees.collective, gender: 'female' } }),
      create('an individual without gender', { ...valid, nominee: { kind: 'individual', name: 'Lò Văn Páo' } }),
      create('an unknown nominee kind', { ...valid, nominee: { kind: 'company', name: 'Công ty TNHH Chiềng Lao' } }),
      create('nominee as a string', { ...valid, nominee: 'Trường Tiểu học Chiềng Lao' }),
      create('documents as an object', { ...valid, documents: validDocument }),
      create('a document with a bad checksum', { ...valid, documents: [{ ...validDocument, sha256: 'abc' }] }),
      create('a document with a non-http url', { ...valid, documents: [{ ...validDocument, url: 'javascript:alert(1)' }] }),
      create('an unknown document kind', { ...valid, documents: [{ ...validDocument, kind: 'selfie' }] }),
      create('achievements over 20000 characters', { ...valid, achievements: 'Thành tích xuất sắc. '.repeat(1000) + 'x'.repeat(1000) }),
      create('empty achievements', { ...valid, achievements: '' }),
      create('nominee name over 300 characters', { ...valid, nominee: { ...nominees.collective, name: 'Đ'.repeat(301) } }),
      create('awardCode over 100 characters', { ...valid, awardCode: 'A'.repeat(101) }),
      create('proposingUnit "abc"', { ...valid, proposingUnit: 'abc' }),
      create('proposingUnit "1234567"', { ...valid, proposingUnit: '1234567' }),
      create('proposingUnit as a number', { ...valid, proposingUnit: 3814 }),
      create('a proposingUnit that does not exist', { ...valid, proposingUnit: '99999' }),
      create('a proposingUnit outside the caller\'s unit', { ...valid, proposingUnit: '03820' }, 403, 'forbidden'),
      create('an unknown rule set', { ...valid, ruleSet: 'vn-1999' }),
      create('an award unknown to the rule set', { ...valid, awardCode: 'HUAN_CHUONG_LAO_DONG_HANG_BA' }),
      create('an award not offered under vn-2025 (GIAY_KHEN_HUYEN)', nominationBody2025({ awardCode: 'GIAY_KHEN_HUYEN', year: 2025 }), 400, 'validation_failed', { as: gso2025.proposer }),
      create('a household for CHIEN_SI_THI_DUA_TINH', { ...valid, awardCode: 'CHIEN_SI_THI_DUA_TINH', nominee: nominees.household }),
      create('a collective for LAO_DONG_TIEN_TIEN', { ...valid, awardCode: 'LAO_DONG_TIEN_TIEN' }),
      // The caller acts in gso-2004, no longer in force: only its own rule sets (history) are accepted.
      create('a rule set of another code set than the caller\'s, whose own code set is no longer in force', nominationBody2025({ year: 2025 }), 400, 'validation_failed'),
      create('invalid JSON text', '{"ruleSet": "vn-2017", "year": 2022,'),
      create('a null body', null),
      create('an array body', [valid]),
      create('a string body', JSON.stringify('BANG_KHEN_TINH')),
      create('a body over the size limit', { ...valid, achievements: 'x'.repeat(1_100_000) }, 413, 'payload_too_large'),
      create('a non-JSON content type', 'ruleSet=vn-2017&year=2022', 415, 'unsupported_media_type', { headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
      create('a text/plain body', 'Bằng khen', 415, 'unsupported_media_type', { headers: { 'content-type': 'text/plain' } }),
      create('an officer creating', valid, 403, 'forbidden', { as: communeOfficer }),
      create('an Idempotency-Key over 200 characters', valid, 400, 'validation_failed', { headers: { 'idempotency-key': 'k'.repeat(201) } }),

      cmd('council-votes', 'members as a string', councilVote(9, 9, { members: '9' })),
      cmd('council-votes', 'present above members', councilVote(9, 9, { present: 10 })),
      cmd('council-votes', 'inFavour + against above present', councilVote(9, 9, { present: 9, against: 3 })),
      cmd('council-votes', 'a negative count', councilVote(9, 9, { against: -1 })),
      cmd('council-votes', 'a session date in the future', councilVote(9, 9, { sessionDate: `${new Date().getUTCFullYear() + 1}-01-15` })),
      cmd('council-votes', 'an impossible date', councilVote(9, 9, { sessionDate: '2023-02-30' })),
      cmd('council-votes', 'an unknown field', { ...councilVote(9, 9), passed: true }),
      cmd('council-votes', 'a missing field', { members: 9, present: 9, inFavour: 9, against: 0 }),
      cmd('approve', 'comment as a number', { comment: 42 }),
      cmd('approve', 'comment over 2000 characters', { comment: 'x'.repeat(2001) }),
      cmd('approve', 'an unknown field (status)', { status: 'approved' }),
      cmd('approve', 'an unknown field (currentStage)', { currentStage: { unit: '14' } }),
      cmd('approve', 'a null body', null),
      cmd('approve', 'an array body', [{ comment: 'x' }]),
      cmd('approve', 'invalid JSON text', '{"comment": '),
      cmd('approve', 'a text/plain body', 'comment=x', communeOfficer, 415, 'unsupported_media_type', { headers: { 'content-type': 'text/plain' } }),
      cmd('approve', 'a form-encoded body', 'comment=x', communeOfficer, 415, 'unsupported_media_type', { headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
      cmd('return', 'missing as a string', { reason: 'Thiếu biên bản.', missing: 'council_minutes' }),
      cmd('return', 'an empty reason', { reason: '', missing: [] }),
      cmd('reject', 'an unknown reason code', { reasonCode: 'because', reason: 'Không đạt.' }),
      cmd('reject', 'reason over 2000 characters', { reasonCode: 'other', reason: 'x'.repeat(2001) }),
      cmd('submit', 'a non-empty body', { status: 'in_review' }, proposer),
      cmd('submit', 'a null body', null, proposer),
      cmd('submit', 'an array body', [], proposer),
      cmd('withdraw', 'no reason', {}, proposer),
      cmd('withdraw', 'reason as an object', { reason: { vi: 'Rút' } }, proposer),
      { name: 'PATCH /nominations/{id}: an empty body', method: 'PATCH', url: ':', body: {}, as: proposer, status: 400, code: 'validation_failed' },
      { name: 'PATCH /nominations/{id}: an unknown field (status)', method: 'PATCH', url: ':', body: { status: 'draft' }, as: proposer, status: 400, code: 'validation_failed' },
      { name: 'PATCH /nominations/{id}: year as a string', method: 'PATCH', url: ':', body: { year: '2021' }, as: proposer, status: 400, code: 'validation_failed' },
      { name: 'PATCH /nominations/{id}: while in review', method: 'PATCH', url: ':', body: { year: 2021 }, as: proposer, status: 409, code: 'invalid_transition' },
      { name: 'POST /nominations/bulk/approve: ids not UUIDs', url: '/nominations/bulk/approve', body: { ids: ['abc'] }, as: communeOfficer, status: 400, code: 'validation_failed' },
      { name: 'POST /nominations/bulk/approve: no ids', url: '/nominations/bulk/approve', body: { ids: [] }, as: communeOfficer, status: 400, code: 'validation_failed' },
      { name: 'POST /nominations/bulk/approve: 501 ids', url: '/nominations/bulk/approve', body: { ids: Array.from({ length: 501 }, () => randomUUID()) }, as: communeOfficer, status: 400, code: 'validation_failed' },
      { name: 'POST /nominations/bulk/approve: ids as a string', url: '/nominations/bulk/approve', body: { ids: randomUUID() }, as: communeOfficer, status: 400, code: 'validation_failed' },
    ];

    it.each(cases)('$name → $status $code', async ({ as = proposer, method = 'POST', url = '/nominations', body, headers, status, code }) => {
      const before = await api.eventCount();
      const path = url.startsWith(':') ? `/nominations/${target.id}${url === ':' ? '' : `/${url.slice(1)}`}` : url;
      const response = await api.request({ method, url: path, as, body, ...(headers ? { headers } : {}) });
      expectProblem(response, status, code);
      expect(await api.eventCount()).toBe(before);
    });

    it('leaves the target nomination exactly as it was', async () => {
      expect(await getNomination(api, proposer, target.id)).toEqual(target);
    });
  });
});

describe('nominations: per-user write rate limit', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await TestApi.start({ WRITE_RATE_LIMIT_PER_MINUTE: '3' });
  });
  afterAll(async () => {
    await api.close();
  });

  it('answers the 4th write of a user within a minute with 429 and Retry-After, while other users still write', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await createNomination(api, proposer)).id);
    const before = await api.eventCount();

    const limited = await api.request({ method: 'POST', url: '/nominations', as: proposer, body: nominationBody() });
    const problem = expectProblem(limited, 429, 'rate_limited');
    const retryAfter = Number(limited.headers['retry-after']);
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(problem.detail).toContain('3');
    // Commands count as writes too; reads do not.
    expectProblem(await command(api, proposer, ids[0]!, 'submit'), 429, 'rate_limited');
    expect(await getNomination(api, proposer, ids[0]!)).toMatchObject({ status: 'draft' });
    expect(await api.eventCount()).toBe(before);

    expect(await createNomination(api, otherProposer, nominationBody({ proposingUnit: '03820' }))).toMatchObject({ status: 'draft' });
    expect(await api.eventCount()).toBe(before + 1);
  });
});
