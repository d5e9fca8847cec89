import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { Pool } from 'pg';
import type { Logger } from 'pino';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { EVENT_STORE, type EventStore } from '@app/event-store';
import { runWithCorrelation } from '@app/observability';
import { PG_POOL, ROOT_LOGGER } from '@app/platform';
import { DigestService } from './digest.service';
import { DISPATCHER_NAME } from './notification-dispatcher';
import { NotificationQueues } from './notification-queues';
import { NOTIFICATION_CLOCK, type NotificationClock } from './notifications.tokens';
import { OutboxStore, queryable } from './outbox.store';
import { ReminderStore } from './reminder.store';

export interface SweepResult {
  readonly mails: number;
  readonly reminders: number;
  readonly digests: number;
  /** Settled notifications deleted for being older than NOTIFICATION_RETENTION_DAYS. */
  readonly purged: number;
}

/** Rows per purge transaction, and transactions per sweep: small enough never to hold up the dispatcher. */
const PURGE_BATCH = 500;
const PURGE_BATCHES_PER_SWEEP = 20;
const DAY_MS = 86_400_000;
/** Re-queued mails whose job is checked for having been half lost, at most, per sweep. */
const ORPHAN_CHECKS_PER_SWEEP = 200;

/**
 * What makes Redis disposable: at start and then every NOTIFICATION_SWEEP_MS it hands BullMQ again
 * every outbox row not yet sent whose job may be gone (never queued, or queued more than
 * NOTIFICATION_REQUEUE_AFTER_MS ago), re-creates the delayed jobs of reminders coming due, assembles a
 * digest whose time has come and re-creates the digest's job scheduler. Adding a job whose id exists
 * is a no-op in BullMQ, so sweeping a healthy queue changes nothing. It also purges, a few small
 * batches at a time, the outbox rows settled longer ago than NOTIFICATION_RETENTION_DAYS that the
 * dispatcher is past (OutboxStore.purgeSettled).
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
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
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
    let orphansChecked = 0;
    let orphans = 0;
    for (;;) {
      const rows = await this.outbox.claimForRequeue(new Date(Date.now() - settings.requeueAfterMs), 1000);
      // A row handed over before may have a job Redis lost only half of: remove such jobs first, or the
      // add below is ignored. Bounded per sweep (the check scans the waiting list); the rest, stamped
      // queued now, come round again at a later sweep.
      const suspects = rows.filter((r) => r.requeued).map((r) => r.id).slice(0, Math.max(0, ORPHAN_CHECKS_PER_SWEEP - orphansChecked));
      orphansChecked += suspects.length;
      orphans += await this.queues.removeOrphanedMail(suspects);
      await this.queues.enqueueMail(rows.map((r) => r.id));
      mails += rows.length;
      if (rows.length < 1000) break;
    }
    if (orphans > 0) this.logger.warn({ orphans }, 'mail jobs left in no queue state (a partial loss of Redis) removed and queued again');
    const due = await this.reminders.scheduledBefore(queryable(this.pool), new Date(now.getTime() + 2 * settings.sweepIntervalMs));
    await this.queues.enqueueReminders(due, now);
    const digestIds = await this.digests.runIfDue(now);
    await this.queues.enqueueMail(digestIds);
    // The punctual 07:30 trigger; without it the sweep above still assembles the digest, only later.
    await this.queues.ensureDigestScheduler(settings.digestTime).catch((error: unknown) => this.logger.warn({ err: error }, 'digest scheduler not re-created'));
    const purged = await this.purge().catch((error: unknown) => {
      this.logger.warn({ err: error }, 'outbox purge failed; retrying at the next sweep');
      return 0;
    });
    if (mails > 0 || digestIds.length > 0) this.logger.info({ mails, reminders: due.length, digests: digestIds.length }, 'notification sweep re-queued work');
    if (purged > 0) this.logger.info({ purged, retentionDays: settings.retentionDays }, 'settled notifications past their retention purged');
    return { mails, reminders: due.length, digests: digestIds.length, purged };
  }

  /**
   * Deletes settled rows older than the retention, PURGE_BATCH at a time; none when retention is 0 (keep
   * forever). By the real clock, not the notification clock tests move: rows are stamped by the database.
   */
  private async purge(): Promise<number> {
    const days = this.config.notifications.retentionDays;
    if (days === 0) return 0;
    const before = new Date(Date.now() - days * DAY_MS);
    const storeId = await this.eventStore.identity();
    let purged = 0;
    for (let batch = 0; batch < PURGE_BATCHES_PER_SWEEP; batch++) {
      const n = await this.outbox.purgeSettled(DISPATCHER_NAME, storeId, before, PURGE_BATCH);
      purged += n;
      if (n < PURGE_BATCH) break;
    }
    return purged;
  }
}
