import type { Pool, QueryResultRow } from 'pg';
import { EventStoreUnavailable, InvalidAppend, RevisionConflict, StreamNotFound } from '../event-store.errors';
import type {
  AppendResult,
  CanonicalBatch,
  CanonicalEvent,
  CanonicalPackedBatch,
  CanonicalTextBatch,
  CanonicalTextRow,
  EventStore,
  ExpectedRevision,
  NewEvent,
  ReadAllBatch,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
  SubscriptionHandler,
} from '../event-store.port';
import { prepareAppend, type PreparedEvent } from '../append-validation';
import { instantFromEpochText, type EventAuthenticator } from '../event-mac';
import { canonicalJsonText, chainHashOfText, GENESIS_HASH } from '../hash-chain';
import { PostgresAppendNotifier } from './postgres-append-notifier';
import { appendQuery, RESOLVE_APPEND_SQL, resolveAppendValues, unsignedStamps, type AppendQuery, type ResolveAppendRow } from './postgres-append-sql';
import { pgConstraint, pgErrorCode, translateError } from './postgres-errors';
import { PostgresNotificationListener } from './postgres-notification-listener';
import { PostgresSubscription } from './postgres-subscription';

export interface PostgresEventStoreOptions {
  /** LISTEN/NOTIFY channel that appends signal on (default 'event_store'); null: subscribers only poll. */
  readonly notifyChannel?: string | null;
  /** How often a caught-up subscription reads even without a notification (default 500 ms). */
  readonly pollIntervalMs?: number;
  /** Default subscription batch size (default 1000). */
  readonly batchSize?: number;
  /** First delay before the notification listener reconnects (default 100 ms, doubling up to 5 s). */
  readonly listenerReconnectDelayMs?: number;
  /** Computes each event's MAC (event-mac.ts); without one, events are stored unsigned. */
  readonly authenticator?: EventAuthenticator;
  /** The clock that records events (default: this process's). Instants are kept in milliseconds. */
  readonly clock?: () => Date;
  /** Stream heads (revision, hash) remembered so that an append needs no read first (default 10,000). */
  readonly headCacheSize?: number;
}

export const DEFAULT_NOTIFY_CHANNEL = 'event_store';
const DEFAULT_READ_ALL_LIMIT = 500;
const MAX_READ_LIMIT = 10_000;
const MAX_BIGINT = '9223372036854775807';

/*
 * Reading the log without ever skipping an event.
 *
 * Concurrent appends commit in any order, so a reader that simply takes "everything after my
 * checkpoint" can pass an event whose transaction commits a moment later with a lower position. The
 * reader therefore only takes events whose transaction id is below the xmin of its snapshot (the oldest
 * transaction still running): those transactions have all ended, so nothing more can appear among them.
 *
 * That rule alone is not enough when positions come from a sequence, because transactions get their
 * ids in a different order than they draw sequence numbers: a transaction that took its id first can
 * draw its number after a younger one, and commit while the younger one is still running. Its event is
 * below xmin and gets delivered; the younger one's lower position is passed before it ever becomes
 * visible. So the position is derived from the transaction id (id × 100000 + index within the
 * transaction, see the migration), and "below xmin" is then exactly a prefix of the log in position
 * order.
 */
const XMIN_BOUND = 'pg_snapshot_xmin(pg_current_snapshot())';
const COLUMNS = 'position, event_id, stream_id, revision, type, data, metadata, hash, mac, recorded_at';

// The events after $1 that readers may take, at most $2. The inner query is a plain walk of the primary
// key from the checkpoint, stopped at the limit, whatever the planner thinks of the horizon; the outer
// filter then keeps the events below the horizon, which are a prefix of that walk because positions grow
// with transaction ids.
const VISIBLE_AFTER = `(
    SELECT ${COLUMNS}, transaction_id FROM events
    WHERE position > $1
    ORDER BY position
    LIMIT $2
  ) AS next
  WHERE transaction_id < ${XMIN_BOUND}`;

// ORDER BY names the walk's column, never the output's: an output column `position::text` is also
// called "position", and a bare ORDER BY position would sort those texts ('100…' before '99…').
const READ_ALL_SQL = `SELECT ${COLUMNS} FROM ${VISIBLE_AFTER} ORDER BY next.position`;

