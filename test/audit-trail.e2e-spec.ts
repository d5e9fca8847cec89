import { createAndApprove, createNomination, expectOk, expectProblem, gso2004, gso2025, nominationBody } from './support/nomination-fixtures';
import { TestApi, type TestUser } from './support/test-api';

/*
 * GET /audit/events and GET /audit/reads over HTTP with the worker's audit-events consumer running:
 * jurisdiction, every filter, keyset pages, the CSV export, and the record of every read.
 */
const auditor = (sub: string, unit: string): TestUser => ({ sub, name: `Thanh tra ${unit} — Đặng Thị Hương`, roles: ['auditor'], unit, codeSet: 'gso-2004' });
const provinceAuditor = auditor('a-14', '14');
const districtAuditor = auditor('a-120', '120');
const otherDistrictAuditor = auditor('a-116', '116');
const communeAuditor = auditor('a-03820', '03820');
const admin: TestUser = { sub: 'admin-1', name: 'Quản trị', roles: ['admin'], unit: '14', codeSet: 'gso-2004' };

describe('the audit trail', () => {
  let api: TestApi;
  let inChiengLao: string;
  let inNgocChien: string;

  beforeAll(async () => {
    api = await TestApi.start();
    await api.startWorker();
    inChiengLao = (await createNomination(api, gso2004.proposer, nominationBody())).id as string;
    inNgocChien = (await createNomination(api, gso2004.otherProposer, nominationBody({ proposingUnit: '03820' }))).id as string;
    await api.request({
      method: 'PATCH',
      url: `/nominations/${inChiengLao}`,
      as: gso2004.proposer,
      body: { achievements: 'Hoàn thành xuất sắc nhiệm vụ, "sáng kiến" cấp huyện, năm 2022' },
    });
  });

  afterAll(async () => {
    await api?.close();
  });

  const events = async (as: TestUser, query = '') => expectOk(await api.request({ method: 'GET', url: `/audit/events${query}`, as }));

  it('answers 403 to a proposer, an officer and (for events) an administrator', async () => {
    for (const as of [gso2004.proposer, gso2004.districtOfficer, admin]) {
      expectProblem(await api.request({ method: 'GET', url: '/audit/events', as }), 403, 'forbidden');
    }
    for (const as of [gso2004.proposer, gso2004.districtOfficer]) {
      expectProblem(await api.request({ method: 'GET', url: '/audit/reads', as }), 403, 'forbidden');
    }
  });

  it('shows each auditor the events of nominations whose route passes through their unit or below, only', async () => {
    const ids = async (as: TestUser) => new Set((await events(as)).items.map((i: { nominationId: string }) => i.nominationId));
    expect(await ids(provinceAuditor)).toEqual(new Set([inChiengLao, inNgocChien]));
    expect(await ids(districtAuditor)).toEqual(new Set([inChiengLao, inNgocChien]));
    expect(await ids(communeAuditor)).toEqual(new Set([inNgocChien]));
    expect(await ids(otherDistrictAuditor)).toEqual(new Set());
  });

  it('gives who did what, when, on whose authority', async () => {
    const { items } = await events(districtAuditor, `?nominationId=${inChiengLao}`);
    expect(items.map((i: { type: string }) => i.type)).toEqual(['NominationCreated', 'NominationUpdated']);
    expect(items[0]).toMatchObject({
      streamId: `nomination-${inChiengLao}`,
      revision: 0,
      nominationId: inChiengLao,
      actor: { id: gso2004.proposer.sub, name: gso2004.proposer.name, unit: '03814', roles: ['proposer'] },
      data: { proposingUnit: '03814' },
    });
    expect(new Date(items[0].at).getTime()).toBeGreaterThan(Date.now() - 600_000);
  });

  it('filters by type, actor, unit and time, narrowing the jurisdiction and never widening it', async () => {
    expect((await events(provinceAuditor, '?type=NominationUpdated')).items).toHaveLength(1);
    expect((await events(provinceAuditor, '?type=NominationUpdated,NominationCreated')).items).toHaveLength(3);
    expect((await events(provinceAuditor, `?actor=${gso2004.otherProposer.sub}`)).items.map((i: { nominationId: string }) => i.nominationId)).toEqual([inNgocChien]);
    expect((await events(provinceAuditor, '?unit=03820')).items.map((i: { nominationId: string }) => i.nominationId)).toEqual([inNgocChien]);
    expectProblem(await api.request({ method: 'GET', url: '/audit/events?unit=116', as: districtAuditor }), 403, 'forbidden');
    expectProblem(await api.request({ method: 'GET', url: '/audit/events?unit=14', as: districtAuditor }), 403, 'forbidden');
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect((await events(provinceAuditor, `?from=${future}`)).items).toEqual([]);
    expect((await events(provinceAuditor, `?to=${future}`)).items).toHaveLength(3);
    // A time range on `at` (recorded time): from inclusive, to exclusive, any zone the instant names.
    const all = (await events(provinceAuditor, '')).items as { at: string; position: string }[];
    const second = all[1]!;
    const inRange = (await events(provinceAuditor, `?from=${encodeURIComponent(second.at)}&to=${encodeURIComponent(new Date(Date.parse(second.at) + 1).toISOString())}`)).items;
    expect(inRange.map((i: { position: string }) => i.position)).toEqual(all.filter((i) => i.at === second.at).map((i) => i.position));
    const inHanoi = new Date(Date.parse(second.at) + 7 * 3_600_000).toISOString().replace('Z', '+07:00');
    expect((await events(provinceAuditor, `?from=${encodeURIComponent(inHanoi)}`)).items.map((i: { position: string }) => i.position)).toEqual(
      all.filter((i) => i.at >= second.at).map((i) => i.position),
    );
    // from/to are instants with a zone: a week date Date cannot read, or a time it would read in the server's zone, is a 400.
    for (const bad of ['?from=yesterday', '?from=2023-W01', '?to=2023-01-01T12:00:00', '?from=2023-01-01', '?limit=0', '?limit=201', '?nominationId=x', '?type=a;b', '?cursor=%24%24', '?colour=red']) {
      expectProblem(await api.request({ method: 'GET', url: `/audit/events${bad}`, as: provinceAuditor }), 400, 'validation_failed');
    }
    // A cursor neither list gave out is refused, never read as "from the start" (a client would get its first page again),
    // and one past a read id is refused too rather than failing the query.
    const cursorOf = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
    for (const cursor of ['abc', cursorOf('p:x'), cursorOf('position 5')]) {
      for (const list of ['events', 'reads']) {
        expectProblem(await api.request({ method: 'GET', url: `/audit/${list}?cursor=${cursor}`, as: provinceAuditor }), 400, 'validation_failed');
      }
    }
    expectProblem(await api.request({ method: 'GET', url: `/audit/reads?cursor=${cursorOf('p:99999999999999999999')}`, as: provinceAuditor }), 400, 'validation_failed');
    expect(expectOk(await api.request({ method: 'GET', url: `/audit/events?cursor=${cursorOf('p:99999999999999999999')}`, as: provinceAuditor }))).toEqual({ items: [], nextCursor: null });
  });

  it('pages by keyset in log order without gaps or repeats', async () => {
    const all = (await events(provinceAuditor)).items.map((i: { position: string }) => i.position);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { position: string }[]; nextCursor: string | null } = await events(provinceAuditor, `?limit=1${cursor === null ? '' : `&cursor=${cursor}`}`);
      seen.push(...page.items.map((i) => i.position));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(seen).toEqual(all);
    expect([...all].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1))).toEqual(all);
  });

  it('exports the same rows as RFC 4180 CSV with a UTF-8 BOM', async () => {
    const response = await api.request({ method: 'GET', url: '/audit/events', as: districtAuditor, headers: { accept: 'text/csv' } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/csv');
    const raw = Buffer.from(response.body, 'utf8');
    expect(raw.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const lines = response.body.slice(1).split('\r\n');
    expect(lines[0]).toBe('position,streamId,revision,type,at,actorId,actorName,actorUnit,actorRoles,nominationId,decisionId,data');
    expect(lines.at(-1)).toBe('');
    expect(lines).toHaveLength(3 + 2);
    expect(response.body).toContain(gso2004.proposer.name);
    // The achievements text holds commas and quotes: its JSON is one quoted field with quotes doubled.
    expect(response.body).toContain('\\""sáng kiến\\"" cấp huyện, năm 2022');
    expectProblem(await api.request({ method: 'GET', url: '/audit/events?unit=116', as: districtAuditor, headers: { accept: 'text/csv' } }), 403);
  });

  it('records every read, and lists them to administrators and to auditors above the reader', async () => {
    await events(communeAuditor, '?type=NominationCreated');
    const all = expectOk(await api.request({ method: 'GET', url: `/audit/reads?actor=${communeAuditor.sub}`, as: admin }));
    expect(all.items[0]).toMatchObject({
      actor: { id: communeAuditor.sub, unit: '03820', roles: ['auditor'] },
      resource: 'audit-events',
      format: 'json',
      filter: { types: ['NominationCreated'] },
      rows: 1,
      complete: true,
    });
    const csv = expectOk(await api.request({ method: 'GET', url: `/audit/reads?actor=${districtAuditor.sub}`, as: provinceAuditor }));
    expect(csv.items.some((read: { format: string; rows: number }) => read.format === 'csv' && read.rows === 3)).toBe(true);
    // The district auditor sees the commune auditor's reads (03820 is under 120), not the province's.
    const fromDistrict = expectOk(await api.request({ method: 'GET', url: '/audit/reads', as: districtAuditor }));
    const readers = new Set(fromDistrict.items.map((read: { actor: { id: string } }) => read.actor.id));
    expect(readers.has(communeAuditor.sub)).toBe(true);
    expect(readers.has(provinceAuditor.sub)).toBe(false);
    const fromOtherDistrict = expectOk(await api.request({ method: 'GET', url: '/audit/reads', as: otherDistrictAuditor }));
    expect(new Set(fromOtherDistrict.items.map((read: { actor: { id: string } }) => read.actor.id))).toEqual(new Set([otherDistrictAuditor.sub]));
  });

  it('misses nothing appended while the worker was down, and doubles nothing', async () => {
    await api.stopWorker();
    const created = await createNomination(api, gso2004.proposer, nominationBody());
    const third = created.id as string;
    // The restarted worker first takes over the consumer's lock: a generous wait, never an assertion of speed.
    await (await api.startWorker()).subscriber('audit-events').waitFor(BigInt(created.position as string), 60_000);
    expect((await events(districtAuditor, `?nominationId=${third}`)).items.map((i: { type: string }) => i.type)).toEqual(['NominationCreated']);
    const positions = (await events(provinceAuditor, '?limit=200')).items.map((i: { position: string }) => i.position);
    expect(positions).toHaveLength(4);
    expect(new Set(positions).size).toBe(4);
  });

  it('reads its own writes: minPosition as a query parameter or the Min-Position header, like every query', async () => {
    const patched = await api.request({ method: 'PATCH', url: `/nominations/${inNgocChien}`, as: gso2004.otherProposer, body: { achievements: 'Bổ sung: dẫn đầu phong trào thi đua năm 2022' } });
    expect(patched.statusCode).toBe(200);
    const position = patched.headers['log-position'] as string;
    const wanted = (page: { items: { position: string; type: string }[] }) => page.items.filter((i) => i.position === position).map((i) => i.type);
    expect(wanted(await events(provinceAuditor, `?nominationId=${inNgocChien}&minPosition=${position}`))).toEqual(['NominationUpdated']);
    expect(wanted(expectOk(await api.request({ method: 'GET', url: `/audit/events?nominationId=${inNgocChien}`, as: provinceAuditor, headers: { 'min-position': position } })))).toEqual(['NominationUpdated']);
    expectProblem(await api.request({ method: 'GET', url: '/audit/events?minPosition=soon', as: provinceAuditor }), 400);
  });

  it('shows a decision of the abolished district, and its revocation by the successor, to the auditors of the successor today', async () => {
    const approved = await createAndApprove(api, gso2004.proposer, [gso2004.communeOfficer, gso2004.districtOfficer], nominationBody({ awardCode: 'GIAY_KHEN_HUYEN' }));
    const decision = expectOk(await api.request({
      method: 'POST', url: '/decisions', as: gso2004.districtDecider,
      body: {
        number: '88/QĐ-UBND', signedOn: '2023-03-24', signer: { name: 'Lường Văn Chiến', title: 'Chủ tịch UBND huyện Mường La' },
        reason: 'Đã có thành tích xuất sắc trong phong trào thi đua năm 2022', nominationIds: [approved.id],
      },
    }), 201);
    // Since 1 July 2025 the district's decisions are Tỉnh Sơn La's (gso-2025) to revoke.
    const revoked = await api.request({
      method: 'POST', url: `/decisions/${decision.id}/revoke`, as: gso2025.provinceDecider,
      body: { nominationIds: [approved.id], ground: 'false_declaration', reason: 'Kê khai thành tích không đúng sự thật.', number: '12/QĐ-UBND', signedOn: '2025-09-15' },
    });
    expect(revoked.statusCode).toBe(200);
    const position = revoked.headers['log-position'] as string;
    const trail = `?decisionId=${decision.id}&minPosition=${position}`;
    const types = (page: { items: { type: string; streamId: string }[] }) => page.items.filter((i) => i.streamId === `decision-${decision.id}`).map((i) => i.type);

    // The province's auditor of today sees the decision's trail, their chairman's revocation included,
    // as GET /audit/verify?decisionId= and GET /decisions/{id} already let them.
    const today = auditor('a25-14', '14');
    const provinceToday: TestUser = { ...today, codeSet: 'gso-2025' };
    const seen = await events(provinceToday, trail);
    expect(types(seen)).toEqual(['DecisionIssued', 'DecisionRevoked']);
    expect(seen.items.find((i: { type: string }) => i.type === 'DecisionRevoked').actor).toMatchObject({ id: gso2025.provinceDecider.sub, unit: '14' });
    expect(types(await events(provinceAuditor, trail))).toEqual(['DecisionIssued', 'DecisionRevoked']);
    expectOk(await api.request({ method: 'GET', url: `/audit/verify?decisionId=${decision.id}`, as: provinceToday }));
    // Nobody else gains anything: a gso-2025 commune's auditor, another district's, and the same
    // province auditor without the decisionId (the listing stays in the caller's code set).
    expect((await events({ ...auditor('a25-03814', '03814'), codeSet: 'gso-2025' }, trail)).items).toEqual([]);
    expect((await events(otherDistrictAuditor, trail)).items).toEqual([]);
    const listing = await events(provinceToday, `?minPosition=${position}&limit=200`);
    expect(listing.items.filter((i: { streamId: string }) => i.streamId === `decision-${decision.id}`)).toEqual([]);
  });
});
