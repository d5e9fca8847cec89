import type { StaffRecords } from '@app/records';
import type { Pool } from 'pg';
import { StreamNotFound, type EventStore } from '@app/event-store';
import { nominationStreamId, type ExistingNomination } from '@app/nomination';
import { foldNominationEvents } from './nomination-fold';
import { outboxEntriesFor, recordedChainOf } from './notification-dispatcher';
import { reminderIntent } from './notification-rules';
import { inTransaction, type OutboxStore } from './outbox.store';
import type { ReminderStore } from './reminder.store';
import { StaffRecipients } from './staff-recipients';

export interface ReminderSettings {
  readonly publicUrl: string;
  readonly mailFrom: string;
}

/** The unit above a stage, whose deciders are told when it is overdue. */
export type UnitAbove = (nomination: ExistingNomination, stageIndex: number) => Promise<string | undefined>;

export type ReminderOutcome =
  | { readonly kind: 'fired'; readonly mailIds: readonly string[] }
  | { readonly kind: 'dropped' }
  | { readonly kind: 'skipped' }
  | { readonly kind: 'early'; readonly fireAt: Date };

/**
 * Fires one deadline reminder when its delayed job comes due. It reads the nomination from the log,
 * not from the reminder: only if the nomination is still in review at the same stage visit (same
 * stage, same arrival) are the notifications written; otherwise the reminder is dropped. The outbox
 * rows and the reminder's state change commit together, so a reminder fires at most once.
 */
export class ReminderService {
  constructor(
    private readonly pool: Pool,
    private readonly eventStore: EventStore,
    private readonly staffRecords: StaffRecords,
    private readonly outbox: OutboxStore,
    private readonly reminders: ReminderStore,
    private readonly settings: ReminderSettings,
    private readonly defaultCodeSet: () => string,
    private readonly unitAbove: UnitAbove,
    private readonly clock: () => Date,
  ) {}

  async fire(reminderId: string): Promise<ReminderOutcome> {
    return inTransaction(this.pool, async (tx) => {
      const reminder = await this.reminders.lock(tx, reminderId);
      if (reminder === undefined || reminder.status !== 'scheduled') return { kind: 'skipped' };
      // A job re-created early (another clock, a shorter delay) waits for its time.
      if (reminder.fireAt.getTime() > this.clock().getTime() + 1000) return { kind: 'early', fireAt: reminder.fireAt };
      let fold;
      try {
        fold = foldNominationEvents(await this.eventStore.readStream(nominationStreamId(reminder.nominationId)));
      } catch (error) {
        if (error instanceof StreamNotFound) {
          await this.reminders.settle(tx, reminderId, 'dropped');
          return { kind: 'dropped' };
        }
        throw error;
      }
      const state = fold.state;
      const stillThere = state.status === 'in_review'
        && state.currentStage.index === reminder.stageIndex
        && Date.parse(state.currentStage.enteredAt) === reminder.enteredAt.getTime();
      if (!stillThere) {
        await this.reminders.settle(tx, reminderId, 'dropped');
        return { kind: 'dropped' };
      }
      const above = await this.unitAbove(state, reminder.stageIndex);
      const intent = reminderIntent(reminder.kind, fold, reminder.stageIndex, reminder.dueOn, above, this.settings.publicUrl)!;
      const recipients = await new StaffRecipients(this.staffRecords, this.defaultCodeSet()).resolve(intent.audiences);
      const source = `reminder:${reminder.id}`;
      const mailIds = await this.outbox.insert(tx, outboxEntriesFor(intent, recipients, source, reminder.fireAt, this.settings.mailFrom, recordedChainOf(state)));
      await this.reminders.settle(tx, reminderId, 'fired');
      return { kind: 'fired', mailIds };
    });
  }
}
