import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { createRootLogger } from '@app/observability';
import { MailProcessor, NotificationSweeper, type NotificationClock } from '@app/notifications';
import { ConsumerHost } from '@app/platform';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { expectOk } from './nomination-fixtures';
import { deleteRedisPrefix } from './redis-prefix';
import { SmtpPeer } from './smtp-peer';
import { TestApi, type TestUser } from './test-api';

export const admin: TestUser = { sub: 'admin-14', name: 'Quản trị hệ thống', roles: ['admin'], unit: '14', codeSet: 'gso-2004' };

export interface StaffEntry {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly unit: string;
  readonly codeSet?: 'gso-2004' | 'gso-2025';
  readonly roles: readonly string[];
  readonly locale?: 'vi' | 'en';
  readonly active?: boolean;
  readonly notifications?: 'immediate' | 'daily_digest';
}

/**
 * The api in-process, a real SMTP peer and a worker (in-process, restartable) over one fresh database
 * and one private Redis prefix, with quick retries so failures and recoveries happen within a test.
 */
export class NotificationStack {
  worker: INestApplicationContext | undefined;

  private constructor(readonly api: TestApi, readonly peer: SmtpPeer) {}

  static async start(env: Record<string, string> = {}): Promise<NotificationStack> {
    const peer = await SmtpPeer.start();
    const api = await TestApi.start({
      SMTP_URL: peer.url,
      MAIL_FROM: 'Khen thưởng tỉnh Sơn La <no-reply@sonla.gov.vn>',
      PUBLIC_URL: 'https://khenthuong.sonla.gov.vn',
      MAIL_RETRY_BASE_MS: '50',
      MAIL_RETRY_MAX_MS: '400',
      NOTIFICATION_SWEEP_MS: '300',
      NOTIFICATION_REQUEUE_AFTER_MS: '1000',
      NOTIFICATION_JOB_LOCK_MS: '2000',
      // Generous: on a loaded machine a slow answer must not pass for a failure (and cause a resend).
      MAIL_SEND_TIMEOUT_MS: '20000',
      ...env,
    });
    return new NotificationStack(api, peer);
  }

  async startWorker(clock?: NotificationClock): Promise<INestApplicationContext> {
    const logger = createRootLogger({ level: 'silent', service: 'worker-test' });
    this.worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(this.api.config, logger, clock ? { clock } : {}), { logger: false });
    await this.worker.init();
    return this.worker;
  }

  async stopWorker(): Promise<void> {
    await this.worker?.close();
    this.worker = undefined;
  }

  async putStaff(entries: readonly StaffEntry[]): Promise<void> {
    for (const { id, ...body } of entries) {
      expectOk(await this.api.request({
        method: 'PUT', url: `/staff/${id}`, as: admin,
        body: { locale: 'vi', active: true, ...body },
      }));
    }
  }

  /** Resolves once the dispatcher has handled every event appended so far. */
  async dispatched(timeoutMs = 30_000): Promise<void> {
    const head = await this.api.database.pool.query<{ p: string | null }>('SELECT max(position)::text AS p FROM events');
    if (head.rows[0]!.p === null) return;
    await this.worker!.get(ConsumerHost).subscriber('notification-dispatcher').waitFor(BigInt(head.rows[0]!.p), timeoutMs);
  }

  /** Resolves once no notification waits to be sent (each check follows a job the e-mail worker finished). */
  async settled(timeoutMs = 60_000): Promise<void> {
    const worker = this.worker!.get(MailProcessor).worker;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const finished = new Promise<void>((resolve) => {
        const done = (): void => { clearTimeout(timer); worker.off('completed', done); worker.off('failed', done); resolve(); };
        // A job may finish between the count and the subscription: look again after a while regardless.
        const timer = setTimeout(done, 250);
        worker.on('completed', done);
        worker.on('failed', done);
      });
      const { rows } = await this.api.database.pool.query<{ n: string }>(
        "SELECT count(*) AS n FROM notification_outbox WHERE status = 'pending' AND delivery = 'immediate'",
      );
      if (rows[0]!.n === '0') return;
      if (Date.now() > deadline) throw new Error(`${rows[0]!.n} notifications still unsent after ${timeoutMs} ms`);
      await finished;
    }
  }

  async sweep(): Promise<void> {
    await this.worker!.get(NotificationSweeper).sweep();
  }

  async outbox(): Promise<{
    id: string; template: string; status: string; delivery: string; recipient_email: string; locale: string; message_id: string; attempts: number;
    last_error: string | null; code_set: string | null; unit: string | null; sent_at: Date | null; failed_at: Date | null; source_position: string | null;
    nomination_id: string | null;
  }[]> {
    const { rows } = await this.api.database.pool.query('SELECT * FROM notification_outbox ORDER BY created_at, id');
    return rows;
  }

  async close(): Promise<void> {
    await this.stopWorker();
    await this.api.close();
    await this.peer.close();
    await deleteRedisPrefix(this.api.config.redisUrl, this.api.config.queuePrefix);
  }
}