// The same walk for verification: content as jsonb's own text, parsed by nobody but canonicalJsonText,
// and the recorded instant as exact seconds (extract gives numeric: every microsecond shows).
const CANONICAL_TEXT = 'position::text, event_id::text, stream_id, revision::text, type, data::text, metadata::text, hash, mac, extract(epoch FROM recorded_at)::text';
const READ_ALL_TEXT_SQL = `SELECT ${CANONICAL_TEXT} FROM ${VISIBLE_AFTER} ORDER BY next.position`;

// The same walk as one text per batch (CanonicalPackedBatch): one value to receive and hand on instead
// of ten per event, its UTF-8 in base64, which the client receives as ASCII (decoded many times faster
// than Vietnamese UTF-8) and hands to a thread as it is. Text columns go as JSON strings, so no tab or newline is ever raw in a field; jsonb's
// own text has none either (it escapes them in strings and writes no newlines).
const READ_ALL_PACKED_SQL = `
  SELECT count(*)::int AS count, max(position)::text AS last, encode(convert_to(string_agg(
    position::text || E'\\t' || event_id::text || E'\\t' || to_json(stream_id)::text || E'\\t' || revision::text || E'\\t' ||
    to_json(type)::text || E'\\t' || data::text || E'\\t' || metadata::text || E'\\t' || to_json(hash)::text || E'\\t' ||
    to_json(mac)::text || E'\\t' || extract(epoch FROM recorded_at)::text, E'\\n' ORDER BY next.position), 'UTF8'), 'base64') AS rows
  FROM ${VISIBLE_AFTER}`;

const READ_STREAM_TEXT_SQL = `SELECT ${CANONICAL_TEXT} FROM events WHERE stream_id = $1 ORDER BY events.revision`;

const COMMITTED_HEAD_SQL = 'SELECT max(position) AS position FROM events';

const STREAM_HEAD_SQL = 'SELECT revision, hash FROM events WHERE stream_id = $1 ORDER BY revision DESC LIMIT 1';
const HASH_AT_SQL = 'SELECT hash FROM events WHERE stream_id = $1 AND revision = $2';

const HEAD_SQL = `
  SELECT position FROM events
  WHERE position < ${XMIN_BOUND}::text::bigint * 100000
  ORDER BY position DESC
  LIMIT 1`;

// `until` keeps the stream's prefix recorded at or before the instant, so a clock step backwards can
// never produce a stream with a hole in it.
const READ_STREAM_SQL = `
  SELECT ${COLUMNS} FROM events
  WHERE stream_id = $1
    AND revision <= $2
    AND revision < coalesce(
      (SELECT min(e.revision) FROM events e WHERE e.stream_id = $1 AND e.recorded_at > $3), ${MAX_BIGINT})
  ORDER BY revision`;

interface EventRow extends QueryResultRow {
  readonly position: string;
  readonly event_id: string;
  readonly stream_id: string;
  readonly revision: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: Record<string, unknown>;
  readonly hash: string;
  readonly mac: string;
  readonly recorded_at: Date;
}

// Attempts of one append that keeps losing races it was not party to ('any' against other writers,
// or an enclosing transaction that took its id too early); each attempt is a fresh transaction.
const MAX_APPEND_ATTEMPTS = 10;

// SQLSTATEs of values PostgreSQL would not take that prepareAppend() did not catch.
const INVALID_VALUE_CODES = new Set(['22P02', '22P05', '22021', '54000', '23514']);

/** The append's INSERT was refused in a way resolveAppend() explains (see postgres-append-sql.ts). */
function isRefusal(error: unknown): boolean {
  const code = pgErrorCode(error);
  if (code === '23505') {
    const constraint = pgConstraint(error);
    return constraint === 'events_event_id_key' || constraint === 'events_stream_revision_key';
  }
  return code === '23502' && (error as { column?: unknown }).column === 'position';
}

/**
 * The event store on PostgreSQL (the `events` table and hash functions from migrations/). Takes a pool it
 * does not own: close() stops subscriptions, the notification listener and notifier, and leaves the
 * pool to its creator. While any subscription runs, one pooled connection is held for LISTEN.
 */
