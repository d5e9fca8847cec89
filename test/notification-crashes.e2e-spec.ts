import { createAndSubmit, gso2004, nominationBody } from './support/nomination-fixtures';
import { NotificationStack } from './support/notification-stack';
import { WorkerProcess } from './support/worker-process';

/*
 * The real worker process (dispatcher, e-mail processor, sweeper) killed with SIGKILL at random moments
 * while it sends, over and over, against a real SMTP peer that answers slowly: in the end every
 * notification reached the peer, and a Message-ID arrived twice only where a kill fell between the
 * peer's acceptance and the sent mark.
 */

const OFFICERS = [
  { id: 'o-03814', name: 'Cầm Văn Thanh', email: 'thanh.cv@chienglao.muongla.gov.vn', unit: '03814', codeSet: 'gso-2004' as const, roles: ['officer'] },
  { id: 'o2-03814', name: 'Lường Thị Mai', email: 'mai.lt@chienglao.muongla.gov.vn', unit: '03814', codeSet: 'gso-2004' as const, roles: ['officer'], locale: 'en' as const },
];

describe('a worker killed mid-send', () => {
  let stack: NotificationStack;
  let worker: WorkerProcess | undefined;

  beforeAll(async () => {
    stack = await NotificationStack.start();
    await stack.putStaff(OFFICERS);
  }, 120_000);
  afterAll(async () => {
    worker?.kill('SIGKILL');
    await worker?.exited;
    await stack?.close();
  }, 120_000);

  function startWorker(): WorkerProcess {
    const { config } = stack.api;
    return WorkerProcess.start({
      DATABASE_URL: config.databaseUrl, DATABASE_POOL_MAX: '20', REDIS_URL: config.redisUrl, QUEUE_PREFIX: config.queuePrefix,
      SMTP_URL: stack.peer.url, MAIL_FROM: config.mailFrom, PUBLIC_URL: config.publicUrl, MAIL_CONCURRENCY: '4',
      MAIL_RETRY_BASE_MS: '50', MAIL_RETRY_MAX_MS: '400', NOTIFICATION_SWEEP_MS: '300', NOTIFICATION_REQUEUE_AFTER_MS: '1000',
      // A killed worker's rows are resent once their claim (send timeout + 5 s) runs out.
      NOTIFICATION_JOB_LOCK_MS: '5000', MAIL_SEND_TIMEOUT_MS: '20000', WORKER_METRICS_PORT: '0', MAIL_DIR: config.mailDir,
    });
  }

  async function unsent(): Promise<number> {
    const { rows } = await stack.api.database.pool.query<{ n: string }>("SELECT count(*) AS n FROM notification_outbox WHERE status <> 'sent'");
    return Number(rows[0]!.n);
  }

  it('ends with every notification sent, duplicates only across a kill', async () => {
    const NOMINATIONS = 24;
    for (let i = 0; i < NOMINATIONS; i++) {
      await createAndSubmit(stack.api, gso2004.proposer, nominationBody({ nominee: { kind: 'collective', name: `Tổ dân phố số ${i + 1}`, organization: 'Xã Chiềng Lao' } }));
    }
    const expected = NOMINATIONS * OFFICERS.length;
    // Slow enough that kills land while messages are in flight.
    stack.peer.policy.delayMs = () => Math.floor(Math.random() * 40);

    const kills: number[] = [];
    for (let run = 0; run < 6; run++) {
      worker = startWorker();
      await worker.started();
      const target = Math.min(expected, stack.peer.received.length + 3 + Math.floor(Math.random() * 10));
      const running = worker;
      await stack.peer.until((received) => received.length >= target, 60_000, `${target} mails in run ${run}`)
        .catch((error: Error) => { throw new Error(`${error.message}\nworker output:\n${running.tail()}`); });
      worker.kill('SIGKILL');
      kills.push(Date.now());
      await worker.exited;
      if (stack.peer.counts().size >= expected) break;
    }
    expect(kills.length).toBeGreaterThanOrEqual(3);

    worker = startWorker();
    await worker.started();
    await stack.peer.until(() => stack.peer.counts().size >= expected, 150_000, `all ${expected} distinct mails`);
    // The last sent marks follow the peer's acceptances by a moment; the outbox is the judge.
    const deadline = Date.now() + 60_000;
    while ((await unsent()) > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    worker.kill('SIGTERM');
    expect(await worker.exited).toEqual({ code: 0, signal: null });
    worker = undefined;

    const rows = (await stack.outbox());
    expect(rows).toHaveLength(expected);
    expect(rows.filter((r) => r.status !== 'sent')).toEqual([]);
    expect([...stack.peer.counts().keys()].sort()).toEqual(rows.map((r) => r.message_id).sort());
    // Every resend is the same message (same Message-ID) and has a kill between it and the copy before: after
    // that copy's DATA began (the whole message can sit in the peer's socket while the worker dies, and the peer
    // answers after its delay, so it may accept a copy after the kill that orphaned it) and before the resend
    // was accepted.
    for (const [messageId, count] of stack.peer.counts()) {
      if (count === 1) continue;
      const copies = stack.peer.received.filter((m) => m.messageId === messageId);
      for (let i = 1; i < copies.length; i++) {
        expect(kills.some((k) => k >= copies[i - 1]!.dataStartedAt - 5 && k <= copies[i]!.acceptedAt)).toBe(true);
      }
    }
    const duplicates = stack.peer.received.length - expected;
    expect(duplicates).toBeLessThanOrEqual(kills.length * 4);
  }, 420_000);

  it('on SIGTERM finishes what it is sending, marks it, and exits cleanly', async () => {
    const before = new Set(stack.peer.counts().keys());
    for (let i = 0; i < 6; i++) {
      await createAndSubmit(stack.api, gso2004.proposer, nominationBody({ nominee: { kind: 'collective', name: `Bản Nà Lốc số ${i + 1}`, organization: 'Xã Chiềng Lao' } }));
    }
    stack.peer.policy.delayMs = () => 400;
    worker = startWorker();
    await worker.started();
    await stack.peer.until((received) => received.some((m) => !before.has(m.messageId)), 60_000, 'a first mail');
    worker.kill('SIGTERM');
    expect(await worker.exited).toEqual({ code: 0, signal: null });
    worker = undefined;

    // Whatever the peer accepted was marked sent before the process left; the rest waits, unsent.
    const rows = await stack.outbox();
    const accepted = new Set(stack.peer.received.map((m) => m.messageId));
    for (const row of rows) expect({ id: row.id, sent: row.status === 'sent' }).toEqual({ id: row.id, sent: accepted.has(row.message_id) });
    expect(rows.some((r) => r.status === 'pending')).toBe(true);

    stack.peer.policy.delayMs = () => 0;
    worker = startWorker();
    await worker.started();
    await stack.peer.until(() => stack.peer.counts().size >= rows.length, 60_000, 'the rest');
    worker.kill('SIGTERM');
    await worker.exited;
    worker = undefined;
    const fresh = stack.peer.received.filter((m) => !before.has(m.messageId));
    expect(fresh).toHaveLength(rows.length - before.size);
  }, 180_000);
});
