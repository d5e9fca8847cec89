-- Up Migration

-- The hash chain is SHA-256 over UTF-8 text, and the data is Vietnamese: refuse any other encoding.
DO $$
BEGIN
  IF current_setting('server_encoding') <> 'UTF8' THEN
    RAISE EXCEPTION 'the event store needs a UTF8 database, this one is %', current_setting('server_encoding');
  END IF;
END
$$;

-- The event log. Appends are single INSERT statements built in
-- libs/event-store/src/postgres/postgres-append-sql.ts; the unique keys below are what enforces
-- optimistic concurrency (one revision per stream) and idempotency (one event per id).
--
-- `position` is the global order: the writing transaction's id × 100000 + the event's index within
-- that transaction. Deriving it from the transaction id rather than from a sequence is what makes
-- "every event whose transaction is older than the oldest one still running" a final prefix of the log
-- in position order, which is how readers avoid skipping late commits (see postgres-event-store.ts).
-- Operations: transaction ids must keep growing. pg_upgrade and physical replicas keep them; a logical
-- dump restored into a new cluster does not, so advance the new cluster's next transaction id past the
-- old one's (pg_resetwal -e/-x) before the first append, or new events would sort before old ones.
CREATE TABLE events (
  position       bigint      NOT NULL,
  transaction_id xid8        NOT NULL DEFAULT pg_current_xact_id(),
  event_id       uuid        NOT NULL,
  stream_id      text        NOT NULL CHECK (char_length(stream_id) BETWEEN 1 AND 200),
  revision       bigint      NOT NULL CHECK (revision >= 0),
  type           text        NOT NULL CHECK (char_length(type) BETWEEN 1 AND 100),
  data           jsonb       NOT NULL,
  metadata       jsonb       NOT NULL,
  -- chainHash(previous event's hash, {type, data, metadata, revision}) from hash-chain.ts, hex.
  hash           text        NOT NULL,
  -- Millisecond precision, so a recordedAt read into a JavaScript Date and passed back as `until`
  -- selects the event it came from.
  recorded_at    timestamptz NOT NULL,
  CONSTRAINT events_pkey PRIMARY KEY (position),
  CONSTRAINT events_event_id_key UNIQUE (event_id),
  CONSTRAINT events_stream_revision_key UNIQUE (stream_id, revision),
  CONSTRAINT events_position_from_transaction CHECK (position / 100000 = transaction_id::text::bigint)
);

-- The hash chain's link, exactly as chainHash() in hash-chain.ts computes it: SHA-256 over the previous
-- hash followed by the canonical JSON of {data, metadata, revision, type} (keys in that sorted order).
-- p_data and p_metadata are the canonicalJson() text the client sent, hashed verbatim; the same text is
-- stored as jsonb, which reads back into values whose canonicalJson() is that text again.
-- A one-expression SQL function: the planner inlines it into the appending INSERT.
CREATE FUNCTION event_hash(p_previous text, p_revision bigint, p_type text, p_data text, p_metadata text)
RETURNS text LANGUAGE sql STABLE PARALLEL SAFE
RETURN encode(sha256(convert_to(
  p_previous || '{"data":' || p_data || ',"metadata":' || p_metadata || ',"revision":' || p_revision
    || ',"type":' || to_json(p_type)::text || '}',
  'UTF8')), 'hex');

-- The chain over several events appended together, each link hashing the one before.
CREATE FUNCTION event_hashes(p_previous text, p_first_revision bigint, p_types text[], p_data text[], p_metadata text[])
RETURNS text[] LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
  v_hash   text := p_previous;
  v_hashes text[] := ARRAY[]::text[];
BEGIN
  FOR i IN 1 .. coalesce(cardinality(p_types), 0) LOOP
    v_hash := event_hash(v_hash, p_first_revision + i - 1, p_types[i], p_data[i], p_metadata[i]);
    v_hashes := v_hashes || v_hash;
  END LOOP;
  RETURN v_hashes;
END
$$;

-- Down Migration
DROP FUNCTION event_hashes(text, bigint, text[], text[], text[]);
DROP FUNCTION event_hash(text, bigint, text, text, text);
DROP TABLE events;
