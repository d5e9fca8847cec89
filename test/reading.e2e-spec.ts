import { readFileSync } from 'node:fs';
import {
  approve,
  command,
  createAndApprove,
  createAndSubmit,
  createNomination,
  documents,
  expectOk,
  expectProblem,
  gso2004,
  gso2025,
  nominationBody,
  nominees,
  type View,
} from './support/nomination-fixtures';
import { TestApi, type TestUser } from './support/test-api';

const { proposer, communeOfficer, districtOfficer, districtDecider, provinceOfficer, otherDistrictDecider, otherProposer } = gso2004;

/** An officer of another district (Thành phố Sơn La, 116): shares the province, not the district. */
const outsideOfficer: TestUser = { sub: 'o-116', name: 'Đỗ Văn Bình', roles: ['officer'], unit: '116', codeSet: 'gso-2004' };

const hangAnh = { kind: 'individual', name: 'Nguyễn Thị Hằng Ánh', gender: 'female', position: 'Giáo viên', organization: 'Trường Tiểu học Chiềng Lao' };

/**
 * The read side over HTTP with the worker's projections running in-process: every read sends the
 * Min-Position of the last write (TestApi does, as the console does), so it sees that write.
 */
describe('reading: lists, search, inbox, history, decisions, reports (real PostgreSQL, projections running)', () => {
  let api: TestApi;
  let inReview: View;
  let atDistrict: View;
  let returned: View;
  let awarded: View;
  let decisionId: string;

  beforeAll(async () => {
    api = await TestApi.start();
    await api.startWorker();
    inReview = await createAndSubmit(api, proposer, nominationBody({ awardCode: 'CHIEN_SI_THI_DUA_CO_SO', nominee: hangAnh, documents: documents(['submission', 'achievement_report', 'council_minutes']) }));
    atDistrict = await createAndApprove(api, proposer, [communeOfficer], nominationBody({ awardCode: 'GIAY_KHEN_HUYEN', nominee: nominees.collective }));
    returned = await createAndSubmit(api, proposer, nominationBody({ awardCode: 'GIAY_KHEN_HUYEN', nominee: nominees.household }));
    expectOk(await command(api, communeOfficer, returned.id, 'return', { reason: 'Thiếu biên bản họp', missing: ['council_minutes'] }));
    awarded = await createAndApprove(api, proposer, [communeOfficer, districtOfficer], nominationBody({
      awardCode: 'GIAY_KHEN_HUYEN', nominee: { ...nominees.collective, name: 'Tổ dân phố 2, "Hoa Ban", xã Chiềng Lao' },
    }));
    const decision = expectOk(await api.request({
      method: 'POST', url: '/decisions', as: districtDecider, body: {
        number: '125/QĐ-UBND', signedOn: '2023-03-24', signer: { name: 'Lường Văn Chiến', title: 'Chủ tịch UBND huyện Mường La' },
        reason: 'Đã có thành tích xuất sắc trong phong trào thi đua năm 2022', nominationIds: [awarded.id],
      },
    }), 201);
    decisionId = decision.id;
    expect(decision.position).toMatch(/^\d+$/);
  });
  afterAll(async () => {
    await api.close();
  });

  const get = async (as: TestUser, url: string): Promise<View> => expectOk(await api.request({ method: 'GET', url, as }));

  it('carries the written log position on every command answer, header and body alike', async () => {
    const created = await api.request({ method: 'POST', url: '/nominations', as: proposer, body: nominationBody() });
    expect(created.statusCode).toBe(201);
    expect(created.headers['log-position']).toMatch(/^\d+$/);
    expect(created.json().position).toBe(created.headers['log-position']);
    const submitted = await command(api, proposer, created.json().id, 'submit');
    expect(BigInt(String(submitted.headers['log-position']))).toBeGreaterThan(BigInt(String(created.headers['log-position'])));
    // And the very next read sees it.
    expect((await get(proposer, `/nominations/${created.json().id}`)).status).toBe('in_review');
  });

  it('lists what the jurisdiction allows, newest first, with every filter', async () => {
    const all = await get(districtOfficer, '/nominations?limit=200');
    const ids = all.items.map((n: View) => n.id);
    expect(ids).toEqual(expect.arrayContaining([inReview.id, atDistrict.id, returned.id, awarded.id]));
    const created = all.items.map((n: View) => n.createdAt);
    expect([...created].sort().reverse()).toEqual(created);

    expect((await get(districtOfficer, '/nominations?status=awarded')).items.map((n: View) => n.id)).toEqual([awarded.id]);
    expect((await get(districtOfficer, '/nominations?status=in_review&level=district')).items.map((n: View) => n.id)).toEqual([atDistrict.id]);
    expect((await get(districtOfficer, '/nominations?awardCode=CHIEN_SI_THI_DUA_CO_SO')).items.map((n: View) => n.id)).toEqual([inReview.id]);
    expect((await get(districtOfficer, '/nominations?year=2021')).items).toEqual([]);
    expect((await get(districtOfficer, '/nominations?ruleSet=vn-2017&unit=03814&limit=200')).items.length).toBe(all.items.length);
    expect((await get(districtOfficer, '/nominations?unit=03820')).items).toEqual([]);
    const summary = (await get(districtOfficer, `/nominations?status=in_review&level=district`)).items[0];
    expect(summary).toMatchObject({
      id: atDistrict.id, status: 'in_review', awardCode: 'GIAY_KHEN_HUYEN', nominee: { kind: 'collective', name: nominees.collective.name },
      currentStage: { unit: '120', level: 'district' }, deciding: { unit: '120' }, overdue: false, proposingUnit: '03814',
    });
  });

  it('finds a nominee whatever the case and diacritics (q), word by word', async () => {
    for (const q of ['nguyen thi hang anh', 'NGUYỄN THỊ HẰNG ÁNH', 'hang anh', 'Nguyễn Thị Hằng Ánh'.normalize('NFD'), 'anh nguyen']) {
      const found = await get(communeOfficer, `/nominations?q=${encodeURIComponent(q)}`);
      expect(found.items.map((n: View) => n.id)).toEqual([inReview.id]);
    }
    expect((await get(communeOfficer, `/nominations?q=${encodeURIComponent('nguyen van')}`)).items).toEqual([]);
    // LIKE metacharacters are letters here.
    expect((await get(communeOfficer, `/nominations?q=${encodeURIComponent('%')}`)).items).toEqual([]);
  });

  it('serves q from the trigram index on the search key', async () => {
    // A handful of rows makes a sequential scan cheapest; with it priced out, the plan shows the
    // index the search predicate can use (the bench prints the whole query's plan at scale).
    const client = await api.database.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SET LOCAL enable_seqscan = off');
      const { rows } = await client.query<{ 'QUERY PLAN': string }>(
        "EXPLAIN SELECT id FROM rm_nominations WHERE search_key LIKE '%hang%' AND search_key LIKE '%anh%'",
      );
      await client.query('ROLLBACK');
      expect(rows.map((r) => r['QUERY PLAN']).join('\n')).toContain('rm_nominations_search_key');
    } finally {
      client.release();
    }
  });

  it('lists the stored item, which the summaries migration computes alike for rows projected before it', async () => {
    const sql = readFileSync('migrations/1765100000000_nomination-summaries.sql', 'utf8');
    const update = /UPDATE rm_nominations SET summary = [\s\S]*?;\n/u.exec(sql)![0];
    const client = await api.database.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('CREATE TEMP TABLE summaries_by_sql ON COMMIT DROP AS SELECT * FROM rm_nominations');
      await client.query(update.replace('UPDATE rm_nominations', 'UPDATE summaries_by_sql'));
      const { rows } = await client.query<{ n: number; differ: number }>(
        'SELECT count(*)::int AS n, count(*) FILTER (WHERE s.summary IS DISTINCT FROM r.summary)::int AS differ FROM summaries_by_sql s JOIN rm_nominations r USING (id)',
      );
      await client.query('ROLLBACK');
      expect(rows[0]!.n).toBeGreaterThanOrEqual(4);
      expect(rows[0]!.differ).toBe(0);
    } finally {
      client.release();
    }
    const listed = (await get(proposer, '/nominations?limit=200')).items.find((n: View) => n.id === inReview.id);
    expect(listed).toEqual({
      id: inReview.id, revision: expect.any(Number), position: expect.stringMatching(/^\d+$/), ruleSet: 'vn-2017', codeSet: 'gso-2004',
      awardCode: 'CHIEN_SI_THI_DUA_CO_SO', awardName: expect.any(String), year: expect.any(Number),
      nominee: { kind: 'individual', name: 'Nguyễn Thị Hằng Ánh', gender: 'female', organization: 'Trường Tiểu học Chiềng Lao' },
      proposingUnit: '03814', status: 'in_review',
      currentStage: { unit: '03814', unitName: expect.any(String), level: 'commune', enteredAt: expect.any(String), dueOn: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) },
      deciding: { unit: expect.any(String), unitName: expect.any(String), level: expect.any(String) },
      overdue: expect.any(Boolean), createdAt: expect.any(String), updatedAt: expect.any(String),
    });
  });

  it('pages with an opaque cursor, without gaps or repeats, and refuses a forged one', async () => {
    const all = (await get(proposer, '/nominations?limit=200')).items.map((n: View) => n.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: View = await get(proposer, `/nominations?limit=2${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`);
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((n: View) => n.id));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(seen).toEqual(all);
    expectProblem(await api.request({ method: 'GET', url: '/nominations?cursor=bm9wZQ', as: proposer }), 400, 'validation_failed');
    const inboxCursor = Buffer.from(JSON.stringify(['inbox', 'x'])).toString('base64url');
    expectProblem(await api.request({ method: 'GET', url: `/nominations?cursor=${inboxCursor}`, as: proposer }), 400, 'validation_failed');
    // Forged sort keys of the right kind and length: each reached PostgreSQL as a failing cast (a 500).
    const forged = (key: unknown[]): string => Buffer.from(JSON.stringify(key)).toString('base64url');
    for (const url of [
      `/nominations?cursor=${forged(['nominations', 'x', 'y'])}`,
      `/nominations?cursor=${forged(['nominations', '2023-01-01T00:00:00.000Z', 'not-a-uuid'])}`,
      `/decisions?cursor=${forged(['decisions', '2023-13-01', inReview.id])}`,
      `/nominations/${inReview.id}/history?cursor=${forged(['history', 'abc'])}`,
      `/nominations/${inReview.id}/history?cursor=${forged(['history', -5])}`,
    ]) expectProblem(await api.request({ method: 'GET', url, as: districtOfficer }), 400, 'validation_failed');
    // Also where nothing can wait for the caller (an auditor's inbox answered 200 to any cursor).
    const auditor: TestUser = { sub: 'a-120', name: 'Hà Văn Kiểm', roles: ['auditor'], unit: '120', codeSet: 'gso-2004' };
    expectProblem(await api.request({ method: 'GET', url: '/inbox?cursor=bm9wZQ', as: auditor }), 400, 'validation_failed');
    expectProblem(await api.request({ method: 'GET', url: '/nominations?limit=201', as: proposer }), 400, 'validation_failed');
    expectProblem(await api.request({ method: 'GET', url: '/nominations?status=lost', as: proposer }), 400, 'validation_failed');
  });

  it('answers each inbox with what waits there, oldest due first', async () => {
    const commune = await get(communeOfficer, '/inbox');
    expect(commune.items.map((i: View) => i.nominationId)).toContain(inReview.id);
    expect(commune.items.every((i: View) => i.waitingFor === 'officer' && i.unit === '03814')).toBe(true);
    const dues = commune.items.map((i: View) => i.dueOn);
    expect([...dues].sort()).toEqual(dues);
    expect(commune.items.find((i: View) => i.nominationId === inReview.id)).toMatchObject({
      nominee: { name: hangAnh.name }, overdue: false, status: 'in_review', dueOn: inReview.currentStage.dueOn,
    });

    const district = await get(districtOfficer, '/inbox');
    expect(district.items.map((i: View) => i.nominationId)).toEqual([atDistrict.id]);
    const own = await get(proposer, '/inbox');
    expect(own.items.map((i: View) => i.nominationId)).toEqual([returned.id]);
    expect(own.items[0]).toMatchObject({ waitingFor: 'proposer', dueOn: null, status: 'returned' });

    // Approved at the district: now it waits for the district's decider, and no longer for the officer.
    await approve(api, districtOfficer, atDistrict.id);
    expect((await get(districtDecider, '/inbox')).items.map((i: View) => i.nominationId)).toEqual([atDistrict.id]);
    expect((await get(districtOfficer, '/inbox')).items).toEqual([]);
  });

  it('reads one nomination from the read model, and as it was at a revision or an instant', async () => {
    const now = await get(districtOfficer, `/nominations/${awarded.id}`);
    expect(now).toMatchObject({ id: awarded.id, status: 'awarded', revision: 4, decision: { decisionNumber: '125/QĐ-UBND' } });
    expect(now.position).toMatch(/^\d+$/);

    // By hand: revision 0 = created (draft, nothing entered); 1 = submitted (at the commune);
    // 2 = approved at the commune (at the district); 3 = approved at the district (approved).
    const history = (await get(districtOfficer, `/nominations/${awarded.id}/history`)).items;
    expect(history.map((e: View) => e.type)).toEqual(['NominationCreated', 'NominationSubmitted', 'StageApproved', 'NominationApproved', 'NominationAwarded']);
    const expected = [
      { status: 'draft', currentStage: null, route: ['03814:pending', '120:pending'] },
      { status: 'in_review', currentStage: { unit: '03814' }, route: ['03814:in_review', '120:pending'] },
      { status: 'in_review', currentStage: { unit: '120' }, route: ['03814:approved', '120:in_review'] },
      { status: 'approved', currentStage: null, route: ['03814:approved', '120:approved'] },
    ];
    // asOf keeps the events recorded at or before the instant (the store records to the millisecond).
    const recorded = (await api.database.pool.query<{ revision: string; at: Date }>(
      'SELECT revision, recorded_at AS at FROM events WHERE stream_id = $1 ORDER BY revision', [`nomination-${awarded.id}`],
    )).rows.map((row) => ({ revision: Number(row.revision), at: row.at }));
    expect(recorded.map((e) => e.revision)).toEqual([0, 1, 2, 3, 4]);
    for (const [revision, want] of expected.entries()) {
      const byRevision = await get(districtOfficer, `/nominations/${awarded.id}?revision=${revision}`);
      expect(byRevision).toMatchObject({ revision, status: want.status, currentStage: want.currentStage });
      expect(byRevision.route.map((s: View) => `${s.unit}:${s.status}`)).toEqual(want.route);
      // The instant this revision was recorded: it and everything before it, nothing after — unless the next
      // command was recorded within the same millisecond, when no instant lies between them and the view
      // is the later revision's (the fast path can decide and append within one).
      const instant = recorded[revision]!.at;
      const seen = Math.max(...recorded.filter((e) => e.at.getTime() <= instant.getTime()).map((e) => e.revision));
      const byTime = await get(districtOfficer, `/nominations/${awarded.id}?asOf=${encodeURIComponent(instant.toISOString())}`);
      expect(byTime).toMatchObject({ revision: seen, status: expected[seen]?.status ?? 'awarded' });
      if (seen === revision) expect(byTime.route.map((s: View) => `${s.unit}:${s.status}`)).toEqual(want.route);
    }
    // Each command's own instant (when it was decided) comes at or before the instant it was recorded.
    for (const [revision, event] of history.slice(0, 4).entries()) expect(Date.parse(event.at)).toBeLessThanOrEqual(recorded[revision]!.at.getTime());
    expectProblem(await api.request({ method: 'GET', url: `/nominations/${awarded.id}?asOf=2000-01-01T00:00:00Z`, as: districtOfficer }), 404, 'not_found');
    // A revision not reached yet is no view of the past (it answered revision 4 with ETag "4").
    expectProblem(await api.request({ method: 'GET', url: `/nominations/${awarded.id}?revision=5`, as: districtOfficer }), 404, 'not_found');
  });

  it('pages the history by revision', async () => {
    const first = await get(districtOfficer, `/nominations/${awarded.id}/history?limit=2`);
    expect(first.items.map((e: View) => e.revision)).toEqual([0, 1]);
    const second = await get(districtOfficer, `/nominations/${awarded.id}/history?limit=2&cursor=${first.nextCursor}`);
    expect(second.items.map((e: View) => e.revision)).toEqual([2, 3]);
    const third = await get(districtOfficer, `/nominations/${awarded.id}/history?limit=2&cursor=${second.nextCursor}`);
    expect(third.items.map((e: View) => e.revision)).toEqual([4]);
    expect(third.nextCursor).toBeNull();
    expect(third.items[0]).toMatchObject({ type: 'NominationAwarded', actor: { id: districtDecider.sub }, hash: expect.any(String) });
  });

  it('lists decisions by unit and year', async () => {
    const list = await get(districtDecider, '/decisions?year=2023');
    expect(list.items).toEqual([expect.objectContaining({ id: decisionId, number: '125/QĐ-UBND', issuingUnit: '120', nominationCount: 1, bonusTotal: 900_000 })]);
    expect((await get(districtDecider, '/decisions?year=2022')).items).toEqual([]);
    expect((await get(provinceOfficer, '/decisions?unit=120')).items.map((d: View) => d.id)).toEqual([decisionId]);
    expect((await get(communeOfficer, '/decisions')).items).toEqual([]);
  });

  it('lists the decisions of an abolished district to its successor (Huyện Mường La → Tỉnh Sơn La, gso-2025), and to no one else there', async () => {
    // The 2025 reform ended gso-2004 (DOMAIN.md): Tỉnh Sơn La of gso-2025 took over Huyện Mường La,
    // revokes its decisions and reads them (GET /decisions/{id}); its list shows them too.
    const successor = gso2025.provinceDecider;
    for (const url of ['/decisions', '/decisions?unit=14', '/decisions?year=2023']) {
      expect((await get(successor, url)).items).toEqual([expect.objectContaining({ id: decisionId, codeSet: 'gso-2004', issuingUnit: '120' })]);
    }
    expect((await get(successor, '/decisions?year=2022')).items).toEqual([]);
    expect((await get(gso2025.provinceOfficer, '/decisions')).items.map((d: View) => d.id)).toEqual([decisionId]);
    expect(expectOk(await api.request({ method: 'GET', url: `/decisions/${decisionId}`, as: successor }))).toMatchObject({ id: decisionId });
    // A gso-2025 commune did not succeed the district: nothing.
    expect((await get(gso2025.communeOfficer, '/decisions')).items).toEqual([]);
    expect((await get(gso2025.provinceDecider, '/decisions?unit=03814')).items).toEqual([]);
  });

  it('counts awards under a unit, in JSON and as CSV', async () => {
    const report = await get(provinceOfficer, '/reports/awards?unit=120&year=2022');
    expect(report.rows).toEqual([{ awardCode: 'GIAY_KHEN_HUYEN', awardName: expect.any(String), nomineeKind: 'collective', count: 1, bonusTotal: 900_000 }]);
    expect(report.totals).toEqual({ count: 1, bonusTotal: 900_000 });
    const byUnit = await get(provinceOfficer, '/reports/awards?by=unit,level');
    expect(byUnit.rows[0]).toMatchObject({ unit: '03814', level: 'commune', count: 1 });

    const csv = await api.request({ method: 'GET', url: '/reports/awards?unit=120&year=2022', as: provinceOfficer, headers: { accept: 'text/csv' } });
    expect(csv.statusCode).toBe(200);
    expect(String(csv.headers['content-type'])).toMatch(/^text\/csv; charset=utf-8/);
    expect(csv.body.startsWith('\uFEFF')).toBe(true);
    expect(csv.body.split('\r\n')[0]).toBe('\uFEFFawardCode,awardName,nomineeKind,gender,count,bonusTotal');
    expect(csv.body).toContain(`GIAY_KHEN_HUYEN,${report.rows[0].awardName},collective,,1,900000\r\n`);
    // Naming text/csv is not asking for it: a client preferring JSON gets JSON (q-values count).
    const json = await api.request({ method: 'GET', url: '/reports/awards?unit=120&year=2022', as: provinceOfficer, headers: { accept: 'application/json, text/csv;q=0.1' } });
    expect(String(json.headers['content-type'])).toMatch(/^application\/json/);
    expect(JSON.parse(json.body)).toEqual(report);
  });

  it('reports stage timings per stage unit', async () => {
    const report = await get(districtOfficer, '/reports/stages');
    const commune = report.rows.find((r: View) => r.unit === '03814');
    const district = report.rows.find((r: View) => r.unit === '120');
    // Commune: inReview (in review), plus the two approved there and the one returned: finished.
    expect(commune).toMatchObject({ level: 'commune', inReview: expect.any(Number), completed: expect.any(Number), medianWorkingDays: 0 });
    expect(commune.completed).toBeGreaterThanOrEqual(3);
    expect(district).toMatchObject({ level: 'district', inReview: 0, completed: 2, overdue: 0 });
  });

  it('shows an officer of another district nothing of this one, on every query', async () => {
    expect((await get(outsideOfficer, '/nominations?limit=200')).items).toEqual([]);
    expect((await get(outsideOfficer, `/nominations?q=${encodeURIComponent('hang anh')}`)).items).toEqual([]);
    expect((await get(outsideOfficer, '/nominations?unit=120')).items).toEqual([]);
    expect((await get(outsideOfficer, '/inbox')).items).toEqual([]);
    expect((await get(otherDistrictDecider, '/inbox')).items).toEqual([]);
    expect((await get(otherProposer, '/inbox')).items).toEqual([]);
    expectProblem(await api.request({ method: 'GET', url: `/nominations/${awarded.id}`, as: outsideOfficer }), 404, 'not_found');
    expectProblem(await api.request({ method: 'GET', url: `/nominations/${awarded.id}?revision=0`, as: outsideOfficer }), 404, 'not_found');
    expectProblem(await api.request({ method: 'GET', url: `/nominations/${awarded.id}/history`, as: outsideOfficer }), 404, 'not_found');
    expect((await get(otherDistrictDecider, '/decisions')).items).toEqual([]);
    expect((await get(otherDistrictDecider, '/decisions?unit=120')).items).toEqual([]);
    expect((await get(outsideOfficer, '/reports/awards?unit=120')).rows).toEqual([]);
    expect((await get(outsideOfficer, '/reports/awards')).rows).toEqual([]);
    expect((await get(outsideOfficer, '/reports/stages?unit=120')).rows).toEqual([]);
    expect((await get(outsideOfficer, '/reports/stages')).rows).toEqual([]);
    // A proposer of a sibling commune sees nothing of 03814's either.
    expect((await get(otherProposer, '/nominations')).items).toEqual([]);
  });

  it('waits for minPosition, and answers 503 read_model_behind when the read model does not get there in time', async () => {
    const draft = await createNomination(api, proposer);
    const position = BigInt(draft.position);
    const seen = await api.request({ method: 'GET', url: `/nominations?minPosition=${position}&limit=200`, as: proposer });
    expect(seen.json().items.map((n: View) => n.id)).toContain(draft.id);

    await api.stopWorker();
    const submitted = expectOk(await command(api, proposer, draft.id, 'submit'));
    const started = Date.now();
    const behind = await api.request({ method: 'GET', url: '/inbox', as: communeOfficer, headers: { 'min-position': submitted.position } });
    expectProblem(behind, 503, 'read_model_behind');
    expect(Date.now() - started).toBeGreaterThanOrEqual(4_900);
    expectProblem(await api.request({ method: 'GET', url: '/inbox?minPosition=abc', as: communeOfficer }), 400, 'validation_failed');

    // The worker comes back and the same read succeeds.
    await api.startWorker();
    const fresh = await api.request({ method: 'GET', url: '/inbox', as: communeOfficer, headers: { 'min-position': submitted.position } });
    expect(fresh.json().items.map((i: View) => i.nominationId)).toContain(draft.id);
  }, 60_000);
});
