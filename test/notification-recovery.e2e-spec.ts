import { Redis } from 'ioredis';
import { createAndSubmit, expectOk, gso2004, nominationBody } from './support/nomination-fixtures';
import { admin, NotificationStack } from './support/notification-stack';
import { deleteRedisPrefix } from './support/redis-prefix';

/*
 * Redis is disposable and the SMTP server may be down: the outbox in PostgreSQL is what makes every
 * notification arrive, exactly once, regardless.
 */

const OFFICERS = [
  { id: 'o-03814', name: 'Cầm Văn Thanh', email: 'thanh.cv@chienglao.muongla.gov.vn', unit: '03814', codeSet: 'gso-2004' as const, roles: ['officer'] },
  { id: 'o2-03814', name: 'Lường Thị Mai', email: 'mai.lt@chienglao.muongla.gov.vn', unit: '03814', codeSet: 'gso-2004' as const, roles: ['officer'] },
];

describe('notification delivery when Redis or the SMTP server fails', () => {
  let stack: NotificationStack;
  beforeAll(async () => {
    stack = await NotificationStack.start();
    await stack.putStaff(OFFICERS);
    await stack.startWorker();
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
  }, 120_000);

  async function submitMany(n: number, label: string): Promise<void> {
    for (let i = 0; i < n; i++) {
      await createAndSubmit(stack.api, gso2004.proposer, nominationBody({ nominee: { kind: 'collective', name: `${label} ${i + 1}`, organization: 'Xã Chiềng Lao' } }));
    }
  }

  type OutboxRow = Awaited<ReturnType<NotificationStack['outbox']>>[number];

  /**
   * One nomination submitted while the SMTP server refuses: once each of its two mails was tried and
   * refused, `meanwhile` runs with their rows, then the server accepts again. Returns the rows.
   */
  async function whileRefused(label: string, meanwhile: (rows: OutboxRow[]) => Promise<void>): Promise<OutboxRow[]> {
    const { peer } = stack;
    peer.policy.delayMs = () => 0;
    peer.policy.mode = 'tempfail';
    const refusedBefore = peer.refusals;
    const known = new Set((await stack.outbox()).map((r) => r.id));
    try {
      await submitMany(1, label);
      await stack.dispatched();
      const rows = (await stack.outbox()).filter((r) => !known.has(r.id));
      await peer.untilRefused(refusedBefore + 2);
      await meanwhile(rows);
      return rows;
    } finally {
      peer.policy.mode = 'accept';
    }
  }

  it('loses nothing when every key of its Redis prefix is deleted mid-run', async () => {
    const { peer, api } = stack;
    // From the eighth accepted mail on, the server holds its answers while the keys go, so the flush falls
    // mid-run however fast the machine is: at most the mails already being answered (fewer than the
    // worker's 32 at once) get through before it, never all fifty. (Switching the delay after awaiting the
    // eighth mail left a window in which a fast worker sent the rest.)
    peer.policy.delayMs = () => (peer.received.length >= 8 ? 2_000 : 15);
    await submitMany(25, 'Hợp tác xã');
    const expected = 25 * OFFICERS.length;
    await stack.dispatched();
    await peer.until((received) => received.length >= 8, 60_000, 'the first mails');

    // Queued jobs, the digest scheduler, everything under this test's prefix: gone.
    const deleted = await deleteRedisPrefix(api.config.redisUrl, api.config.queuePrefix);
    expect(deleted).toBeGreaterThan(0);
    expect(peer.received.length).toBeLessThan(expected);
    peer.policy.delayMs = () => 15;

    await peer.until(() => peer.counts().size >= expected, 90_000, `all ${expected} mails after the flush`);
    await stack.settled();
    const rows = await stack.outbox();
    expect(rows.filter((r) => r.status !== 'sent')).toEqual([]);
    expect([...peer.counts().keys()].sort()).toEqual(rows.map((r) => r.message_id).sort());
    // The outbox claims a row while it is being sent, so a job re-created by the sweeper never sends it twice.
    expect([...peer.counts().values()].every((n) => n === 1)).toBe(true);
  }, 180_000);

  it('retries with backoff while the SMTP server refuses, and delivers once it recovers', async () => {
    const { peer } = stack;
    const before = peer.received.length;
    peer.policy.delayMs = () => 0;
    peer.policy.mode = 'tempfail';
    const refusedBefore = peer.refusals;
    await submitMany(5, 'Trường Mầm non');
    await stack.dispatched();
    // Fifteen refusals for ten mails: some mail was retried, with backoff, and nothing got through.
    await peer.untilRefused(refusedBefore + 15);
    expect(peer.received.length).toBe(before);
    const waiting = (await stack.outbox()).filter((r) => r.status === 'pending');
    expect(waiting).toHaveLength(10);
    expect(waiting.reduce((sum, r) => sum + r.attempts, 0)).toBeGreaterThanOrEqual(15);
    // Those whose failed attempt is recorded (one may be in flight right now) name the 451.
    const recorded = waiting.filter((r) => r.last_error !== null);
    expect(recorded.length).toBeGreaterThan(0);
    for (const row of recorded) expect(row.last_error).toContain('451');

    peer.policy.mode = 'accept';
    await peer.until((received) => received.length >= before + 10, 60_000, 'the delayed mails');
    await stack.settled();
    const rows = await stack.outbox();
    expect(rows.filter((r) => r.status !== 'sent')).toEqual([]);
    expect(rows.some((r) => r.attempts > 1)).toBe(true);
    expect(peer.received.length).toBe(before + 10);
  }, 120_000);

  it('gives up after MAIL_MAX_ATTEMPTS transient failures and lists the mail as failed', async () => {
    const { peer } = stack;
    const failedBefore = new Set((await stack.outbox()).filter((r) => r.status === 'failed').map((r) => r.id));
    peer.policy.mode = 'tempfail';
    try {
      await submitMany(1, 'Bản');
      await stack.dispatched();
      await stack.settled();
    } finally {
      peer.policy.mode = 'accept';
    }
    const failed = (await stack.outbox()).filter((r) => r.status === 'failed' && !failedBefore.has(r.id));
    expect(failed).toHaveLength(2);
    for (const row of failed) {
      expect(row.attempts).toBe(stack.api.config.notifications.maxAttempts);
      expect(row.last_error).toMatch(/gave up after \d+ attempts: .*451/);
    }
  }, 120_000);

  it('sends a mail whose job Redis lost only in part (its hash kept, its queue lists gone)', async () => {
    const { peer, api } = stack;
    // Both jobs have been tried and are now somewhere in the queue's states (delayed, waiting, active).
    const ids = (await whileRefused('Thôn', async (rows) => {
      expect(rows).toHaveLength(2);
      // Every state list of the mail queue goes, the job hashes stay: in one transaction, which also
      // shows the jobs existed at that instant, so after it they are in no state at all.
      const redis = new Redis(api.config.redisUrl, { maxRetriesPerRequest: null });
      try {
        const key = (suffix: string): string => `${api.config.queuePrefix}:mail:${suffix}`;
        const result = await redis.multi()
          .del(...['wait', 'active', 'delayed', 'prioritized', 'paused', 'marker'].map(key))
          .exists(key(rows[0]!.id)).exists(key(rows[1]!.id))
          .exec();
        expect(result!.slice(1).map(([, n]) => n)).toEqual([1, 1]);
      } finally {
        redis.disconnect();
      }
    })).map((r) => r.id);
    const messageIds = (await stack.outbox()).filter((r) => ids.includes(r.id)).map((r) => r.message_id);
    await peer.until(() => messageIds.every((m) => peer.counts().has(m)), 60_000, 'the two mails whose jobs were half lost');
    await stack.settled();
    const rows = (await stack.outbox()).filter((r) => ids.includes(r.id));
    expect(rows.map((r) => r.status)).toEqual(['sent', 'sent']);
    expect(messageIds.map((m) => peer.counts().get(m))).toEqual([1, 1]);
  }, 120_000);

  it('does not send a waiting mail to someone deactivated meanwhile, lists it as failed, and sends it on a retry after reactivation', async () => {
    const { peer, api } = stack;
    // Both mails were tried and refused; while they wait for their next attempt, Mai leaves.
    const rows = await whileRefused('Tổ dân phố', async (waiting) => {
      expect(waiting.map((r) => r.recipient_email).sort()).toEqual(OFFICERS.map((o) => o.email).sort());
      await stack.putStaff([{ ...OFFICERS[1]!, active: false }]);
    });
    const thanh = rows.find((r) => r.recipient_email === OFFICERS[0]!.email)!;
    const mai = rows.find((r) => r.recipient_email === OFFICERS[1]!.email)!;
    await peer.until(() => peer.counts().has(thanh.message_id), 60_000, 'the mail to the officer still active');
    await stack.settled();
    const after = await stack.outbox();
    expect(after.find((r) => r.id === thanh.id)).toMatchObject({ status: 'sent' });
    expect(after.find((r) => r.id === mai.id)).toMatchObject({ status: 'failed', last_error: expect.stringContaining('inactive') });
    expect(peer.counts().has(mai.message_id)).toBe(false);

    // Back at work: an administrator's retry sends it.
    await stack.putStaff([OFFICERS[1]!]);
    expectOk(await api.request({ method: 'POST', url: `/admin/notifications/${mai.id}/retry`, as: admin, body: {} }));
    await peer.until(() => peer.counts().has(mai.message_id), 60_000, 'the retried mail');
    await stack.settled();
    expect((await stack.outbox()).find((r) => r.id === mai.id)).toMatchObject({ status: 'sent' });
    expect(peer.counts().get(mai.message_id)).toBe(1);
  }, 120_000);
});
