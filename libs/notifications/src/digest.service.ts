import type { Pool } from 'pg';
import type { StaffRecords } from '@app/records';
import { vietnamDate, type IsoDate, type WorkingDayCalendar } from '@app/nomination';
import { messageIdFor, outboxId, recipientKey } from './notification-ids';
import type { DigestPayload, Locale, NotificationPayload, TemplateName } from './notification.types';
import { inTransaction, type OutboxStore } from './outbox.store';
import { vietnamInstant } from './reminder-schedule';
import { digestAncestry } from './outbox-ancestry';

export interface DigestSettings {
  readonly publicUrl: string;
  readonly mailFrom: string;
  readonly digestTime: string;
}

/** The most recent working day whose digest time has come by `now` (looking back up to a month). */
export function latestDigestDay(calendar: WorkingDayCalendar, now: Date, time: string): IsoDate | undefined {
  let day = vietnamDate(now);
  for (let i = 0; i < 31; i++) {
    if (calendar.isWorkingDay(day) && vietnamInstant(day, time).getTime() <= now.getTime()) return day;
    day = new Date(Date.parse(`${day}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
  }
  return undefined;
}

interface ItemRow {
  id: string;
  template: TemplateName;
  recipient_id: string | null;
  recipient_email: string;
  recipient_name: string | null;
  locale: Locale;
  payload: NotificationPayload;
  code_set: string | null;
  unit: string | null;
  ancestry_units: string[];
}

/**
 * The daily digest (PUT /staff/{id} `notifications: "daily_digest"`): on each working day at
 * DIGEST_TIME (Vietnam time), every notification that waited for a recipient's digest becomes one mail
 * listing them, oldest first. Assembled once per day across all workers (the run row is taken in the
 * same transaction); a worker that was down at 07:30 assembles the day's digest when it comes back.
 */
export class DigestService {
  constructor(
    private readonly pool: Pool,
    private readonly outbox: OutboxStore,
    private readonly calendar: WorkingDayCalendar,
    private readonly settings: DigestSettings,
    private readonly staff: StaffRecords,
  ) {}

  /** Returns the ids of the digest mails written (empty when the day was already done or nothing waited). */
  async runIfDue(now: Date): Promise<string[]> {
    const day = latestDigestDay(this.calendar, now, this.settings.digestTime);
    if (day === undefined) return [];
    const { rowCount } = await this.pool.query('SELECT 1 FROM notification_digest_runs WHERE digest_on = $1', [day]);
    if ((rowCount ?? 0) > 0) return [];
    return this.assemble(day);
  }

  async assemble(day: IsoDate): Promise<string[]> {
    const cutoff = vietnamInstant(day, this.settings.digestTime);
    return inTransaction(this.pool, async (tx) => {
      const claimed = await tx.query(
        'INSERT INTO notification_digest_runs (digest_on, digests) VALUES ($1, 0) ON CONFLICT DO NOTHING',
        [day],
      );
      if ((claimed.rowCount ?? 0) === 0) return [];
      const { rows } = await tx.query<ItemRow>(
        `SELECT id, template, recipient_id, recipient_email, recipient_name, locale, payload, code_set, unit, ancestry_units FROM notification_outbox
         WHERE delivery = 'digest' AND status = 'pending' AND created_at < $1 ORDER BY created_at, id FOR UPDATE`,
        [cutoff.toISOString()],
      );
      const byRecipient = new Map<string, ItemRow[]>();
      for (const row of rows) {
        const key = recipientKey({ ...(row.recipient_id !== null ? { id: row.recipient_id } : {}), email: row.recipient_email });
        byRecipient.set(key, [...(byRecipient.get(key) ?? []), row]);
      }
      const source = `digest:${day}`;
      const ids: string[] = [];
      let digests = 0;
      for (const [key, items] of byRecipient) {
        const latest = items[items.length - 1]!;
        // API.md: notifications go to *active* staff. Someone deactivated while items waited for their
        // digest gets nothing; the items are listed as failed (a retry after reactivation puts them back).
        const record = latest.recipient_id === null ? undefined : await this.staff.get(latest.recipient_id);
        if (latest.recipient_id !== null && (record === undefined || !record.active)) {
          await tx.query(
            `UPDATE notification_outbox SET status = 'failed', failed_at = now(), last_error = $2 WHERE id = ANY($1::uuid[]) AND status = 'pending'`,
            [items.map((i) => i.id), `not sent: the recipient's staff record is inactive (active: false) at the digest of ${day}`],
          );
          continue;
        }
        digests += 1;
        const unitOf = (row: ItemRow) => (row.code_set !== null && row.unit !== null ? { codeSet: row.code_set, code: row.unit } : null);
        const id = outboxId(source, 'daily_digest', key);
        const payload: DigestPayload = {
          digestOn: day, digestTime: this.settings.digestTime, link: `${this.settings.publicUrl}/`,
          items: items.map((i) => ({ ...i.payload, template: i.template })),
        };
        const written = await this.outbox.insert(tx, [{
          id, template: 'daily_digest', delivery: 'immediate', source, nominationId: null, messageId: messageIdFor(id, this.settings.mailFrom),
          recipient: {
            ...(latest.recipient_id !== null ? { id: latest.recipient_id } : {}), email: latest.recipient_email,
            ...(latest.recipient_name !== null ? { name: latest.recipient_name } : {}), locale: latest.locale, preference: 'daily_digest',
          },
          payload, occurredAt: cutoff,
          // The recipient's unit, as their latest item recorded it; listed to the admins who see every item.
          unit: unitOf(latest), ancestry: digestAncestry(items.map((i) => ({ unit: unitOf(i), ancestry: i.ancestry_units }))),
        }]);
        await tx.query(`UPDATE notification_outbox SET delivery = 'digested', digest_id = $1 WHERE id = ANY($2::uuid[])`, [id, items.map((i) => i.id)]);
        ids.push(...written);
      }
      await tx.query('UPDATE notification_digest_runs SET digests = $2 WHERE digest_on = $1', [day, digests]);
      return ids;
    });
  }
}
