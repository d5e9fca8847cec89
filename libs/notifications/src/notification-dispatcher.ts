import type { EventStore } from '@app/event-store';
import { ancestryOf, nominationStreamId, type ExistingNomination, type NominationEvent, type WorkingDayCalendar } from '@app/nomination';
import type { ConsumedEvent } from '@app/platform';
import { emptyFold, evolveFold, foldNominationEvents, type NominationFold } from './nomination-fold';
import { messageIdFor, derivedUuid, outboxId, recipientKey } from './notification-ids';
import { notificationsFor, stageEntryOf } from './notification-rules';
import type { StaffRecords } from '@app/records';
import type { NewOutboxEntry, NotificationIntent, Recipient, RecordedChain } from './notification.types';
import { outboxAncestry } from './outbox-ancestry';
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

/** What a batch's dispatch reads before it writes. */
export interface DispatchRead {
  /**
   * The retention horizon: events at or below it were dispatched before and their sent rows may be
   * purged; handled again (a rewound checkpoint), they must not re-create those rows, which would send
   * them again.
   */
  readonly purgedThrough: bigint | undefined;
}

/** Events that end a stage visit: the reminders of any other visit are dropped. */
const MOVES = new Set<NominationEvent['type']>([
  'NominationSubmitted', 'NominationReturned', 'StageApproved', 'NominationApproved', 'NominationRejected', 'NominationWithdrawn',
]);

const CACHE_LIMIT = 20_000;

/** The dispatcher's name as a durable consumer (its checkpoint row): persisted, never rename. */
export const DISPATCHER_NAME = 'notification-dispatcher';

/** The nomination's unit chain as its NominationCreated recorded it (`ancestry`; a version-1 event's route). */
export function recordedChainOf(nomination: ExistingNomination): RecordedChain {
  return { codeSet: nomination.codeSet, proposingUnit: nomination.proposingUnit, units: ancestryOf(nomination).map((unit) => unit.unit) };
}

/**
 * Turns recipients of one intent into outbox rows; ids derive from the source and the recipient. A row
 * belongs to its staff recipient's unit, or, for a nominee's own address, to the proposing unit; its
 * admins are those of that unit and of the units above it as `chain` recorded them (outboxAncestry).
 */
export function outboxEntriesFor(
  intent: NotificationIntent, recipients: readonly Recipient[], source: string, occurredAt: Date, mailFrom: string,
  chain: RecordedChain, sourcePosition?: bigint,
): NewOutboxEntry[] {
  const proposingUnit = { codeSet: chain.codeSet, code: chain.proposingUnit };
  return recipients.map((recipient) => {
    const id = outboxId(source, intent.template, recipientKey(recipient));
    const unit = recipient.unit ?? proposingUnit;
    return {
      id, template: intent.template, source, nominationId: intent.payload.nominationId, recipient, occurredAt,
      delivery: recipient.preference === 'daily_digest' ? 'digest' : 'immediate',
      messageId: messageIdFor(id, mailFrom),
      payload: intent.payload,
      unit, ancestry: outboxAncestry(unit, chain),
      ...(sourcePosition === undefined ? {} : { sourcePosition }),
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
  readonly name = DISPATCHER_NAME;
  /** Folded nominations by stream, so consecutive events of one nomination never re-read it. */
  private readonly folds = new Map<string, NominationFold>();

  constructor(
    private readonly eventStore: EventStore,
    private readonly staffRecords: StaffRecords,
    private readonly outbox: OutboxStore,
    private readonly reminders: ReminderStore,
    private readonly calendar: WorkingDayCalendar,
    private readonly settings: DispatchSettings,
    private readonly defaultCodeSet: () => string,
  ) {}

  /**
   * Writes, through `tx`, what a batch of decoded events owes anyone. Resolves once every statement is
   * sent; `outcome`, what to hand BullMQ after the commit, once they are answered (on a pipelined
   * transaction, with the commit: see ConsumerTransaction).
   */
  async write(tx: Queryable, events: readonly ConsumedEvent[], read?: DispatchRead): Promise<{ readonly outcome: Promise<DispatchOutcome> }> {
    const staff = new StaffRecipients(this.staffRecords, this.defaultCodeSet());
    const { purgedThrough } = read ?? (await this.read(tx));
    const entries: NewOutboxEntry[] = [];
    const newReminders: NewReminder[] = [];
    /** Nominations that left a stage visit in this batch, with the visit they are in after it (last event wins). */
    const moves = new Map<string, string | undefined>();
    for (const recorded of events) {
      if (recorded.category !== 'nomination') continue;
      const event = recorded.event;
      const fold = evolveFold(await this.foldBefore(recorded.entityId, recorded), recorded, event);
      this.remember(recorded.entityId, fold);
      if (fold.state.status === 'none') continue;

      if (purgedThrough === undefined || recorded.position > purgedThrough) {
        for (const intent of notificationsFor(event, fold, this.settings.publicUrl)) {
          const recipients = await staff.resolve(intent.audiences);
          entries.push(...outboxEntriesFor(intent, recipients, recorded.id, recorded.recordedAt, this.settings.mailFrom, recordedChainOf(fold.state), recorded.position));
        }
      }
      if (MOVES.has(event.type)) {
        moves.delete(fold.state.id);
        moves.set(fold.state.id, fold.state.status === 'in_review' ? fold.entryEventId : undefined);
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
    // Sent together, in this order, without waiting for one another's answers. Inserted first, then
    // dropped: a visit begun and left within this batch leaves no live reminder.
    const mailIds = this.outbox.insert(tx, entries);
    const inserted = this.reminders.insert(tx, newReminders);
    const dropped = this.reminders.dropOthers(tx, moves);
    const outcome = Promise.all([mailIds, inserted, dropped]).then(([mails, reminders, gone]) => {
      const droppedIds = new Set(gone);
      return { mailIds: mails, reminders: reminders.filter((r) => !droppedIds.has(r.id)) };
    });
    // Awaited by the caller, perhaps only after the commit: never an unhandled rejection meanwhile.
    outcome.catch(() => undefined);
    return { outcome };
  }

  /** What write() reads before it writes; the consumer reads it with the batch's lock (DurableConsumer.read). */
  async read(tx: Queryable): Promise<DispatchRead> {
    return { purgedThrough: await this.outbox.purgedThrough(tx, await this.eventStore.identity()) };
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
