import type { Queryable } from './outbox.store';
import type { ReminderKind } from './reminder-schedule';

export interface NewReminder {
  readonly id: string;
  readonly kind: ReminderKind;
  readonly nominationId: string;
  readonly entryEventId: string;
  readonly stageIndex: number;
  readonly stageUnit: string;
  readonly enteredAt: Date;
  readonly dueOn: string;
  readonly fireOn: string;
  readonly fireAt: Date;
}

export interface ReminderRecord extends NewReminder {
  readonly status: 'scheduled' | 'fired' | 'dropped';
}

interface ReminderRow {
  id: string; kind: ReminderKind; nomination_id: string; entry_event_id: string; stage_index: number; stage_unit: string;
  entered_at: Date; due_on: string; fire_on: string; fire_at: Date; status: ReminderRecord['status'];
}

const toRecord = (r: ReminderRow): ReminderRecord => ({
  id: r.id, kind: r.kind, nominationId: r.nomination_id, entryEventId: r.entry_event_id, stageIndex: r.stage_index,
  stageUnit: r.stage_unit, enteredAt: r.entered_at, dueOn: r.due_on, fireOn: r.fire_on, fireAt: r.fire_at, status: r.status,
});

const COLUMNS = `id, kind, nomination_id, entry_event_id, stage_index, stage_unit, entered_at, to_char(due_on, 'YYYY-MM-DD') AS due_on,
  to_char(fire_on, 'YYYY-MM-DD') AS fire_on, fire_at, status`;

/** Deadline reminders in PostgreSQL; the delayed BullMQ jobs that fire them are derived from these rows. */
export class ReminderStore {
  /** Returns the reminders actually written (a redelivered event writes none). */
  async insert(q: Queryable, reminders: readonly NewReminder[]): Promise<{ id: string; fireAt: Date }[]> {
    if (reminders.length === 0) return [];
    const { rows } = await q.query<{ id: string; fire_at: Date }>(
      `INSERT INTO notification_reminders (id, kind, nomination_id, entry_event_id, stage_index, stage_unit, entered_at, due_on, fire_on, fire_at)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::uuid[], $5::int[], $6::text[], $7::timestamptz[], $8::date[], $9::date[], $10::timestamptz[])
       ON CONFLICT DO NOTHING RETURNING id, fire_at`,
      [
        reminders.map((r) => r.id), reminders.map((r) => r.kind), reminders.map((r) => r.nominationId), reminders.map((r) => r.entryEventId),
        reminders.map((r) => r.stageIndex), reminders.map((r) => r.stageUnit), reminders.map((r) => r.enteredAt.toISOString()),
        reminders.map((r) => r.dueOn), reminders.map((r) => r.fireOn), reminders.map((r) => r.fireAt.toISOString()),
      ],
    );
    return rows.map((r) => ({ id: r.id, fireAt: r.fire_at }));
  }

  /**
   * Nominations that left a stage visit: each one's scheduled reminders other than those of the visit it
   * is now in (`keepEntryEventId`, none when it is no longer in review) will not fire. One statement for a
   * whole batch of events; returns the ids dropped.
   */
  async dropOthers(q: Queryable, moves: ReadonlyMap<string, string | undefined>): Promise<string[]> {
    if (moves.size === 0) return [];
    const { rows } = await q.query<{ id: string }>(
      `UPDATE notification_reminders r SET status = 'dropped', settled_at = now()
       FROM unnest($1::uuid[], $2::uuid[]) AS m(nomination_id, keep_entry_event_id)
       WHERE r.nomination_id = m.nomination_id AND r.status = 'scheduled'
         AND (m.keep_entry_event_id IS NULL OR r.entry_event_id <> m.keep_entry_event_id)
       RETURNING r.id`,
      [[...moves.keys()], [...moves.values()].map((keep) => keep ?? null)],
    );
    return rows.map((r) => r.id);
  }

  async lock(q: Queryable, id: string): Promise<ReminderRecord | undefined> {
    const { rows } = await q.query<ReminderRow>(`SELECT ${COLUMNS} FROM notification_reminders WHERE id = $1 FOR UPDATE`, [id]);
    return rows[0] === undefined ? undefined : toRecord(rows[0]);
  }

  async settle(q: Queryable, id: string, status: 'fired' | 'dropped'): Promise<void> {
    await q.query(`UPDATE notification_reminders SET status = $2, settled_at = now() WHERE id = $1 AND status = 'scheduled'`, [id, status]);
  }

  /** Scheduled reminders firing before `until` (overdue ones included): their jobs are re-created if Redis lost them. */
  async scheduledBefore(q: Queryable, until: Date, limit = 5000): Promise<{ id: string; fireAt: Date }[]> {
    const { rows } = await q.query<{ id: string; fire_at: Date }>(
      `SELECT id, fire_at FROM notification_reminders WHERE status = 'scheduled' AND fire_at <= $1 ORDER BY fire_at LIMIT $2`,
      [until.toISOString(), limit],
    );
    return rows.map((r) => ({ id: r.id, fireAt: r.fire_at }));
  }
}
