import type { ConsumedEvent, ConsumerTransaction, DurableConsumer } from '../durable-consumer';

/** The table a RowPerEventConsumer writes: one row per event received, no key (a doubled row shows). */
export const rowTableOf = (name: string): string => `fanout_${name.replace(/[^a-z0-9]/giu, '_')}`;

export const createRowTableSql = (name: string): string =>
  `CREATE TABLE IF NOT EXISTS ${rowTableOf(name)} (event_id uuid NOT NULL, position bigint NOT NULL)`;

/**
 * A consumer whose every effect is a row written through the batch's transaction, one per event, in
 * one statement per batch, with a pause between the statement and the commit (so that a kill lands
 * inside batches as well as between them).
 */
export class RowPerEventConsumer implements DurableConsumer {
  readonly categories = ['nomination'] as const;
  constructor(readonly name: string) {}

  async handle(events: readonly ConsumedEvent[], tx: ConsumerTransaction): Promise<void> {
    await tx.query(
      `INSERT INTO ${rowTableOf(this.name)} (event_id, position) SELECT * FROM unnest($1::uuid[], $2::bigint[])`,
      [events.map((e) => e.id), events.map((e) => e.position.toString())],
    );
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 3));
  }
}
