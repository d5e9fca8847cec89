import type { QueryResult, QueryResultRow } from 'pg';
import type { Logger } from 'pino';
import type { EventMetadata } from '@app/event-store';
import type { EventCategory, ServiceEvent } from '@app/nomination';

/**
 * The contract between the log and everything derived from it: projections (read models), the
 * notification outbox, the audit read model, the decision completer.
 *
 * How to add a consumer from your own lib, without touching the platform:
 *
 * ```ts
 * @Injectable()
 * @DurableConsumerProvider()          // discovered by ConsumerHost in the worker
 * export class OutboxWriter implements DurableConsumer {
 *   readonly name = 'notifications-outbox';        // stable: checkpoint and lock are keyed by it
 *   readonly categories = ['nomination', 'decision'] as const;
 *   async handle(events: readonly ConsumedEvent[], tx: ConsumerTransaction): Promise<void> {
 *     for (const e of events) {
 *       if (e.category !== 'nomination') continue;
 *       switch (e.event.type) {                       // `e.event` is the typed, current-version event
 *         case 'NominationReturned': await tx.query('INSERT INTO … ON CONFLICT DO NOTHING', [e.id, …]); break;
 *       }
 *     }
 *   }
 * }
 * ```
 * List the class in your Nest module's `providers`, and import that module into the worker's module;
 * the worker's ConsumerHost then runs it (one active instance across all workers, a standby taking
 * over) and the api never does.
 *
 * Guarantees:
 * - Events arrive in log order, in batches, only of the categories asked for, already decoded and
 *   upcasted by the aggregate's codec (`@app/nomination`). The worker reads the log once for all its
 *   consumers: the event objects are shared between consumers, so treat them as read-only. A stored event that cannot be decoded is
 *   logged and skipped (counted in `durable_consumer_skipped_events_total`), never delivered raw.
 * - Everything written through `tx` commits atomically with the consumer's checkpoint: a process
 *   killed at any instant leaves either the whole batch applied and checkpointed, or none of it, so
 *   a projection writing only through `tx` has exactly-once effects. Use `tx` only; do not keep it.
 * - Side effects outside `tx` (appending to the event store, sending mail) happen at least once:
 *   make them idempotent (deterministic ids) or, better, write an outbox row through `tx` and send
 *   from the outbox.
 * - Throwing rolls the batch back; it is retried with backoff. A batch that keeps failing is retried
 *   event by event, and an event that alone keeps failing for a reason that is not transient (the
 *   database and the event store answer) is logged at error level, recorded in
 *   `subscription_skipped_events`, and skipped: one bad event never stops a consumer for good. So throw
 *   for real failures only; an event you do not care about is simply ignored.
 * - A checkpoint belongs to the log it was read from: it is stored with the event store's identity,
 *   and a consumer refuses (logs an error, delivers nothing) a checkpoint of another log or one past its
 *   log's end, until its state is rebuilt from the current log (README, "Switching stores").
 */
export interface DurableConsumer<Read = unknown> {
  /** Unique and stable: the checkpoint and the single-instance lock are keyed by it. */
  readonly name: string;
  /** Stream categories to receive; events of other streams are skipped (and still checkpointed). */
  readonly categories: readonly EventCategory[];
  /**
   * Optional: what a batch must read before it is handled (the current rows of its entities), sent
   * together with the batch's lock on its checkpoint, so both take one round trip; its answer is handed
   * to handle() as `read`. Reads only, and no effect outside `tx`: it may run for a batch that turns out
   * to be fenced off (its checkpoint was moved) and is never handled. handle() must also work without
   * it (`read` undefined: a batch retried event by event).
   */
  read?(events: readonly ConsumedEvent[], tx: ConsumerTransaction): Promise<Read>;
  handle(events: readonly ConsumedEvent[], tx: ConsumerTransaction, context: ConsumerContext, read?: Read): Promise<void>;
}

/** A decoded event with where it sits in the log. Never the raw stored JSON. */
export type ConsumedEvent = ServiceEvent & {
  /** The event's id (UUID): a natural idempotency key for rows derived from it. */
  readonly id: string;
  readonly streamId: string;
  readonly revision: number;
  readonly position: bigint;
  readonly recordedAt: Date;
  readonly metadata: EventMetadata;
  readonly hash: string;
};

/**
 * The open PostgreSQL transaction the batch runs in (committed with the checkpoint by the platform).
 *
 * A DurableSubscriber's transaction is pipelined: a statement is sent when issued, without waiting for
 * the answers of those before it, and statements issued together leave in one write. So issue what
 * does not depend on an answer together (Promise.all), and leave writes to `write`.
 */
export interface ConsumerTransaction {
  query<Row extends QueryResultRow = QueryResultRow>(text: string, values?: readonly unknown[]): Promise<QueryResult<Row>>;
  /**
   * A statement the batch need not wait for (an upsert, an insert): sent at once, and answered before
   * the checkpoint commits, with the commit in the same round trip; its failure fails the batch exactly
   * as a failed query does. The promise never goes unhandled: await it only for its answer, which may
   * also be awaited after handle() has resolved (it then settles once the batch is answered). Every
   * statement is sent before handle() resolves. A transaction that does not pipeline (a rebuild's) has
   * no `write`: send through sendWrite().
   */
  write?<Row extends QueryResultRow = QueryResultRow>(text: string, values?: readonly unknown[]): Promise<QueryResult<Row>>;
}

/**
 * A statement whose answer the caller does not need: through `tx.write` where the transaction
 * pipelines (resolved at once; the batch waits for the answer), otherwise a query awaited here.
 */
export async function sendWrite(tx: ConsumerTransaction, text: string, values?: readonly unknown[]): Promise<void> {
  if (tx.write !== undefined) {
    void tx.write(text, values);
    return;
  }
  await tx.query(text, values);
}

export interface ConsumerContext {
  /** Child logger carrying the consumer's name and the batch's correlation id. */
  readonly logger: Logger;
}
