import { Inject, Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ConsumerHost, DurableConsumerProvider, type ConsumedEvent, type ConsumerContext, type ConsumerTransaction, type DurableConsumer } from '@app/platform';
import { NotificationDispatcher, type DispatchOutcome } from './notification-dispatcher';
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
export class NotificationDispatcherConsumer implements DurableConsumer {
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

  async handle(events: readonly ConsumedEvent[], tx: ConsumerTransaction, context: ConsumerContext): Promise<void> {
    const outcome = await this.dispatcher.write(tx, events);
    if (outcome.mailIds.length === 0 && outcome.reminders.length === 0) return;
    const last = events[events.length - 1]!.position;
    const host = this.moduleRef.get(ConsumerHost, { strict: false });
    void host.subscriber(this.name).waitFor(last, COMMIT_WAIT_MS)
      .then(() => this.handOver(outcome))
      .catch((error: unknown) => context.logger.warn({ err: error, mails: outcome.mailIds.length }, 'jobs of a dispatched batch not queued; the sweeper will'));
  }

  private async handOver(outcome: DispatchOutcome): Promise<void> {
    await this.queues.enqueueMail(outcome.mailIds);
    await this.queues.enqueueReminders(outcome.reminders, this.clock());
    // Queued: the sweeper leaves these rows alone until NOTIFICATION_REQUEUE_AFTER_MS (it re-claimed and
    // re-added every row of a backlog at each sweep while they looked never queued).
    await this.outbox.markQueued(outcome.mailIds);
  }
}
