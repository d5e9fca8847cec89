import { randomUUID } from 'node:crypto';
import { approve, command, createAndApprove, createAndSubmit, expectOk, expectProblem, gso2004, gso2025, nominationBody } from './support/nomination-fixtures';
import { admin, NotificationStack } from './support/notification-stack';

/*
 * API.md's notification table end to end: real commands over HTTP, the worker's dispatcher following
 * the log, BullMQ on the real Redis (own prefix), and an SMTP peer that records what it accepted.
 */

const staff = [
  { id: 'p-03814', name: 'Lò Thị Hoa', email: 'hoa.lt@chienglao.muongla.gov.vn', unit: '03814', roles: ['proposer'] },
  { id: 'o-03814', name: 'Cầm Văn Thanh', email: 'thanh.cv@chienglao.muongla.gov.vn', unit: '03814', roles: ['officer'] },
  { id: 'o2-03814', name: 'Lường Thị Mai', email: 'mai.lt@chienglao.muongla.gov.vn', unit: '03814', roles: ['officer'], locale: 'en' as const },
  // Not told: inactive, another role, another commune, the same code in the other code set.
  { id: 'o3-03814', name: 'Quàng Văn Tú', email: 'tu.qv@chienglao.muongla.gov.vn', unit: '03814', roles: ['officer'], active: false },
  { id: 'a-03814', name: 'Kiểm tra viên', email: 'kiemtra@chienglao.muongla.gov.vn', unit: '03814', roles: ['auditor'] },
  { id: 'o-03820', name: 'Vì Thị Ngọc', email: 'ngoc.vt@ngocchien.muongla.gov.vn', unit: '03820', roles: ['officer'] },
  { id: 'o25-03814', name: 'Cầm Thị Duyên', email: 'duyen.ct@chienglao.sonla.gov.vn', unit: '03814', codeSet: 'gso-2025' as const, roles: ['officer'] },
  { id: 'o-120', name: 'Nguyễn Thị Hằng', email: 'hang.nt@muongla.sonla.gov.vn', unit: '120', codeSet: 'gso-2004' as const, roles: ['officer'] },
  { id: 'o-14', name: 'Trần Đức Minh', email: 'minh.td@sonla.gov.vn', unit: '14', codeSet: 'gso-2004' as const, roles: ['officer'] },
  { id: 'd-14', name: 'Hoàng Quốc Khánh', email: 'khanh.hq@sonla.gov.vn', unit: '14', codeSet: 'gso-2004' as const, roles: ['decider'], locale: 'en' as const },
];

const VI = '[Khen thưởng]';
const EN = '[Awards]';

