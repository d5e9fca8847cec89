import type { Pool, PoolClient, QueryResult, QueryResultRow } from 'pg';
import type { DigestPayload, Locale, NewOutboxEntry, NotificationPayload, OutboxEntry, OutboxStatus, TemplateName, Delivery } from './notification.types';

/** Where SQL goes: the durable subscriber's transaction (the seam's ConsumerTransaction), a client, a pool. */
export interface Queryable {
  query<Row extends QueryResultRow = QueryResultRow>(text: string, values?: readonly unknown[]): Promise<QueryResult<Row>>;
}

/** A pool or client seen as a Queryable. */
export const queryable = (target: Pool | PoolClient): Queryable => ({ query: (text, values) => target.query(text, values as unknown[]) });

interface OutboxRow {
  id: string;
  template: TemplateName;
  delivery: Delivery;
  source: string;
  nomination_id: string | null;
  recipient_id: string | null;
  recipient_email: string;
  recipient_name: string | null;
  locale: Locale;
  message_id: string;
  payload: NotificationPayload | DigestPayload;
  status: OutboxStatus;
  attempts: number;
  last_error: string | null;
  occurred_at: Date;
  created_at: Date;
  sent_at: Date | null;
  failed_at: Date | null;
  code_set: string | null;
  unit: string | null;
  ancestry_units: string[];
}

function toEntry(row: OutboxRow): OutboxEntry {
  return {
    id: row.id, template: row.template, delivery: row.delivery, source: row.source, nominationId: row.nomination_id,
    recipient: { id: row.recipient_id, email: row.recipient_email, name: row.recipient_name },
    locale: row.locale, messageId: row.message_id, payload: row.payload, status: row.status, attempts: row.attempts,
    lastError: row.last_error, occurredAt: row.occurred_at, createdAt: row.created_at, sentAt: row.sent_at, failedAt: row.failed_at,
    unit: row.code_set !== null && row.unit !== null ? { codeSet: row.code_set, code: row.unit } : null,
    ancestry: row.ancestry_units,
  };
}

export interface OutboxPage {
  readonly items: readonly OutboxEntry[];
  readonly nextCursor: string | null;
}

/** A claimed row, another worker's claim still running, or nothing left to send. */
export type ClaimOutcome = OutboxEntry | { readonly busy: true; readonly retryInMs: number } | undefined;

export type RetryOutcome = { readonly ok: true; readonly entry: OutboxEntry } | { readonly ok: false; readonly reason: 'not_found' | 'not_failed'; readonly status?: OutboxStatus };

const COLUMNS = `id, template, delivery, source, nomination_id, recipient_id, recipient_email, recipient_name, locale,
  message_id, payload, status, attempts, last_error, occurred_at, created_at, sent_at, failed_at, code_set, unit, ancestry_units`;

/**
 * Whose notifications an admin sees and retries: those whose recorded chain (`ancestry_units`: the row's
 * unit and the units above it when the row was written, see outboxAncestry) holds the admin's unit, i.e.
 * of their unit and the units under it as the tree stood then, in any code set. A row whose unit is
 * unknown is in no scope.
 */
export interface OutboxScope {
  readonly unit: string;
}

/** SQL for "no scope given, or the row's recorded chain holds the scope's unit", its parameter at $n (GIN-indexed). */
const SCOPED = (n: number): string => `($${n}::text IS NULL OR ancestry_units @> ARRAY[$${n}::text])`;
const scopeParams = (scope: OutboxScope | undefined): [string | null] => [scope?.unit ?? null];

/** Cuts a long SMTP answer or stack to what an operator needs to read in the admin listing. */
const errorText = (message: string): string => message.replace(/\s+/g, ' ').trim().slice(0, 1000);

/**
 * The outbox in PostgreSQL. The row is the truth about a notification: created with its source in
 * one transaction, sent at most once per successful SMTP acceptance, failed only visibly.
 */
export class OutboxStore {
  constructor(private readonly pool: Pool) {}

