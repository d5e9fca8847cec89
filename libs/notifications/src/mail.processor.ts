import { Inject, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { DelayedError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { runWithCorrelation } from '@app/observability';
import { ROOT_LOGGER } from '@app/platform';
import { MailSender } from './mail-sender';
import type { Mailer } from './mailer';
import { MAILER } from './notifications.tokens';
import { MAIL_QUEUE, type MailJob } from './notification-queues';
import { applyWorkerSettings } from './worker-settings';

/**
 * The e-mail processor: one job per outbox row (job id = outbox id). A transient failure moves the
 * job back to delayed with the sender's backoff (the attempt count lives in the outbox row, so it
 * survives a Redis loss); everything else completes the job, which is then removed.
 */
@Processor(MAIL_QUEUE, { autorun: false })
export class MailProcessor extends WorkerHost<import('bullmq').Worker<MailJob>> implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    private readonly sender: MailSender,
    @Inject(MAILER) private readonly mailer: Mailer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    const settings = this.config.notifications;
    applyWorkerSettings(this.worker, { concurrency: settings.concurrency, lockMs: settings.jobLockMs });
    void this.worker.run().catch((error: unknown) => this.logger.error({ err: error }, 'mail worker stopped'));
  }

  /** SIGTERM: stop taking jobs and let the ones in flight finish before the pool and Redis close. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.worker.close();
    await this.mailer.close();
  }

  async process(job: Job<MailJob>, token?: string): Promise<string> {
    return runWithCorrelation({ correlationId: `mail:${job.data.outboxId}`, scope: 'job' }, async () => {
      const outcome = await this.sender.send(job.data.outboxId);
      if (outcome.kind === 'retry') {
        await job.moveToDelayed(Date.now() + outcome.delayMs, token);
        throw new DelayedError();
      }
      return outcome.kind;
    });
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job<MailJob> | undefined, error: Error): void {
    // Only unexpected errors reach here (the database down, a template bug); the sweeper re-queues the row.
    this.logger.error({ outboxId: job?.data.outboxId, err: error }, 'mail job failed');
  }

  /** Redis trouble (a lost connection, keys deleted under a running job): logged; the outbox and the sweeper recover. */
  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.logger.warn({ err: error }, 'mail worker error');
  }
}
