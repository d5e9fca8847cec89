import { createAndSubmit, gso2004, nominationBody } from './support/nomination-fixtures';
import { NotificationStack } from './support/notification-stack';
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
});
