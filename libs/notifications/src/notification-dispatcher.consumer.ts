import { Inject, Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ConsumerHost, DurableConsumerProvider, type ConsumedEvent, type ConsumerContext, type ConsumerTransaction, type DurableConsumer } from '@app/platform';
import { NotificationDispatcher, type DispatchOutcome, type DispatchRead } from './notification-dispatcher';
import { NotificationQueues } from './notification-queues';
import { NOTIFICATION_CLOCK, type NotificationClock } from './notifications.tokens';
import { OutboxStore } from './outbox.store';

/** How long a batch's jobs wait for its commit before the sweeper is left to queue them. */
const COMMIT_WAIT_MS = 120_000;

/**
 * The dispatcher as a transactional consumer of the log (run by the worker's ConsumerHost, one active
 * instance across workers): outbox rows and reminders are written through the batch's transaction and
 * commit with the checkpoint. Their BullMQ jobs are added once that commit is seen, never before, so
 * a job never names a row that may still roll back; if this process dies in between, the sweeper
 * queues the rows it finds unqueued.
 */
@Injectable()
@DurableConsumerProvider()
export class NotificationDispatcherConsumer implements DurableConsumer<DispatchRead> {
  readonly categories = ['nomination'] as const;

  constructor(
    private readonly dispatcher: NotificationDispatcher,
    private readonly queues: NotificationQueues,
    private readonly outbox: OutboxStore,
    private readonly moduleRef: ModuleRef,
    @Inject(NOTIFICATION_CLOCK) private readonly clock: NotificationClock,
  ) {}

  get name(): string {
    return this.dispatcher.name;
  }

  read(_events: readonly ConsumedEvent[], tx: ConsumerTransaction): Promise<DispatchRead> {
    return this.dispatcher.read(tx);
  }

  async handle(events: readonly ConsumedEvent[], tx: ConsumerTransaction, context: ConsumerContext, read?: DispatchRead): Promise<void> {
    const { outcome } = await this.dispatcher.write(tx, events, read);
    // A transaction that does not pipeline answers its statements here, before the commit.
    if (tx.write === undefined) await outcome;
    const last = events[events.length - 1]!.position;
    // The rows are answered with the commit; a batch that fails instead hands nothing over (its retry does).
    void outcome.then((handed) => {
      if (handed.mailIds.length === 0 && handed.reminders.length === 0) return;
      const host = this.moduleRef.get(ConsumerHost, { strict: false });
      void host.subscriber(this.name).waitFor(last, COMMIT_WAIT_MS)
        .then(() => this.handOver(handed))
        .catch((error: unknown) => context.logger.warn({ err: error, mails: handed.mailIds.length }, 'jobs of a dispatched batch not queued; the sweeper will'));
    }, () => undefined);
  }

  private async handOver(outcome: DispatchOutcome): Promise<void> {
    // Both at once: one wait for Redis instead of two.
    await Promise.all([this.queues.enqueueMail(outcome.mailIds), this.queues.enqueueReminders(outcome.reminders, this.clock())]);
    // Queued: the sweeper leaves these rows alone until NOTIFICATION_REQUEUE_AFTER_MS (it re-claimed and
    // re-added every row of a backlog at each sweep while they looked never queued).
    await this.outbox.markQueued(outcome.mailIds);
  }
}
