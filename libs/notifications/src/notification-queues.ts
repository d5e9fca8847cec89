import { Injectable } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import { Queue } from 'bullmq';

/** BullMQ queue names (under QUEUE_PREFIX). Persisted in Redis keys: never rename. */
export const MAIL_QUEUE = 'mail';
export const SCHEDULE_QUEUE = 'notification-schedule';

export type MailJob = { readonly outboxId: string };
export type ScheduleJob = { readonly reminderId: string } | { readonly digest: true };

/** Jobs are triggers only (the outbox and reminder rows are the truth), so nothing is kept once done. */
const DONE = { removeOnComplete: true, removeOnFail: true } as const;

export interface QueueDepth {
  readonly queue: string;
  readonly state: string;
  readonly jobs: number;
}

/**
 * The two queues of the notification pipeline. Job ids are the outbox or reminder ids, so handing the
 * same notification over twice (the dispatcher and the sweeper racing, a redelivered event) leaves one
 * job: BullMQ ignores an add whose id already exists.
 */
@Injectable()
export class NotificationQueues {
  constructor(
    @InjectQueue(MAIL_QUEUE) readonly mail: Queue<MailJob>,
    @InjectQueue(SCHEDULE_QUEUE) readonly schedule: Queue<ScheduleJob>,
  ) {}

  async enqueueMail(ids: readonly string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += 500) {
      await this.mail.addBulk(ids.slice(i, i + 500).map((outboxId) => ({ name: 'send', data: { outboxId }, opts: { jobId: outboxId, ...DONE } })));
    }
  }

  /**
   * Deletes the jobs of these mails that Redis still holds in no queue state, and returns how many. A
   * partial loss of Redis leaves such jobs (a job whose list was deleted but not its hash, or a hash a
   * worker half re-created by taking the job as its keys went), and BullMQ ignores an add whose id
   * exists, so the sweeper's re-queue would otherwise leave the mail unsent for good. A job in no state
   * stays so until deleted (no worker can reach it), so checking and then deleting is safe; a job
   * locked by a worker is not deleted (BullMQ's remove refuses), and one missing entirely needs nothing.
   */
  async removeOrphanedMail(ids: readonly string[]): Promise<number> {
    let removed = 0;
    for (let i = 0; i < ids.length; i += 25) {
      const chunk = ids.slice(i, i + 25);
      const states = await Promise.all(chunk.map((id) => this.mail.getJobState(id)));
      const unknown = chunk.filter((_, k) => states[k] === 'unknown');
      const present = await Promise.all(unknown.map(async (id) => (await this.mail.getJob(id)) !== undefined));
      for (const id of unknown.filter((_, k) => present[k])) {
        if ((await this.mail.remove(id)) === 1) removed++;
      }
    }
    return removed;
  }

  async enqueueReminders(reminders: readonly { readonly id: string; readonly fireAt: Date }[], now: Date): Promise<void> {
    for (let i = 0; i < reminders.length; i += 500) {
      await this.schedule.addBulk(reminders.slice(i, i + 500).map((r) => ({
        name: 'reminder',
        data: { reminderId: r.id },
        opts: { jobId: r.id, delay: Math.max(0, r.fireAt.getTime() - now.getTime()), ...DONE },
      })));
    }
  }

  /** The 07:30 trigger of the daily digest (a BullMQ job scheduler); re-created by the sweeper after a Redis loss. */
  async ensureDigestScheduler(time: string): Promise<void> {
    const [hours, minutes] = time.split(':').map(Number);
    const pattern = `${minutes} ${hours} * * *`;
    // Upserting an existing scheduler whose next run is already queued is refused by BullMQ: only create it when missing or changed.
    const existing = await this.schedule.getJobScheduler('daily-digest');
    if (existing?.pattern === pattern) return;
    await this.schedule.upsertJobScheduler(
      'daily-digest',
      { pattern, tz: 'Asia/Ho_Chi_Minh' },
      { name: 'digest', data: { digest: true }, opts: DONE },
    );
  }

  async depth(): Promise<QueueDepth[]> {
    const result: QueueDepth[] = [];
    for (const queue of [this.mail, this.schedule] as Queue[]) {
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'failed');
      for (const [state, jobs] of Object.entries(counts)) result.push({ queue: queue.name, state, jobs });
    }
    return result;
  }
}