  /** Writes new rows (ignoring those already there); returns the ids of new rows to be sent on their own. */
  async insert(q: Queryable, entries: readonly NewOutboxEntry[]): Promise<string[]> {
    if (entries.length === 0) return [];
    const { rows } = await q.query<{ id: string; delivery: Delivery }>(
      `INSERT INTO notification_outbox (id, template, delivery, source, nomination_id, recipient_id, recipient_email,
         recipient_name, locale, message_id, payload, occurred_at, source_position, code_set, unit, ancestry_units)
       SELECT id, template, delivery, source, nomination_id, recipient_id, recipient_email, recipient_name, locale, message_id, payload,
         occurred_at, source_position, code_set, unit, ARRAY(SELECT jsonb_array_elements_text(ancestry))
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::uuid[], $6::text[], $7::text[],
         $8::text[], $9::text[], $10::text[], $11::jsonb[], $12::timestamptz[], $13::bigint[], $14::text[], $15::text[], $16::jsonb[])
         AS t (id, template, delivery, source, nomination_id, recipient_id, recipient_email, recipient_name, locale, message_id, payload,
           occurred_at, source_position, code_set, unit, ancestry)
       ON CONFLICT (id) DO NOTHING
       RETURNING id, delivery`,
      [
        entries.map((e) => e.id), entries.map((e) => e.template), entries.map((e) => e.delivery), entries.map((e) => e.source),
        entries.map((e) => e.nominationId), entries.map((e) => e.recipient.id ?? null), entries.map((e) => e.recipient.email),
        entries.map((e) => e.recipient.name ?? null), entries.map((e) => e.recipient.locale), entries.map((e) => e.messageId),
        entries.map((e) => JSON.stringify(e.payload)), entries.map((e) => e.occurredAt.toISOString()),
        entries.map((e) => e.sourcePosition?.toString() ?? null), entries.map((e) => e.unit?.codeSet ?? null), entries.map((e) => e.unit?.code ?? null),
        entries.map((e) => JSON.stringify(e.ancestry)),
      ],
    );
    return rows.filter((r) => r.delivery === 'immediate').map((r) => r.id);
  }

  /** The row, if it exists and (given a scope) belongs to one of the scope's units. */
  async get(id: string, scope?: OutboxScope): Promise<OutboxEntry | undefined> {
    const { rows } = await this.pool.query<OutboxRow>(
      `SELECT ${COLUMNS} FROM notification_outbox WHERE id = $1 AND ${SCOPED(2)}`, [id, ...scopeParams(scope)],
    );
    return rows[0] === undefined ? undefined : toEntry(rows[0]);
  }

  /**
   * Claims a row that still waits to be sent for `claimMs` and counts the attempt. `busy` when another
   * worker's claim is still running (then retry after `retryInMs`); undefined when the row is sent,
   * failed, folded into a digest or does not exist.
   */
  async beginAttempt(id: string, claimMs: number): Promise<ClaimOutcome> {
    return (await this.beginAttempts([id], claimMs))[0]!;
  }

  /**
   * `beginAttempt` for many rows in one statement (the e-mail processor's concurrent jobs claim
   * together). An id asked twice in one call is claimed once: the second asker is told `busy`.
   */
  async beginAttempts(ids: readonly string[], claimMs: number): Promise<ClaimOutcome[]> {
    const { rows } = await this.pool.query<OutboxRow>(
      `UPDATE notification_outbox SET attempts = attempts + 1, claimed_until = now() + make_interval(secs => $2::double precision / 1000)
       WHERE id = ANY($1::uuid[]) AND status = 'pending' AND delivery = 'immediate' AND (claimed_until IS NULL OR claimed_until <= now())
       RETURNING ${COLUMNS}`,
      [ids, claimMs],
    );
    const claimed = new Map(rows.map((row) => [row.id, toEntry(row)]));
    const missed = ids.filter((id) => !claimed.has(id));
    const busy = new Map<string, number>();
    if (missed.length > 0) {
      const { rows: held } = await this.pool.query<{ id: string; left_ms: number }>(
        `SELECT id, extract(epoch FROM claimed_until - now()) * 1000 AS left_ms FROM notification_outbox
         WHERE id = ANY($1::uuid[]) AND status = 'pending' AND delivery = 'immediate' AND claimed_until > now()`,
        [missed],
      );
      for (const row of held) busy.set(row.id, Math.max(50, Math.ceil(Number(row.left_ms))));
    }
    const handed = new Set<string>();
    return ids.map((id) => {
      const entry = claimed.get(id);
      if (entry !== undefined && !handed.has(id)) {
        handed.add(id);
        return entry;
      }
      if (entry !== undefined) return { busy: true, retryInMs: claimMs };
      const left = busy.get(id);
      return left === undefined ? undefined : { busy: true, retryInMs: left };
    });
  }

  /** After the SMTP server accepted the message, never before. Returns false if it was already marked. */
  async markSent(id: string): Promise<boolean> {
    return (await this.markSentMany([id]))[0]!;
  }

