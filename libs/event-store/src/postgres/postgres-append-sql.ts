import type { ExpectedRevision } from '../event-store.port';
import { GENESIS_HASH } from '../hash-chain';
import type { PreparedEvent } from '../append-validation';

/*
 * An append is one INSERT statement, so it is one round trip and one transaction, and nothing is ever
 * half-written. The statement reads the event the append continues (the stream's last one, or the one
 * at the expected revision), chains the hashes from it and inserts the next revisions. Concurrency is
 * left to the unique key on (stream_id, revision): of two appends continuing the same event, the second
 * waits for the first and fails if it commits. An event id already in the log fails the other unique
 * key. Either failure, or an expected revision that is not there, sends the client to resolveAppend().
 *
 * The position comes from the transaction id. The event continued here was committed before this
 * statement's snapshot, and this transaction takes its id during the statement, so the new positions
 * exceed the previous event's: along a stream, revision order and log order agree. Only a caller's own
 * enclosing transaction that got its id earlier could break that; the CASE below then yields a NULL
 * position, the NOT NULL key refuses the row, and the client retries in a fresh transaction.
 *
 * One append per transaction: a second one in the same transaction would reuse its positions and fail
 * on the primary key. The store runs each append as its own statement, so only a caller driving these
 * statements inside its own transaction could meet that (and nothing would be written).
 */

/**
 * Parameters: $1 stream id, $2 ids, $3 types, $4 data, $5 metadata (canonical JSON), $6 MACs, $7 recorded
 * instants, $8 the chain hashes the service computed (NULL: not computed), $9 expected revision.
 */
const PREVIOUS: Record<'no_stream' | 'exact' | 'any', string> = {
  no_stream: `SELECT -1::bigint AS revision, '${GENESIS_HASH}'::text AS hash, -1::bigint AS position`,
  exact: `SELECT e.revision, e.hash, e.position FROM events e WHERE e.stream_id = $1::text AND e.revision = $9::bigint`,
  any: `SELECT coalesce(l.revision, -1) AS revision, coalesce(l.hash, '${GENESIS_HASH}') AS hash, coalesce(l.position, -1) AS position
    FROM (SELECT 1) AS one
    LEFT JOIN LATERAL (
      SELECT e.revision, e.hash, e.position FROM events e WHERE e.stream_id = $1::text ORDER BY e.revision DESC LIMIT 1
    ) AS l ON true`,
};

const SLOT = 'SELECT pg_current_xact_id()::text::bigint * 100000 AS base';

const COLUMNS = 'position, event_id, stream_id, revision, type, data, metadata, hash, mac, recorded_at';

/*
 * The recorded instant is the service's ($7), chosen before the write so that the MAC can cover it
 * (event-mac.ts); PostgreSQL no longer picks it. The chain hash is still computed here, from the stored
 * previous event; when the service computed it too ($8, which its MAC covers) the two must agree, or
 * the position is NULL and the row refused like any lost race (the service then reads the stream's head
 * again: its idea of the previous hash was not the stored one).
 */
// A single event is passed as plain parameters: parsing array literals costs the server more than
// the rest of the insert.
function singleEventSql(kind: keyof typeof PREVIOUS): string {
  return `WITH previous AS (${PREVIOUS[kind]}), slot AS (${SLOT}),
    link AS (SELECT event_hash(previous.hash, previous.revision + 1, $3::text, $4::text, $5::text) AS hash FROM previous)
  INSERT INTO events (${COLUMNS})
  SELECT CASE WHEN slot.base > previous.position AND ($8::text IS NULL OR link.hash = $8::text) THEN slot.base END,
         $2::uuid, $1::text, previous.revision + 1, $3::text, $4::text::jsonb, $5::text::jsonb,
         link.hash, $6::text, $7::timestamptz
  FROM previous, slot, link
  RETURNING position, revision`;
}