describe('notification e-mails (API.md table) over a real SMTP peer', () => {
  let stack: NotificationStack;
  beforeAll(async () => {
    stack = await NotificationStack.start();
    await stack.putStaff(staff.map((s) => ({ codeSet: 'gso-2004', ...s })));
    await stack.startWorker();
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
  }, 120_000);

  it('sends exactly the mails of the table: recipients, subjects, locales, links, Message-IDs', async () => {
    const { api } = stack;
    const { proposer, communeOfficer, districtOfficer, provinceOfficer, provinceDecider } = gso2004;
    const nominee = { kind: 'individual', name: 'Lò Văn Pọm', gender: 'male', position: 'Trưởng bản', organization: 'Bản Nà Lốc', email: 'pom.lv@example.vn' };

    // A: returned once, resubmitted, approved through three stages, awarded, then its award revoked.
    let a = await createAndSubmit(api, proposer, nominationBody({ nominee }));
    expectOk(await command(api, communeOfficer, a.id, 'return', { reason: 'Thiếu biên bản họp Hội đồng', missing: ['council_minutes'] }));
    a = expectOk(await command(api, proposer, a.id, 'submit'));
    for (const officer of [communeOfficer, districtOfficer, provinceOfficer]) a = await approve(api, officer, a.id);
    expect(a.status).toBe('approved');
    const decision = expectOk(await api.request({
      method: 'POST', url: '/decisions', as: provinceDecider,
      body: { number: '125/QĐ-UBND', signedOn: '2023-03-24', signer: { name: 'Hoàng Quốc Khánh', title: 'Chủ tịch UBND tỉnh' }, reason: 'Có thành tích xuất sắc', nominationIds: [a.id] },
    }), 201);
    expectOk(await api.request({
      // The district level is gone since July 2025: the province of gso-2025 revokes the 2023 decision.
      method: 'POST', url: `/decisions/${decision.id}/revoke`, as: gso2025.provinceDecider,
      body: { number: '210/QĐ-UBND', signedOn: '2023-06-01', nominationIds: [a.id], ground: 'false_declaration', reason: 'Kê khai không đúng' },
    }));
    // B: rejected at the district. C: withdrawn (nobody is told).
    const b = await createAndApprove(api, proposer, [communeOfficer], nominationBody({ nominee: { kind: 'collective', name: 'Trường Mầm non Chiềng Lao', organization: 'UBND xã Chiềng Lao' } }));
    expectOk(await command(api, districtOfficer, b.id, 'reject', { reasonCode: 'standard_not_met', reason: 'Chưa đủ tiêu chuẩn' }));
    const c = expectOk(await api.request({ method: 'POST', url: '/nominations', as: proposer, body: nominationBody() }), 201);
    expectOk(await command(api, proposer, c.id, 'withdraw', { reason: 'Rút để hoàn thiện hồ sơ' }));

    await stack.dispatched();
    const rows = await stack.outbox();
    const expected: [string, string, string][] = [
      // A submitted, returned, resubmitted, then up its route.
      ['thanh.cv@chienglao.muongla.gov.vn', `${VI} Hồ sơ mới: Lò Văn Pọm`, 'stage_arrived'],
      ['mai.lt@chienglao.muongla.gov.vn', `${EN} New dossier: Lò Văn Pọm`, 'stage_arrived'],
      ['hoa.lt@chienglao.muongla.gov.vn', `${VI} Hồ sơ bị trả lại để bổ sung: Lò Văn Pọm`, 'returned'],
      ['thanh.cv@chienglao.muongla.gov.vn', `${VI} Hồ sơ mới: Lò Văn Pọm`, 'stage_arrived'],
      ['mai.lt@chienglao.muongla.gov.vn', `${EN} New dossier: Lò Văn Pọm`, 'stage_arrived'],
      ['hang.nt@muongla.sonla.gov.vn', `${VI} Hồ sơ mới: Lò Văn Pọm`, 'stage_arrived'],
      ['minh.td@sonla.gov.vn', `${VI} Hồ sơ mới: Lò Văn Pọm`, 'stage_arrived'],
      ['khanh.hq@sonla.gov.vn', `${EN} Awaiting your decision: Lò Văn Pọm`, 'awaiting_decision'],
      ['hoa.lt@chienglao.muongla.gov.vn', `${VI} Quyết định khen thưởng 125/QĐ-UBND: Lò Văn Pọm`, 'awarded'],
      ['pom.lv@example.vn', `${VI} Quyết định khen thưởng 125/QĐ-UBND: Lò Văn Pọm`, 'awarded'],
      ['hoa.lt@chienglao.muongla.gov.vn', `${VI} Hủy bỏ khen thưởng: Lò Văn Pọm`, 'revoked'],
      // B.
      ['thanh.cv@chienglao.muongla.gov.vn', `${VI} Hồ sơ mới: Trường Mầm non Chiềng Lao`, 'stage_arrived'],
      ['mai.lt@chienglao.muongla.gov.vn', `${EN} New dossier: Trường Mầm non Chiềng Lao`, 'stage_arrived'],
      ['hang.nt@muongla.sonla.gov.vn', `${VI} Hồ sơ mới: Trường Mầm non Chiềng Lao`, 'stage_arrived'],
      ['hoa.lt@chienglao.muongla.gov.vn', `${VI} Hồ sơ không được khen thưởng: Trường Mầm non Chiềng Lao`, 'not_awarded'],
    ];
    const sorted = <T>(list: T[]): T[] => list.map((x) => JSON.stringify(x)).sort().map((x) => JSON.parse(x) as T);
    expect(sorted(rows.map((r) => [r.recipient_email, r.template]))).toEqual(sorted(expected.map(([to, , template]) => [to, template])));

    await stack.peer.until((received) => received.length >= expected.length, 60_000, `${expected.length} mails`);
    const received = [...stack.peer.received];
    // Each expected (recipient, subject start) is matched by exactly one received mail.
    const unmatched = [...received];
    for (const [to, subject] of expected) {
      const index = unmatched.findIndex((m) => m.to.join(',') === to && m.subject.startsWith(subject));
      expect({ to, subject, found: index >= 0 }).toEqual({ to, subject, found: true });
      unmatched.splice(index, 1);
    }
    expect(unmatched.map((m) => [m.to, m.subject])).toEqual([]);
    for (const mail of received) {
      const row = rows.find((r) => r.message_id === mail.messageId)!;
      // Subject and body name the award and link to the nomination in the console.
      expect(mail.subject).toContain(row.locale === 'vi' ? 'Bằng khen của Chủ tịch UBND tỉnh' : "Certificate of Merit of the Provincial People's Committee Chairman");
      const row2 = rows.find((r) => r.message_id === mail.messageId)!;
      expect(mail.decoded).toContain(`https://khenthuong.sonla.gov.vn/nominations/${(row2 as unknown as { nomination_id: string }).nomination_id}`);
      expect(mail.decoded).toContain(row.locale === 'vi' ? 'Xem hồ sơ' : 'Open the nomination');
      // Vietnamese subjects travel as RFC 2047 encoded words; bodies are UTF-8.
      expect(mail.headers.get('subject')).toMatch(/^=\?UTF-8\?/i);
      expect(mail.raw).toMatch(/charset=utf-8/i);
      expect(mail.headers.get('from')).toContain('no-reply@sonla.gov.vn');
      expect(mail.headers.get('auto-submitted')).toBe('auto-generated');
      expect(mail.messageId).toBe(`<${row.id}@sonla.gov.vn>`);
    }
    expect(new Set(received.map((m) => m.messageId)).size).toBe(expected.length);
    await stack.settled();
    expect((await stack.outbox()).every((r) => r.status === 'sent')).toBe(true);
    expect(stack.peer.received).toHaveLength(expected.length);
    // The withdrawn nomination told nobody; the inactive, the auditor, the other commune and the other code set got nothing.
    for (const silent of ['tu.qv@', 'kiemtra@', 'ngoc.vt@', 'duyen.ct@']) expect(received.some((m) => m.to[0]!.startsWith(silent))).toBe(false);
  });

  it('lists a permanently refused mail as failed at once and sends it through the retry endpoint', async () => {
    const { api, peer } = stack;
    peer.policy.rejectRecipients.add('hang.nt@muongla.sonla.gov.vn');
    const view = await createAndApprove(api, gso2004.proposer, [gso2004.communeOfficer], nominationBody({ nominee: { kind: 'collective', name: 'Hợp tác xã Nà Lốc', organization: 'Xã Chiềng Lao' } }));
    await stack.dispatched();
    const target = (await stack.outbox()).find((r) => r.recipient_email === 'hang.nt@muongla.sonla.gov.vn' && r.status !== 'sent' && r.template === 'stage_arrived')!;
    expect(target).toBeDefined();

    // Failed after one attempt, not retried: listed with the server's answer.
    await stack.settled();
    const failed: { items: { id: string; attempts: number; lastError: string; nominationId: string; status: string }[] } =
      expectOk(await api.request({ method: 'GET', url: '/admin/notifications?status=failed', as: admin }));
    const listed = failed.items.find((f) => f.id === target.id)!;
    expect(listed).toMatchObject({ status: 'failed', attempts: 1, nominationId: view.id, recipient: { email: 'hang.nt@muongla.sonla.gov.vn' } });
    expect(listed.lastError).toContain('550');

    // Only admins see and retry; a sent or unknown notification cannot be retried.
    expectProblem(await api.request({ method: 'GET', url: '/admin/notifications?status=failed', as: gso2004.districtOfficer }), 403, 'forbidden');
    expectProblem(await api.request({ method: 'GET', url: '/admin/notifications?status=lost', as: admin }), 400, 'validation_failed');
    expectProblem(await api.request({ method: 'POST', url: `/admin/notifications/${randomUUID()}/retry`, as: admin, body: {} }), 404, 'not_found');
    const sent = (await stack.outbox()).find((r) => r.status === 'sent')!;
    expectProblem(await api.request({ method: 'POST', url: `/admin/notifications/${sent.id}/retry`, as: admin, body: {} }), 409, 'invalid_transition');

    peer.policy.rejectRecipients.clear();
    const before = peer.received.length;
    const retried = expectOk(await api.request({ method: 'POST', url: `/admin/notifications/${target.id}/retry`, as: admin, body: {} }));
    expect(retried).toMatchObject({ id: target.id, status: 'pending', attempts: 0 });
    await peer.until((received) => received.slice(before).some((m) => m.messageId === target.message_id), 30_000, 'the retried mail');
    expect(expectOk(await api.request({ method: 'GET', url: `/admin/notifications?status=failed`, as: admin })).items.some((f: { id: string }) => f.id === target.id)).toBe(false);
  });

  it('bounds the listing and the retry by the admin\'s unit and the units under it; another unit\'s notification is not found', async () => {
    const { api, peer } = stack;
    const communeAdmin = { sub: 'admin-03814', name: 'Quản trị xã Chiềng Lao', roles: ['admin'], unit: '03814', codeSet: 'gso-2004' } as const;
    const districtAdmin = { sub: 'admin-120', name: 'Quản trị huyện Mường La', roles: ['admin'], unit: '120', codeSet: 'gso-2004' } as const;
    const neighbourAdmin = { sub: 'admin-03820', name: 'Quản trị xã Ngọc Chiến', roles: ['admin'], unit: '03820', codeSet: 'gso-2004' } as const;
    peer.policy.rejectRecipients.add('thanh.cv@chienglao.muongla.gov.vn');
    await createAndSubmit(api, gso2004.proposer, nominationBody({ nominee: { kind: 'collective', name: 'Bản Huổi Văn', organization: 'Xã Chiềng Lao' } }));
    await stack.dispatched();
    await stack.settled();
    const rows = await stack.outbox();
    const target = rows.find((r) => r.recipient_email === 'thanh.cv@chienglao.muongla.gov.vn' && r.status === 'failed')!;
    expect(target).toBeDefined();
    // Every row knows its unit: the staff recipient's, or the proposing unit for the nominee's own address.
    expect(rows.filter((r) => r.unit === null || r.code_set === null)).toEqual([]);
    expect(target).toMatchObject({ code_set: 'gso-2004', unit: '03814' });
    expect(rows.find((r) => r.recipient_email === 'pom.lv@example.vn')).toMatchObject({ code_set: 'gso-2004', unit: '03814' });
    expect(rows.find((r) => r.recipient_email === 'hang.nt@muongla.sonla.gov.vn')).toMatchObject({ code_set: 'gso-2004', unit: '120' });

    type Listed = { items: { id: string; recipient: { email: string } }[] };
    const listedBy = async (user: typeof admin): Promise<Listed['items']> => (expectOk(await api.request({ method: 'GET', url: '/admin/notifications?limit=200', as: user })) as Listed).items;
    const ids = async (user: typeof admin): Promise<string[]> => (await listedBy(user)).map((i) => i.id);
    const unitOf = new Map(rows.map((r) => [r.id, r.unit]));
    // The province sees every unit; the district its own and its communes'; the commune only its own; the neighbour none of these.
    expect((await ids(admin)).sort()).toEqual(rows.filter((r) => r.delivery !== 'digested').map((r) => r.id).sort());
    expect(new Set((await ids(districtAdmin)).map((id) => unitOf.get(id)))).toEqual(new Set(['120', '03814']));
    expect(new Set((await ids(communeAdmin)).map((id) => unitOf.get(id)))).toEqual(new Set(['03814']));
    expect(await ids(neighbourAdmin)).toEqual([]);
    expect((await api.request({ method: 'GET', url: '/admin/notifications?status=failed', as: neighbourAdmin })).json()).toEqual({ items: [], nextCursor: null });

    // Retrying another unit's notification answers exactly as for an id that does not exist, and changes nothing.
    const foreign = await api.request({ method: 'POST', url: `/admin/notifications/${target.id}/retry`, as: neighbourAdmin, body: {} });
    const unknown = await api.request({ method: 'POST', url: `/admin/notifications/${randomUUID()}/retry`, as: neighbourAdmin, body: {} });
    expectProblem(foreign, 404, 'not_found');
    expect({ status: foreign.statusCode, body: foreign.json() }).toEqual({ status: unknown.statusCode, body: unknown.json() });
    // The district's own sent row is above the commune's admin: not found either (not a 409 that would tell it exists).
    const districtRow = rows.find((r) => r.unit === '120' && r.status === 'sent')!;
    expectProblem(await api.request({ method: 'POST', url: `/admin/notifications/${districtRow.id}/retry`, as: communeAdmin, body: {} }), 404, 'not_found');
    expect((await stack.outbox()).find((r) => r.id === target.id)).toMatchObject({ status: 'failed' });

    peer.policy.rejectRecipients.clear();
    const before = peer.received.length;
    expect(expectOk(await api.request({ method: 'POST', url: `/admin/notifications/${target.id}/retry`, as: communeAdmin, body: {} }))).toMatchObject({ id: target.id, status: 'pending' });
    await peer.until((received) => received.slice(before).some((m) => m.messageId === target.message_id), 30_000, 'the retried mail');
  });
});
