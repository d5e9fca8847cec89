import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DigestService } from '@app/notifications';
import { ConsumerHost } from '@app/platform';
import { command, createAndApprove, createAndSubmit, expectOk, expectProblem, gso2004, nominationBody, type View } from './support/nomination-fixtures';
import { admin as provinceAdmin, NotificationStack } from './support/notification-stack';
import type { TestUser } from './support/test-api';

/*
 * Issue 12.14 for the notification outbox: GET /admin/notifications and its retry are bounded by the
 * admin's unit and the units under it **as recorded when the nomination was created**, like every other
 * read. Xã Chiềng Lao (03814) is moved from Huyện Mường La (120) to Thành phố Sơn La (116) after its
 * earlier notifications were written: 116's admin sees none of them (and retrying one is the 404 of an
 * unknown id), 120's admin and the province keep them, and a notification written after the move
 * follows the new tree. The migration's backfill computes each row's chain exactly as the dispatcher did.
 */
const adminOf = (unit: string, name: string): TestUser => ({ sub: `admin-${unit}`, name, roles: ['admin'], unit, codeSet: 'gso-2004' });
const oldDistrictAdmin = adminOf('120', 'Quản trị huyện Mường La');
const newDistrictAdmin = adminOf('116', 'Quản trị thành phố Sơn La');
const communeAdmin = adminOf('03814', 'Quản trị xã Chiềng Lao');

const REFUSED = 'thanh.cv@chienglao.muongla.gov.vn';
const staff = [
  { id: 'p-03814', name: 'Lò Thị Hoa', email: 'hoa.lt@chienglao.muongla.gov.vn', unit: '03814', roles: ['proposer'] },
  // Refused by the SMTP peer: every mail to it fails and waits for an admin's retry.
  { id: 'o-03814', name: 'Cầm Văn Thanh', email: REFUSED, unit: '03814', roles: ['officer'] },
  { id: 'o2-03814', name: 'Lường Thị Mai', email: 'mai.lt@chienglao.muongla.gov.vn', unit: '03814', roles: ['officer'], notifications: 'daily_digest' as const },
  { id: 'o-120', name: 'Nguyễn Thị Hằng', email: 'hang.nt@muongla.sonla.gov.vn', unit: '120', roles: ['officer'] },
  { id: 'o-116', name: 'Đỗ Văn Bình', email: 'binh.dv@tpsonla.sonla.gov.vn', unit: '116', roles: ['officer'] },
  { id: 'o-14', name: 'Trần Đức Minh', email: 'minh.td@sonla.gov.vn', unit: '14', roles: ['officer'] },
];

type Row = Awaited<ReturnType<NotificationStack['outbox']>>[number] & { ancestry_units: string[]; source: string };