  /** `markSent` for many rows accepted by the server, in one statement; true for each row this call marked. */
  async markSentMany(ids: readonly string[]): Promise<boolean[]> {
    const { rows } = await this.pool.query<{ id: string }>(
      `UPDATE notification_outbox SET status = 'sent', sent_at = now(), last_error = NULL, claimed_until = NULL
       WHERE id = ANY($1::uuid[]) AND status = 'pending' RETURNING id`,
      [ids],
    );
    const marked = new Set(rows.map((r) => r.id));
    return ids.map((id) => marked.delete(id));
  }

  async recordTransientFailure(id: string, message: string): Promise<void> {
    await this.pool.query(`UPDATE notification_outbox SET last_error = $2, claimed_until = NULL WHERE id = $1 AND status = 'pending'`, [id, errorText(message)]);
  }

  async markFailed(id: string, message: string): Promise<void> {
    await this.pool.query(
      `UPDATE notification_outbox SET status = 'failed', failed_at = now(), last_error = $2, claimed_until = NULL WHERE id = $1 AND status = 'pending'`,
      [id, errorText(message)],
    );
  }

  /**
   * Puts a failed notification back in line; its attempts start again from zero. Given a scope, a row of
   * a unit outside it is `not_found`, exactly like a missing one.
   */
  async retry(id: string, scope?: OutboxScope): Promise<RetryOutcome> {
    const { rows } = await this.pool.query<OutboxRow>(
      `UPDATE notification_outbox SET status = 'pending', attempts = 0, failed_at = NULL, queued_at = now()
       WHERE id = $1 AND status = 'failed' AND ${SCOPED(2)} RETURNING ${COLUMNS}`,
      [id, ...scopeParams(scope)],
    );
    if (rows[0] !== undefined) return { ok: true, entry: toEntry(rows[0]) };
    const current = await this.get(id, scope);
    return current === undefined ? { ok: false, reason: 'not_found' } : { ok: false, reason: 'not_failed', status: current.status };
  }

  /**
   * Newest first by the time they failed (or were created, for other statuses); keyset-paginated. Given a
   * scope, only rows of its units.
   */
  async list(filter: { status?: OutboxStatus; nominationId?: string; limit: number; cursor?: { at: string; id: string }; scope?: OutboxScope }): Promise<OutboxPage> {
    const timeColumn = filter.status === 'failed' ? 'failed_at' : filter.status === 'sent' ? 'sent_at' : 'created_at';
    // The cursor keeps the sort time to the microsecond, as PostgreSQL stores it: a batch's rows share one
    // created_at (one transaction) or sent_at (one statement), and a JavaScript Date (milliseconds) cut
    // below them, so the rest of such a batch was skipped at every page boundary.
    const { rows } = await this.pool.query<OutboxRow & { sort_at: string }>(
      `SELECT ${COLUMNS}, to_char(${timeColumn} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS sort_at FROM notification_outbox
       WHERE ($1::text IS NULL OR status = $1) AND ($2::uuid IS NULL OR nomination_id = $2) AND delivery <> 'digested'
         AND ($3::timestamptz IS NULL OR (${timeColumn}, id) < ($3::timestamptz, $4::uuid)) AND ${SCOPED(6)}
       ORDER BY ${timeColumn} DESC, id DESC LIMIT $5`,
      [filter.status ?? null, filter.nominationId ?? null, filter.cursor?.at ?? null, filter.cursor?.id ?? null, filter.limit + 1, ...scopeParams(filter.scope)],
    );
    const page = rows.slice(0, filter.limit);
    const last = page[page.length - 1];
    const nextCursor = rows.length > filter.limit && last !== undefined
      ? Buffer.from(JSON.stringify({ at: last.sort_at, id: last.id })).toString('base64url')
      : null;
    return { items: page.map(toEntry), nextCursor };
  }

  /**
   * Rows to hand to BullMQ (again): never queued, or queued longer ago than `olderThan` and still not
   * sent (the job was lost with Redis, or its worker died). Marks them queued now; `requeued` tells the
   * rows that had been handed over before (a job for them may still exist, or be left half-deleted).
   */
  async claimForRequeue(olderThan: Date, limit: number): Promise<{ id: string; requeued: boolean }[]> {
    const { rows } = await this.pool.query<{ id: string; requeued: boolean }>(
      `WITH due AS (
         SELECT id, queued_at FROM notification_outbox
         WHERE status = 'pending' AND delivery = 'immediate' AND (queued_at IS NULL OR queued_at < $1)
         ORDER BY queued_at NULLS FIRST LIMIT $2 FOR UPDATE SKIP LOCKED)
       UPDATE notification_outbox o SET queued_at = now() FROM due WHERE o.id = due.id
       RETURNING o.id, due.queued_at IS NOT NULL AS requeued`,
      [olderThan.toISOString(), limit],
    );
    return rows;
  }