export class PostgresEventStore implements EventStore {
  private readonly pollIntervalMs: number;
  private readonly batchSize: number;
  private readonly listener: PostgresNotificationListener | undefined;
  private readonly notifier: PostgresAppendNotifier | undefined;
  private readonly subscriptions = new Set<PostgresSubscription>();
  private identityQuery: Promise<string> | undefined;
  private readonly authenticator: EventAuthenticator | undefined;
  private readonly clock: () => Date;
  /**
   * The newest revision and chain hash known of recently used streams. An event never changes once
   * written, so an entry can be behind but never wrong; an append continuing it needs no read.
   */
  private readonly heads = new Map<string, { revision: number; hash: string }>();
  private readonly headCacheSize: number;
  private closed = false;

  constructor(
    private readonly pool: Pool,
    options: PostgresEventStoreOptions = {},
  ) {
    const channel = options.notifyChannel === undefined ? DEFAULT_NOTIFY_CHANNEL : options.notifyChannel;
    this.pollIntervalMs = options.pollIntervalMs ?? 500;
    this.batchSize = options.batchSize ?? 1000;
    this.authenticator = options.authenticator;
    this.clock = options.clock ?? (() => new Date());
    this.headCacheSize = Math.max(0, options.headCacheSize ?? 10_000);
    if (channel !== null) {
      this.listener = new PostgresNotificationListener(pool, channel, { reconnectDelayMs: options.listenerReconnectDelayMs });
      this.notifier = new PostgresAppendNotifier(pool, channel);
    }
  }

  /** The listener, exposed so tests can watch it reconnect. */
  get notificationListener(): PostgresNotificationListener | undefined {
    return this.listener;
  }