describe('notification admins after a re-parenting: the chain recorded with each row decides (12.14)', () => {
  let stack: NotificationStack;
  let rows: Row[];
  let old: Set<string>;
  let fresh: Set<string>;
  /** The digest assembled after the move: items of an older nomination and of the fresh one. */
  let mixedDigest: Row;
  let oldDigest: Row;

  const listed = async (user: TestUser): Promise<string[]> => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: View = expectOk(await stack.api.request({
        method: 'GET', url: `/admin/notifications?limit=100${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`, as: user,
      }));
      seen.push(...page.items.map((item: View) => item.id as string));
      cursor = page.nextCursor;
    } while (cursor !== null);
    return seen.sort();
  };
  const outbox = async (): Promise<Row[]> => (await stack.outbox()) as Row[];
  const digestOf = async (day: string): Promise<Row> => {
    await stack.worker!.get(DigestService).assemble(day);
    const digest = (await outbox()).filter((r) => r.template === 'daily_digest' && r.source === `digest:${day}`);
    expect(digest).toHaveLength(1);
    return digest[0]!;
  };

  beforeAll(async () => {
    stack = await NotificationStack.start();
    await stack.putStaff(staff.map((s) => ({ codeSet: 'gso-2004', ...s })));
    await stack.startWorker();
    // Today's scheduled digest is taken now, while nothing waits for it: the digests below are the test's own.
    await stack.worker!.get(DigestService).runIfDue(new Date());
    stack.peer.policy.rejectRecipients.add(REFUSED);
    const { api } = stack;
    const { proposer, communeOfficer } = gso2004;

    // Before the move: one at the commune, one forwarded to the district, one returned to its proposer.
    await createAndSubmit(api, proposer, nominationBody());
    await createAndApprove(api, proposer, [communeOfficer], nominationBody({ nominee: { kind: 'collective', name: 'Bản Huổi Văn', organization: 'Xã Chiềng Lao' } }));
    const returned = await createAndSubmit(api, proposer, nominationBody({ nominee: { kind: 'collective', name: 'Trường Tiểu học Chiềng Lao', organization: 'Xã Chiềng Lao' } }));
    expectOk(await command(api, communeOfficer, returned.id, 'return', { reason: 'Thiếu biên bản họp', missing: ['council_minutes'] }));
    await stack.dispatched();
    await stack.settled();
    oldDigest = await digestOf('2099-01-05');

    expectOk(await api.request({
      method: 'PUT', url: '/units', as: provinceAdmin,
      body: [{ codeSet: 'gso-2004', code: '03814', name: 'Xã Chiềng Lao', level: 'commune', parentCode: '116' }],
    }));

    // After it: the returned one comes back to the commune (its recorded route), and a fresh one goes via 116.
    expectOk(await command(api, proposer, returned.id, 'submit'));
    const created = await createAndApprove(api, proposer, [communeOfficer], nominationBody({ nominee: { kind: 'collective', name: 'Tổ dân phố số 12', organization: 'Xã Chiềng Lao' } }));
    expect(created.currentStage).toMatchObject({ unit: '116' });
    await stack.dispatched();
    await stack.settled();
    mixedDigest = await digestOf('2099-01-06');
    // Every consumer, the nominations read model included (the backfill may read it), has caught up.
    const head = await api.database.pool.query<{ p: string }>('SELECT max(position)::text AS p FROM events');
    await stack.worker!.get(ConsumerHost).waitForAll(BigInt(head.rows[0]!.p), 60_000);

    rows = await outbox();
    fresh = new Set(rows.filter((r) => r.nomination_id === created.id).map((r) => r.id));
    old = new Set(rows.filter((r) => r.nomination_id !== null && r.nomination_id !== created.id).map((r) => r.id));
    old.add(oldDigest.id);
  }, 180_000);
  afterAll(async () => {
    await stack?.close();
  }, 120_000);

  it('records each row\'s chain from the nomination, not from today\'s tree', () => {
    const fresh03814 = rows.filter((r) => fresh.has(r.id) && r.unit === '03814');
    expect(fresh03814.length).toBeGreaterThan(0);
    for (const row of fresh03814) expect(row.ancestry_units).toEqual(['03814', '116', '14']);
    expect(rows.find((r) => fresh.has(r.id) && r.unit === '116')!.ancestry_units).toEqual(['116', '14']);
    const old03814 = rows.filter((r) => old.has(r.id) && r.unit === '03814');
    // Written before the move and after it (the returned nomination resubmitted): the recorded chain either way.
    expect(old03814.length).toBeGreaterThan(4);
    for (const row of old03814) expect(row.ancestry_units).toEqual(['03814', '120', '14']);
    expect(rows.filter((r) => old.has(r.id) && r.unit === '120').map((r) => r.ancestry_units)).toEqual([['120', '14']]);
    expect(oldDigest.ancestry_units).toEqual(['03814', '120', '14']);
    // Items of both chains: only the units on both.
    expect(mixedDigest.ancestry_units).toEqual(['03814', '14']);
    expect(rows.filter((r) => r.ancestry_units.length === 0)).toEqual([]);
  });

  it('the new district\'s admin lists none of the older rows, only the fresh nomination\'s', async () => {
    const seen = await listed(newDistrictAdmin);
    expect(seen.filter((id) => old.has(id))).toEqual([]);
    expect(seen).toEqual(rows.filter((r) => fresh.has(r.id) && r.delivery !== 'digested').map((r) => r.id).sort());
    expect(seen).not.toContain(mixedDigest.id);
  });

  it('the old district keeps the older rows and does not gain the fresh ones; the province and the commune keep everything', async () => {
    const visible = rows.filter((r) => r.delivery !== 'digested');
    expect(await listed(oldDistrictAdmin)).toEqual(visible.filter((r) => old.has(r.id)).map((r) => r.id).sort());
    expect(await listed(provinceAdmin)).toEqual(visible.map((r) => r.id).sort());
    expect(await listed(communeAdmin)).toEqual(visible.filter((r) => r.unit === '03814').map((r) => r.id).sort());
  });

  it('retrying an older row as the new district is the 404 of an unknown id and changes nothing; its own admins retry it', async () => {
    const failedOld = rows.find((r) => old.has(r.id) && r.recipient_email === REFUSED && r.status === 'failed')!;
    const failedFresh = rows.find((r) => fresh.has(r.id) && r.recipient_email === REFUSED && r.status === 'failed')!;
    expect(failedOld).toBeDefined();
    expect(failedFresh).toBeDefined();
    const { api } = stack;
    const retry = (user: TestUser, id: string) => api.request({ method: 'POST', url: `/admin/notifications/${id}/retry`, as: user, body: {} });
    const foreign = await retry(newDistrictAdmin, failedOld.id);
    const unknown = await retry(newDistrictAdmin, randomUUID());
    expectProblem(foreign, 404, 'not_found');
    expect({ status: foreign.statusCode, body: foreign.json() }).toEqual({ status: unknown.statusCode, body: unknown.json() });
    expectProblem(await retry(oldDistrictAdmin, failedFresh.id), 404, 'not_found');
    expect((await outbox()).filter((r) => r.id === failedOld.id || r.id === failedFresh.id).map((r) => r.status)).toEqual(['failed', 'failed']);
    expect(expectOk(await retry(oldDistrictAdmin, failedOld.id))).toMatchObject({ id: failedOld.id, status: 'pending' });
    expect(expectOk(await retry(newDistrictAdmin, failedFresh.id))).toMatchObject({ id: failedFresh.id, status: 'pending' });
  });

  it('the migration\'s backfill computes every row\'s chain as the dispatcher did, from the log or from the read model', async () => {
    const sql = readFileSync('migrations/1765300000010_notification-outbox-ancestry.sql', 'utf8');
    const updates = sql.slice(0, sql.indexOf('-- Down Migration')).match(/UPDATE notification_outbox [\s\S]*?;\n/gu)!;
    expect(updates).toHaveLength(2);
    for (const variant of ['log', 'read model'] as const) {
      const client = await stack.api.database.pool.connect();
      try {
        await client.query('BEGIN');
        await client.query("CREATE TEMP TABLE outbox_by_sql ON COMMIT DROP AS SELECT * FROM notification_outbox");
        await client.query("UPDATE outbox_by_sql SET ancestry_units = '{}'");
        for (const update of updates) {
          let text = update.replaceAll('notification_outbox', 'outbox_by_sql');
          if (variant === 'read model') text = text.replace('LEFT JOIN events e ON', 'LEFT JOIN (SELECT * FROM events WHERE false) e ON');
          await client.query(text);
        }
        const { rows: compared } = await client.query<{ n: number; differ: number }>(
          `SELECT count(*)::int AS n, count(*) FILTER (WHERE s.ancestry_units IS DISTINCT FROM o.ancestry_units)::int AS differ
           FROM outbox_by_sql s JOIN notification_outbox o USING (id)`,
        );
        expect({ variant, ...compared[0] }).toEqual({ variant, n: rows.length, differ: 0 });
      } finally {
        await client.query('ROLLBACK');
        client.release();
      }
    }
  });
});
