import type { Logger } from 'pino';
import { Coalescer } from './coalescer';
import { classifySendError, type Mailer } from './mailer';
import type { MailTemplates } from './mail-templates';
import type { NotificationMetrics } from './notification-metrics';
import type { ClaimOutcome, OutboxStore } from './outbox.store';

/** Who of the recipients is still active staff (StaffRecords.activeAmong). */
export interface ActiveStaff {
  activeAmong(ids: readonly string[]): Promise<ReadonlySet<string>>;
}

export interface MailSenderSettings {
  readonly mailFrom: string;
  readonly maxAttempts: number;
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  /** How long a worker's claim on a row lasts: longer than a send can take before it times out. */
  readonly claimMs: number;
}

export type SendOutcome =
  | { readonly kind: 'sent' }
  /** Already sent, failed (only the retry endpoint revives it), folded into a digest, or unknown. */
  | { readonly kind: 'skipped' }
  | { readonly kind: 'failed'; readonly permanent: boolean }
  | { readonly kind: 'retry'; readonly delayMs: number };

/**
 * Exponential backoff with "equal jitter": the n-th retry waits between half and all of
 * base × 2^(n-1), capped, so a crowd of mails refused by a recovering server does not return in step.
 */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/**
 * Sends one outbox row. The row is marked sent only after the server accepted the message; a row
 * already sent is skipped, so a job run twice sends once. If the process dies between acceptance and
 * the mark, the next run sends again with the same Message-ID, which is what lets the recipient's
 * mail system (and the tests) recognise the resend.
 *
 * The claims and the sent marks of the rows being sent at once go to PostgreSQL together (one UPDATE
 * per batch, see Coalescer): a row joins a batch of marks only after its own acceptance, and its job
 * completes only once that batch is written, so batching widens the acceptance → mark window by one
 * round trip and changes nothing else.
 */
export class MailSender {
  private readonly claims: Coalescer<string, ClaimOutcome>;
  private readonly marks: Coalescer<string, boolean>;
  private readonly active: Coalescer<string, boolean>;

  constructor(
    private readonly outbox: OutboxStore,
    private readonly templates: MailTemplates,
    private readonly mailer: Mailer,
    private readonly metrics: NotificationMetrics,
    private readonly settings: MailSenderSettings,
    private readonly logger: Logger,
    staff: ActiveStaff,
    private readonly random: () => number = Math.random,
  ) {
    this.claims = new Coalescer((ids) => this.outbox.beginAttempts(ids, this.settings.claimMs));
    this.marks = new Coalescer((ids) => this.outbox.markSentMany(ids));
    this.active = new Coalescer(async (ids) => {
      const active = await staff.activeAmong(ids);
      return ids.map((id) => active.has(id));
    });
  }

  async send(outboxId: string): Promise<SendOutcome> {
    const entry = await this.claims.run(outboxId);
    if (entry === undefined) return { kind: 'skipped' };
    // Another worker is sending this very row (its job was re-created after a Redis loss): wait for it.
    if ('busy' in entry) return { kind: 'retry', delayMs: entry.retryInMs };
    // API.md: notifications go to active staff. Someone deactivated while their mail waited (the SMTP
    // server down, a backlog) gets nothing; the row is listed as failed, and a retry after they are
    // reactivated sends it. A recipient outside the staff directory (a nominee) has no record to check.
    if (entry.recipient.id !== null && !(await this.active.run(entry.recipient.id))) {
      const reason = "not sent: the recipient's staff record is inactive (active: false)";
      await this.outbox.markFailed(outboxId, reason);
      this.metrics.failed.inc({ template: entry.template, reason: 'recipient_inactive' });
      this.logger.info({ outboxId, template: entry.template, recipientId: entry.recipient.id }, 'e-mail not sent: the recipient was deactivated; listed in GET /admin/notifications?status=failed');
      return { kind: 'failed', permanent: true };
    }
    const rendered = this.templates.render(entry.template, entry.locale, entry.payload, entry.recipient.name);
    const started = process.hrtime.bigint();
    let response: string;
    let file: string | undefined;
    try {
      ({ response, file } = await this.mailer.send({
        messageId: entry.messageId,
        from: this.settings.mailFrom,
        to: { name: entry.recipient.name, address: entry.recipient.email },
        ...rendered,
      }));
    } catch (error) {
      const failure = classifySendError(error);
      const log = { outboxId, template: entry.template, attempt: entry.attempts, responseCode: failure.responseCode, err: failure.message };
      if (failure.permanent) {
        await this.outbox.markFailed(outboxId, failure.message);
        this.metrics.failed.inc({ template: entry.template, reason: 'refused' });
        this.logger.warn(log, 'e-mail refused permanently; listed in GET /admin/notifications?status=failed');
        return { kind: 'failed', permanent: true };
      }
      if (entry.attempts >= this.settings.maxAttempts) {
        await this.outbox.markFailed(outboxId, `gave up after ${entry.attempts} attempts: ${failure.message}`);
        this.metrics.failed.inc({ template: entry.template, reason: 'attempts_exhausted' });
        this.logger.warn(log, 'e-mail still failing after the last attempt; listed in GET /admin/notifications?status=failed');
        return { kind: 'failed', permanent: false };
      }
      await this.outbox.recordTransientFailure(outboxId, failure.message);
      this.metrics.retried.inc({ template: entry.template });
      const delayMs = backoffDelay(entry.attempts, this.settings.retryBaseMs, this.settings.retryMaxMs, this.random);
      this.logger.info({ ...log, retryInMs: delayMs }, 'e-mail send failed; will retry');
      return { kind: 'retry', delayMs };
    }
    this.metrics.smtp.observe(Number(process.hrtime.bigint() - started) / 1e9);
    await this.marks.run(outboxId);
    this.metrics.sent.inc({ template: entry.template });
    this.metrics.latency.observe({ template: entry.template }, Math.max(0, Date.now() - entry.occurredAt.getTime()) / 1000);
    if (file !== undefined) this.logger.info({ outboxId, template: entry.template, to: entry.recipient.email, file }, 'e-mail written to a file (no SMTP_URL)');
    else this.logger.debug({ outboxId, template: entry.template, response }, 'e-mail accepted');
    return { kind: 'sent' };
  }
}