  async append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    this.assertOpen();
    const prepared = prepareAppend(streamId, events, expected);
    for (let attempt = 1; ; attempt++) {
      const planned = await this.appendQueryFor(streamId, prepared, expected);
      let refusal: unknown;
      try {
        const { rows } = planned === undefined ? { rows: [] } : await this.pool.query<{ position: string; revision: string }>(planned.query);
        if (rows.length > 0) {
          const last = rows[rows.length - 1]!;
          if (planned!.lastHash !== undefined) this.rememberHead(streamId, Number(last.revision), planned!.lastHash);
          this.appended();
          return { nextRevision: Number(last.revision), position: BigInt(last.position), written: true, recordedAt: new Date(planned!.lastRecordedAt.getTime()) };
        }
        this.heads.delete(streamId);
      } catch (error) {
        this.heads.delete(streamId);
        if (INVALID_VALUE_CODES.has(pgErrorCode(error) ?? '')) {
          throw new InvalidAppend(`PostgreSQL refused the append to ${streamId}: ${(error as Error).message}`);
        }
        if (!isRefusal(error)) throw translateError(error, `appending to ${streamId}`);
        refusal = error;
      }
      const outcome = await this.resolveAppend(streamId, prepared, expected);
      if (outcome !== 'retry') return outcome;
      if (attempt >= MAX_APPEND_ATTEMPTS) {
        throw new Error(`Append to ${streamId} lost ${attempt} races in a row; giving up`, { cause: refusal });
      }
    }
  }

  /**
   * The INSERT for one attempt, or undefined when the revision it would continue is not there (the
   * append cannot be written: resolveAppend() says why). Each event is recorded at this attempt's
   * instant (or the one it was copied with). With an authenticator the service computes each chain
   * hash and MACs it with the instant (event-mac.ts), so it needs the hash the append continues: known
   * from an earlier read or append of the stream, or read now (one indexed row). A MAC covers the
   * revision the event gets, so an 'any' append reads where the stream is and appends exactly there;
   * losing that race sends it round again like any other lost race.
   */
  private async appendQueryFor(
    streamId: string,
    prepared: readonly PreparedEvent[],
    expected: ExpectedRevision,
  ): Promise<{ query: AppendQuery; lastHash?: string; lastRecordedAt: Date } | undefined> {
    const now = new Date(Math.floor(this.clock().getTime()));
    // The instant the last event is stamped with, which the append therefore need not read back.
    const lastRecordedAt = prepared[prepared.length - 1]!.recorded?.at ?? now;
    const authenticator = this.authenticator;
    if (authenticator === undefined) return { query: appendQuery(streamId, prepared, expected, unsignedStamps(prepared, now)), lastRecordedAt };
    let base: number;
    let previousHash: string;
    try {
      if (expected === 'no_stream') {
        base = -1;
        previousHash = GENESIS_HASH;
      } else if (expected === 'any') {
        const { rows } = await this.pool.query<{ revision: string; hash: string }>({ name: 'event_store_stream_head', text: STREAM_HEAD_SQL, values: [streamId] });
        base = rows[0] === undefined ? -1 : Number(rows[0].revision);
        previousHash = rows[0]?.hash ?? GENESIS_HASH;
      } else {
        base = expected;
        const known = this.heads.get(streamId);
        if (known !== undefined && known.revision === expected) previousHash = known.hash;
        else {
          const { rows } = await this.pool.query<{ hash: string }>({ name: 'event_store_hash_at', text: HASH_AT_SQL, values: [streamId, expected] });
          if (rows[0] === undefined) return undefined;
          previousHash = rows[0].hash;
        }
      }
    } catch (error) {
      throw translateError(error, `appending to ${streamId}`);
    }
    const macs: string[] = [];
    const hashes: string[] = [];
    const recordedAt: string[] = [];
    let hash = previousHash;
    for (let i = 0; i < prepared.length; i++) {
      const event = prepared[i]!;
      const revision = base + 1 + i;
      hash = chainHashOfText(hash, revision, event.type, event.dataJson, event.metadataJson);
      const at = (event.recorded?.at ?? now).toISOString();
      hashes.push(hash);
      recordedAt.push(at);
      // A copied event keeps the MAC it was made with (store-copy.ts); verification checks it as ever.
      macs.push(event.recorded !== undefined ? (event.recorded.mac ?? '') : authenticator.mac({ streamId, revision, id: event.id, type: event.type, hash, recordedAt: at }));
    }
    return { query: appendQuery(streamId, prepared, base < 0 ? 'no_stream' : base, { macs, recordedAt, hashes }), lastHash: hash, lastRecordedAt };
  }

  private rememberHead(streamId: string, revision: number, hash: string): void {
    if (this.headCacheSize === 0) return;
    const known = this.heads.get(streamId);
    if (known !== undefined && known.revision >= revision) return;
    this.heads.delete(streamId);
    this.heads.set(streamId, { revision, hash });
    if (this.heads.size > this.headCacheSize) this.heads.delete(this.heads.keys().next().value!);
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<readonly RecordedEvent[]> {
    this.assertOpen();
    const toRevision = options.toRevision ?? Number.MAX_SAFE_INTEGER;
    if (typeof streamId !== 'string' || streamId === '' || toRevision < 0) throw new StreamNotFound(String(streamId));
    const until = options.until ?? 'infinity';
    try {
      const result = await this.pool.query<EventRow>({
        name: 'event_store_read_stream',
        text: READ_STREAM_SQL,
        values: [streamId, Math.floor(toRevision), until],
      });
      if (result.rows.length === 0) throw new StreamNotFound(streamId);
      const events = result.rows.map(toRecordedEvent);
      const last = events[events.length - 1]!;
      this.rememberHead(streamId, last.revision, last.hash);
      return events;
    } catch (error) {
      throw translateError(error, `reading stream ${streamId}`);
    }
  }

  async readAll(options: ReadAllOptions = {}): Promise<ReadAllBatch> {
    this.assertOpen();
    return this.readBatch(options.after, options.limit ?? DEFAULT_READ_ALL_LIMIT);
  }

  /**
   * readAll() with data and metadata as canonical JSON text, straight from jsonb's text output (the
   * text every reader of this store parses) through canonicalJsonText: no value is built. Rows come as
   * arrays of text, nothing else is parsed but the position.
   */
  async readAllCanonical(options: ReadAllOptions = {}): Promise<CanonicalBatch> {
    const { rows, checkpoint } = await this.readAllCanonicalText(options);
    return { events: rows.map(toCanonicalEvent), checkpoint };
  }

  /** The rows readAllCanonical() canonicalises, as they come: arrays of text, nothing parsed. */
  async readAllCanonicalText(options: ReadAllOptions = {}): Promise<CanonicalTextBatch> {
    this.assertOpen();
    const after = options.after;
    const limit = Math.max(1, Math.min(MAX_READ_LIMIT, Math.floor(options.limit ?? DEFAULT_READ_ALL_LIMIT)));
    let rows: CanonicalRow[];
    try {
      ({ rows } = (await this.pool.query({ name: 'event_store_read_all_text', text: READ_ALL_TEXT_SQL, values: [(after ?? -1n).toString(), limit], rowMode: 'array' })) as unknown as { rows: CanonicalRow[] });
    } catch (error) {
      throw translateError(error, 'reading the log');
    }
    return { rows, checkpoint: rows.length > 0 ? BigInt(rows[rows.length - 1]![0]) : after };
  }

  /** readAllCanonicalText() as one text (CanonicalPackedBatch). */
  async readAllCanonicalPacked(options: ReadAllOptions = {}): Promise<CanonicalPackedBatch> {
    this.assertOpen();
    const after = options.after;
    const limit = Math.max(1, Math.min(MAX_READ_LIMIT, Math.floor(options.limit ?? DEFAULT_READ_ALL_LIMIT)));
    try {
      const { rows } = await this.pool.query<{ count: number; last: string | null; rows: string | null }>({
        name: 'event_store_read_all_packed',
        text: READ_ALL_PACKED_SQL,
        values: [(after ?? -1n).toString(), limit],
      });
      const row = rows[0]!;
      return { count: row.count, rows: row.rows ?? '', checkpoint: row.last === null ? after : BigInt(row.last) };
    } catch (error) {
      throw translateError(error, 'reading the log');
    }
  }

  /** The stream as canonical events, with every recorded instant exact (readStream's Dates keep milliseconds). */
  async readStreamCanonical(streamId: string): Promise<readonly CanonicalEvent[]> {
    this.assertOpen();
    let rows: CanonicalRow[];
    try {
      ({ rows } = (await this.pool.query({ name: 'event_store_read_stream_text', text: READ_STREAM_TEXT_SQL, values: [streamId], rowMode: 'array' })) as unknown as { rows: CanonicalRow[] });
    } catch (error) {
      throw translateError(error, `reading stream ${streamId}`);
    }
    return rows.map(toCanonicalEvent);
  }

  subscribe(handler: SubscriptionHandler, options: SubscribeOptions = {}): Subscription {
    this.assertOpen();
    const subscription: PostgresSubscription = new PostgresSubscription(
      {
        readAll: (after, limit) => this.readBatch(after, limit),
        committedHead: () => this.committedHead(),
        onAppended: (wake) => {
          const removeWake = this.listener?.add(wake);
          return async () => {
            this.subscriptions.delete(subscription);
            await removeWake?.();
          };
        },
      },
      handler,
      { ...options, batchSize: options.batchSize ?? this.batchSize, pollIntervalMs: this.pollIntervalMs },
    );
    this.subscriptions.add(subscription);
    return subscription;
  }

  /**
   * `postgresql:<uuid>`: the uuid is created once per database by the migrations
   * (event_store_identity) and travels with the events table in a dump and restore.
   */
  identity(): Promise<string> {
    this.assertOpen();
    const pending = (this.identityQuery ??= this.pool
      .query<{ id: string }>('SELECT id::text AS id FROM event_store_identity')
      .then(({ rows }) => {
        if (rows[0] === undefined) throw new Error('event_store_identity is empty: run the migrations');
        return `postgresql:${rows[0].id}`;
      })
      .catch((error: unknown) => {
        this.identityQuery = undefined;
        throw translateError(error, 'reading the event store identity');
      }));
    return pending;
  }

  /** Checkpoints in this log are always positions of visible events: the head is the end. */
  /**
   * The last committed event, visible to readers or not yet: a reader's checkpoint can never pass it.
   * (headPosition() may lag behind it while an older transaction anywhere on the server is open.)
   */
  async endPosition(): Promise<bigint | undefined> {
    this.assertOpen();
    try {
      return await this.committedHead();
    } catch (error) {
      throw translateError(error, 'reading the end of the log');
    }
  }

  private async committedHead(): Promise<bigint | undefined> {
    const { rows } = await this.pool.query<{ position: string | null }>({ name: 'event_store_committed_head', text: COMMITTED_HEAD_SQL });
    const position = rows[0]?.position;
    return position === null || position === undefined ? undefined : BigInt(position);
  }

  async headPosition(): Promise<bigint | undefined> {
    this.assertOpen();
    try {
      const result = await this.pool.query<{ position: string }>({ name: 'event_store_head', text: HEAD_SQL });
      return result.rows.length === 0 ? undefined : BigInt(result.rows[0]!.position);
    } catch (error) {
      throw translateError(error, 'reading the head position');
    }
  }

  async ping(): Promise<void> {
    try {
      await this.pool.query('SELECT 1');
    } catch (error) {
      const translated = translateError(error, 'pinging');
      throw translated instanceof EventStoreUnavailable
        ? translated
        : new EventStoreUnavailable(`PostgreSQL event store ping failed: ${String(error)}`, { cause: error });
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    await Promise.all([this.listener?.stop(), this.notifier?.close()]);
  }

  private async readBatch(after: bigint | undefined, limit: number): Promise<ReadAllBatch> {
    const boundedLimit = Math.max(1, Math.min(MAX_READ_LIMIT, Math.floor(limit)));
    try {
      const result = await this.pool.query<EventRow>({
        name: 'event_store_read_all',
        text: READ_ALL_SQL,
        values: [(after ?? -1n).toString(), boundedLimit],
      });
      const events = result.rows.map(toRecordedEvent);
      return { events, checkpoint: events.length > 0 ? events[events.length - 1]!.position : after };
    } catch (error) {
      throw translateError(error, 'reading the log');
    }
  }

  /** Works out why an append wrote nothing: a retry of itself, a conflict, or a race worth retrying. */
  private async resolveAppend(
    streamId: string,
    events: readonly PreparedEvent[],
    expected: ExpectedRevision,
  ): Promise<AppendResult | 'retry'> {
    let row: ResolveAppendRow;
    try {
      const result = await this.pool.query<ResolveAppendRow>({
        name: 'event_store_resolve_append',
        text: RESOLVE_APPEND_SQL,
        values: resolveAppendValues(streamId, events),
      });
      row = result.rows[0]!;
    } catch (error) {
      throw translateError(error, `appending to ${streamId}`);
    }
    const current = row.current_revision === null ? -1 : Number(row.current_revision);
    const expectedShift = expected === 'no_stream' ? -1 : expected === 'any' ? undefined : expected;
    if (row.found === events.length && row.same === true && row.min_shift === row.max_shift) {
      const shift = Number(row.min_shift);
      if (expectedShift === undefined || shift === expectedShift) {
        return { nextRevision: shift + events.length, position: BigInt(row.last_position!), written: false };
      }
    }
    // None of the ids is in the log and the stream is where the caller expects it (or the caller takes
    // any revision): the append lost a race that has since resolved, so it can simply run again.
    if (row.found === 0 && (expectedShift === undefined || expectedShift === current)) return 'retry';
    throw new RevisionConflict(streamId, expected, current < 0 ? 'no_stream' : current);
  }

  private appended(): void {
    this.notifier?.signal();
    for (const subscription of this.subscriptions) subscription.wake();
  }

  private assertOpen(): void {
    if (this.closed) throw new EventStoreUnavailable('The event store has been closed');
  }
}

type CanonicalRow = CanonicalTextRow;

function toCanonicalEvent(row: CanonicalRow): CanonicalEvent {
  const [position, id, streamId, revision, type, data, metadata, hash, mac, recordedAt] = row;
  return {
    id,
    streamId,
    type,
    revision: Number(revision),
    position: BigInt(position),
    hash,
    ...(mac === '' ? {} : { mac }),
    dataJson: canonicalJsonText(data),
    metadataJson: canonicalJsonText(metadata),
    recordedAt: instantFromEpochText(recordedAt),
  };
}

function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    id: row.event_id,
    streamId: row.stream_id,
    type: row.type,
    data: row.data,
    metadata: row.metadata,
    revision: Number(row.revision),
    position: BigInt(row.position),
    recordedAt: row.recorded_at,
    hash: row.hash,
    ...(row.mac === '' ? {} : { mac: row.mac }),
  };
}