  async markQueued(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.pool.query(`UPDATE notification_outbox SET queued_at = now() WHERE id = ANY($1::uuid[]) AND queued_at IS NULL AND status = 'pending'`, [ids]);
  }

  /** The dispatcher checkpoint at the last purge in this event store: events at or below it write no outbox rows. */
  async purgedThrough(q: Queryable, storeId: string): Promise<bigint | undefined> {
    const { rows } = await q.query<{ purged_through: string }>('SELECT purged_through FROM notification_retention WHERE store_id = $1', [storeId]);
    return rows[0] === undefined ? undefined : BigInt(rows[0].purged_through);
  }

  /**
   * Deletes up to `limit` rows settled before `before` (sent, or failed and not retried since), with the
   * items folded into a deleted digest, in one short transaction. Only rows whose source event the
   * dispatcher (`dispatcher`: its checkpoint in this event store) has passed go, and in the same
   * transaction that checkpoint becomes the store's retention horizon (purgedThrough), below which the
   * dispatcher writes no outbox rows: re-dispatching an old event can never re-create a purged
   * notification and send it again. Rows of an event before this column existed, whose position is
   * unknown, are kept. Returns the number of notifications deleted (0 while the dispatcher has no
   * checkpoint in this store).
   */
  async purgeSettled(dispatcher: string, storeId: string, before: Date, limit: number): Promise<number> {
    return inTransaction(this.pool, async (tx) => {
      // FOR SHARE: the dispatcher cannot move (or be rewound) until this purge has committed its horizon.
      const { rows: checkpoint } = await tx.query<{ position: string | null }>(
        'SELECT position::text AS position FROM subscription_checkpoints WHERE name = $1 AND store_id = $2 FOR SHARE', [dispatcher, storeId],
      );
      const through = checkpoint[0]?.position;
      if (through === undefined || through === null) return 0;
      const { rows: doomed } = await tx.query<{ id: string }>(
        `SELECT o.id FROM notification_outbox o
         WHERE o.status IN ('sent', 'failed') AND o.delivery <> 'digested' AND coalesce(o.sent_at, o.failed_at) < $1
           AND (o.source_position <= $2 OR (o.source_position IS NULL AND (o.source LIKE 'reminder:%' OR o.source LIKE 'digest:%')))
           AND NOT EXISTS (SELECT 1 FROM notification_outbox i WHERE i.digest_id = o.id AND (i.source_position IS NULL OR i.source_position > $2))
         ORDER BY coalesce(o.sent_at, o.failed_at) LIMIT $3 FOR UPDATE SKIP LOCKED`,
        [before.toISOString(), through, limit],
      );
      if (doomed.length === 0) return 0;
      await tx.query(
        `INSERT INTO notification_retention (store_id, purged_through) VALUES ($1, $2)
         ON CONFLICT (store_id) DO UPDATE SET purged_through = greatest(notification_retention.purged_through, excluded.purged_through), updated_at = now()`,
        [storeId, through],
      );
      const ids = doomed.map((r) => r.id);
      // The items of a deleted digest go with it (the foreign key is checked at the end of the statement).
      const { rowCount } = await tx.query(
        `WITH items AS (DELETE FROM notification_outbox WHERE digest_id = ANY($1::uuid[]))
         DELETE FROM notification_outbox WHERE id = ANY($1::uuid[])`,
        [ids],
      );
      return rowCount ?? 0;
    });
  }

  async countByStatus(): Promise<Record<OutboxStatus | 'digest', number>> {
    const { rows } = await this.pool.query<{ status: string; n: string }>(
      `SELECT CASE WHEN delivery = 'digest' THEN 'digest' ELSE status END AS status, count(*) AS n
       FROM notification_outbox WHERE delivery <> 'digested' GROUP BY 1`,
    );
    const counts = { pending: 0, sent: 0, failed: 0, digest: 0 };
    for (const r of rows) counts[r.status as keyof typeof counts] = Number(r.n);
    return counts;
  }
}

export function decodeOutboxCursor(cursor: string): { at: string; id: string } | undefined {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { at?: unknown; id?: unknown };
    if (typeof value.at !== 'string' || Number.isNaN(Date.parse(value.at))) return undefined;
    if (typeof value.id !== 'string' || !/^[0-9a-f-]{36}$/i.test(value.id)) return undefined;
    return { at: value.at, id: value.id };
  } catch {
    return undefined;
  }
}

/** Runs `work` in one transaction on its own connection. */
export async function inTransaction<T>(pool: Pool, work: (tx: Queryable) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(queryable(client));
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