function multiEventSql(kind: keyof typeof PREVIOUS): string {
  return `WITH previous AS (${PREVIOUS[kind]}), slot AS (${SLOT}),
    chain AS (
      SELECT event_hashes(previous.hash, previous.revision + 1, $3::text[], $4::text[], $5::text[]) AS hashes
      FROM previous)
  INSERT INTO events (${COLUMNS})
  SELECT CASE WHEN slot.base > previous.position AND ($8::text[] IS NULL OR chain.hashes = $8::text[]) THEN slot.base + t.ord - 1 END,
         t.id, $1::text, previous.revision + t.ord, t.type, t.data::jsonb, t.metadata::jsonb,
         chain.hashes[t.ord], t.mac, t.recorded_at
  FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[])
    WITH ORDINALITY AS t(id, type, data, metadata, mac, recorded_at, ord)
  CROSS JOIN previous CROSS JOIN slot CROSS JOIN chain
  RETURNING position, revision`;
}

export interface AppendQuery {
  /** Name of the prepared statement: each connection plans each shape once. */
  readonly name: string;
  readonly text: string;
  readonly values: unknown[];
}

const STATEMENTS = new Map<string, string>();

function statement(kind: keyof typeof PREVIOUS, multi: boolean): { name: string; text: string } {
  const name = `event_store_append_${kind}_${multi ? 'many' : 'one'}`;
  let text = STATEMENTS.get(name);
  if (text === undefined) {
    text = multi ? multiEventSql(kind) : singleEventSql(kind);
    STATEMENTS.set(name, text);
  }
  return { name, text };
}

/** What the service decided for each event of an append before writing it. */
export interface AppendStamps {
  /** One stored MAC per event ('' when the store has no authenticator). */
  readonly macs: readonly string[];
  /** One recorded instant per event (ISO 8601). */
  readonly recordedAt: readonly string[];
  /** The chain hashes the service computed and MACed, or undefined when it did not compute them. */
  readonly hashes?: readonly string[];
}

/** Stamps of an append without an authenticator: no MAC, recorded `now` (or as copied). */
export function unsignedStamps(events: readonly PreparedEvent[], now: Date): AppendStamps {
  return {
    macs: events.map((e) => e.recorded?.mac ?? ''),
    recordedAt: events.map((e) => (e.recorded?.at ?? now).toISOString()),
  };
}

/**
 * The INSERT that appends `events` to `streamId`; it returns one row (position, revision) per event
 * (each is recorded at the instant it is given here). A MAC names the revision and chain hash it was
 * computed for, so with MACs the expected revision is never 'any' here.
 */
export function appendQuery(
  streamId: string,
  events: readonly PreparedEvent[],
  expected: ExpectedRevision,
  stamps: AppendStamps = unsignedStamps(events, new Date()),
): AppendQuery {
  const kind = expected === 'no_stream' ? 'no_stream' : expected === 'any' ? 'any' : 'exact';
  const multi = events.length > 1;
  const { macs, recordedAt, hashes } = stamps;
  const values: unknown[] = multi
    ? [streamId, events.map((e) => e.id), events.map((e) => e.type), events.map((e) => e.dataJson), events.map((e) => e.metadataJson), macs, recordedAt, hashes ?? null]
    : [streamId, events[0]!.id, events[0]!.type, events[0]!.dataJson, events[0]!.metadataJson, macs[0]!, recordedAt[0]!, hashes?.[0] ?? null];
  if (kind === 'exact') values.push(expected);
  return { ...statement(kind, multi), values };
}

/**
 * Why an append wrote nothing: the stream's current revision, and whether the append's ids are already
 * in the log as exactly this append (same stream, consecutive revisions in order, same types and data).
 */
export const RESOLVE_APPEND_SQL = `
  SELECT
    (SELECT max(e.revision) FROM events e WHERE e.stream_id = $1::text) AS current_revision,
    count(e.event_id)::int AS found,
    bool_and(e.stream_id = $1::text AND e.type = t.type AND e.data = t.data::jsonb) AS same,
    min(e.revision - t.ord) AS min_shift,
    max(e.revision - t.ord) AS max_shift,
    max(e.position) AS last_position
  FROM unnest($2::uuid[], $3::text[], $4::text[]) WITH ORDINALITY AS t(id, type, data, ord)
  LEFT JOIN events e ON e.event_id = t.id`;

export interface ResolveAppendRow {
  readonly current_revision: string | null;
  readonly found: number;
  readonly same: boolean | null;
  readonly min_shift: string | null;
  readonly max_shift: string | null;
  readonly last_position: string | null;
}

export function resolveAppendValues(streamId: string, events: readonly PreparedEvent[]): unknown[] {
  return [streamId, events.map((e) => e.id), events.map((e) => e.type), events.map((e) => e.dataJson)];
}
