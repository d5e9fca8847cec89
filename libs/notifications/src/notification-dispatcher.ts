import type { EventStore } from '@app/event-store';
import { nominationStreamId, type NominationEvent, type WorkingDayCalendar } from '@app/nomination';
import type { ConsumedEvent } from '@app/platform';
import { emptyFold, evolveFold, foldNominationEvents, type NominationFold } from './nomination-fold';
import { messageIdFor, derivedUuid, outboxId, recipientKey } from './notification-ids';
import { notificationsFor, stageEntryOf } from './notification-rules';
import type { NewOutboxEntry, NotificationIntent, Recipient } from './notification.types';
import type { OutboxStore, Queryable } from './outbox.store';
import { remindersForStage } from './reminder-schedule';
import type { NewReminder, ReminderStore } from './reminder.store';
import { StaffRecipients } from './staff-recipients';

export interface DispatchSettings {
  readonly publicUrl: string;
  readonly mailFrom: string;
  readonly reminderTime: string;
}

/** What a handled batch leaves to do once its transaction has committed. */
export interface DispatchOutcome {
  readonly mailIds: readonly string[];
  readonly reminders: readonly { readonly id: string; readonly fireAt: Date }[];
}

/** Events that end a stage visit: the reminders of any other visit are dropped. */
const MOVES = new Set<NominationEvent['type']>([
  'NominationSubmitted', 'NominationReturned', 'StageApproved', 'NominationApproved', 'NominationRejected', 'NominationWithdrawn',
]);

const CACHE_LIMIT = 20_000;

/** Turns recipients of one intent into outbox rows; ids derive from the source and the recipient. */
export function outboxEntriesFor(intent: NotificationIntent, recipients: readonly Recipient[], source: string, occurredAt: Date, mailFrom: string): NewOutboxEntry[] {
  return recipients.map((recipient) => {
    const id = outboxId(source, intent.template, recipientKey(recipient));
    return {
      id, template: intent.template, source, nominationId: intent.payload.nominationId, recipient, occurredAt,
      delivery: recipient.preference === 'daily_digest' ? 'digest' : 'immediate',
      messageId: messageIdFor(id, mailFrom),
      payload: intent.payload,
    };
  });
}

/**
 * The notification dispatcher: follows the log and writes, in the transaction that also moves its
 * checkpoint, the outbox rows of API.md's table and the deadline reminders of every stage visit.
 * Handling a batch again (after a crash before the commit) writes nothing new: every row's id is
 * derived from its event.
 */
export class NotificationDispatcher {
  readonly name = 'notification-dispatcher';
  /** Folded nominations by stream, so consecutive events of one nomination never re-read it. */
  private readonly folds = new Map<string, NominationFold>();

  constructor(
    private readonly eventStore: EventStore,
    private readonly outbox: OutboxStore,
    private readonly reminders: ReminderStore,
    private readonly calendar: WorkingDayCalendar,
    private readonly settings: DispatchSettings,
    private readonly defaultCodeSet: () => string,
  ) {}

  /** Writes, through `tx`, what a batch of decoded events owes anyone; returns what to hand BullMQ after the commit. */
  async write(tx: Queryable, events: readonly ConsumedEvent[]): Promise<DispatchOutcome> {
    const staff = new StaffRecipients(tx, this.defaultCodeSet());
    const entries: NewOutboxEntry[] = [];
    const newReminders: NewReminder[] = [];
    for (const recorded of events) {
      if (recorded.category !== 'nomination') continue;
      const event = recorded.event;
      const fold = evolveFold(await this.foldBefore(recorded.entityId, recorded), recorded, event);
      this.remember(recorded.entityId, fold);
      if (fold.state.status === 'none') continue;

      for (const intent of notificationsFor(event, fold, this.settings.publicUrl)) {
        entries.push(...outboxEntriesFor(intent, await staff.resolve(intent.audiences), recorded.id, recorded.recordedAt, this.settings.mailFrom));
      }
      if (MOVES.has(event.type)) {
        await this.reminders.dropOthers(tx, fold.state.id, fold.state.status === 'in_review' ? fold.entryEventId : undefined);
      }
      const entry = stageEntryOf(event);
      if (entry !== undefined) {
        for (const reminder of remindersForStage(this.calendar, new Date(entry.at), entry.dueOn, this.settings.reminderTime)) {
          newReminders.push({
            id: derivedUuid('reminder', recorded.id, reminder.kind), kind: reminder.kind, nominationId: fold.state.id,
            entryEventId: recorded.id, stageIndex: entry.index, stageUnit: entry.unit, enteredAt: new Date(entry.at),
            dueOn: entry.dueOn, fireOn: reminder.fireOn, fireAt: reminder.fireAt,
          });
        }
      }
    }
    const mailIds = await this.outbox.insert(tx, entries);
    const reminders = await this.reminders.insert(tx, newReminders);
    return { mailIds, reminders };
  }

  /** The nomination as it was just before the event: from the cache, or read from the store. */
  private async foldBefore(nominationId: string, recorded: { readonly revision: number }): Promise<NominationFold> {
    const cached = this.folds.get(nominationId);
    if (cached !== undefined && cached.revision === recorded.revision - 1) return cached;
    if (recorded.revision === 0) return emptyFold;
    const earlier = await this.eventStore.readStream(nominationStreamId(nominationId), { toRevision: recorded.revision - 1 });
    return foldNominationEvents(earlier);
  }

  private remember(nominationId: string, fold: NominationFold): void {
    this.folds.delete(nominationId);
    this.folds.set(nominationId, fold);
    if (this.folds.size > CACHE_LIMIT) this.folds.delete(this.folds.keys().next().value!);
  }
}
