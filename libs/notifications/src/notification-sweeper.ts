import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { Pool } from 'pg';
import type { Logger } from 'pino';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { runWithCorrelation } from '@app/observability';
import { PG_POOL, ROOT_LOGGER } from '@app/platform';
import { DigestService } from './digest.service';
import { NotificationQueues } from './notification-queues';
import { NOTIFICATION_CLOCK, type NotificationClock } from './notifications.tokens';
import { OutboxStore, queryable } from './outbox.store';
import { ReminderStore } from './reminder.store';

export interface SweepResult {
  readonly mails: number;
  readonly reminders: number;
  readonly digests: number;
}

/**
 * What makes Redis disposable: at start and then every NOTIFICATION_SWEEP_MS it hands BullMQ again
 * every outbox row not yet sent whose job may be gone (never queued, or queued more than
 * NOTIFICATION_REQUEUE_AFTER_MS ago), re-creates the delayed jobs of reminders coming due, assembles a
 * digest whose time has come and re-creates the digest's job scheduler. Adding a job whose id exists
 * is a no-op in BullMQ, so sweeping a healthy queue changes nothing.
 */
@Injectable()
export class NotificationSweeper implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly outbox: OutboxStore,
    private readonly reminders: ReminderStore,
    private readonly digests: DigestService,
    private readonly queues: NotificationQueues,
    @Inject(NOTIFICATION_CLOCK) private readonly clock: NotificationClock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    const tick = (): void => {
      this.running ??= runWithCorrelation({ correlationId: `sweep:${Date.now()}`, scope: 'job' }, () => this.sweep())
        .catch((error: unknown) => this.logger.warn({ err: error }, 'notification sweep failed; retrying at the next one'))
        .finally(() => { this.running = undefined; });
    };
    tick();
    this.timer = setInterval(tick, this.config.notifications.sweepIntervalMs);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  async sweep(): Promise<SweepResult> {
    const settings = this.config.notifications;
    const now = this.clock();
    let mails = 0;
    for (;;) {
      const ids = await this.outbox.claimForRequeue(new Date(Date.now() - settings.requeueAfterMs), 1000);
      await this.queues.enqueueMail(ids);
      mails += ids.length;
      if (ids.length < 1000) break;
    }
    const due = await this.reminders.scheduledBefore(queryable(this.pool), new Date(now.getTime() + 2 * settings.sweepIntervalMs));
    await this.queues.enqueueReminders(due, now);
    const digestIds = await this.digests.runIfDue(now);
    await this.queues.enqueueMail(digestIds);
    // The punctual 07:30 trigger; without it the sweep above still assembles the digest, only later.
    await this.queues.ensureDigestScheduler(settings.digestTime).catch((error: unknown) => this.logger.warn({ err: error }, 'digest scheduler not re-created'));
    if (mails > 0 || digestIds.length > 0) this.logger.info({ mails, reminders: due.length, digests: digestIds.length }, 'notification sweep re-queued work');
    return { mails, reminders: due.length, digests: digestIds.length };
  }
}
