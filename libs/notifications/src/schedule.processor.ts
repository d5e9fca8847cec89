import { Inject, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { DelayedError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { runWithCorrelation } from '@app/observability';
import { ROOT_LOGGER } from '@app/platform';
import { DigestService } from './digest.service';
import { NotificationQueues, SCHEDULE_QUEUE, type ScheduleJob } from './notification-queues';
import { applyWorkerSettings } from './worker-settings';
import { NOTIFICATION_CLOCK, type NotificationClock } from './notifications.tokens';
import { ReminderService } from './reminder.service';

/** Fires deadline reminders (delayed jobs, id = reminder id) and the daily digest trigger. */
@Processor(SCHEDULE_QUEUE, { autorun: false })
export class ScheduleProcessor extends WorkerHost<import('bullmq').Worker<ScheduleJob>> implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    private readonly reminders: ReminderService,
    private readonly digests: DigestService,
    private readonly queues: NotificationQueues,
    @Inject(NOTIFICATION_CLOCK) private readonly clock: NotificationClock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    applyWorkerSettings(this.worker, { concurrency: 4, lockMs: this.config.notifications.jobLockMs });
    void this.worker.run().catch((error: unknown) => this.logger.error({ err: error }, 'schedule worker stopped'));
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.worker.close();
  }

  async process(job: Job<ScheduleJob>, token?: string): Promise<string> {
    const data = job.data;
    if ('digest' in data) {
      return runWithCorrelation({ correlationId: `digest:${job.id}`, scope: 'job' }, async () => {
        const ids = await this.digests.runIfDue(this.clock());
        await this.queues.enqueueMail(ids);
        if (ids.length > 0) this.logger.info({ digests: ids.length }, 'daily digests assembled');
        return `digests:${ids.length}`;
      });
    }
    return runWithCorrelation({ correlationId: `reminder:${data.reminderId}`, scope: 'job' }, async () => {
      const outcome = await this.reminders.fire(data.reminderId);
      if (outcome.kind === 'early') {
        await job.moveToDelayed(outcome.fireAt.getTime() - this.clock().getTime() + Date.now(), token);
        throw new DelayedError();
      }
      if (outcome.kind === 'fired') await this.queues.enqueueMail(outcome.mailIds);
      this.logger.info({ reminderId: data.reminderId, outcome: outcome.kind }, 'deadline reminder handled');
      return outcome.kind;
    });
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job<ScheduleJob> | undefined, error: Error): void {
    this.logger.error({ job: job?.id, err: error }, 'schedule job failed; the sweeper re-creates it');
  }

  /** Redis trouble (a lost connection, keys deleted under a running job): logged; the outbox and the sweeper recover. */
  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.logger.warn({ err: error }, 'schedule worker error');
  }
}
