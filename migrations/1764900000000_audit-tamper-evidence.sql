-- Up Migration

-- Tamper evidence that does not trust the database (API.md, Audit; ARCHITECTURE.md, last rule).

-- The service's MAC of each event, `<keyId>.<base64url HMAC-SHA-256>` (libs/event-store/src/event-mac.ts),
-- computed outside the database under a key the database never holds. '' for an event written without
-- a key, which verification reports as unsigned.
ALTER TABLE events ADD COLUMN mac text NOT NULL DEFAULT '';
ALTER TABLE events ALTER COLUMN mac DROP DEFAULT;

-- Defence in depth: the log is append-only for every role that cannot switch triggers off. The
-- service itself never updates or deletes an event, so a statement that tries is either a bug or an
-- attack, and both should fail loudly. A superuser (or the table's owner) can still disable the
-- trigger or set session_replication_role = replica: that is the attacker the MACs and seals are for.
-- Operations: run the service as a role that does not own the tables (see README, "Audit trail").
CREATE FUNCTION events_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the event log is append-only: % on events is refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER events_append_only_rows
  BEFORE UPDATE OR DELETE ON events
  FOR EACH ROW EXECUTE FUNCTION events_are_append_only();
CREATE TRIGGER events_append_only_truncate
  BEFORE TRUNCATE ON events
  FOR EACH STATEMENT EXECUTE FUNCTION events_are_append_only();

-- Seals: Ed25519-signed heads of the whole log (libs/audit/src/seal.ts). `body` is the signed seal as
-- API.md describes it (signature included); the columns beside it are copies for lookups, never
-- trusted by verification, which only believes what the signature covers.
--
-- `heads` lists the streams that changed since the previous seal with their newest revision and hash
-- ({"<streamId>": [revision, "hash"]}); the seal signs its SHA-256 (headsDigest), so a stream's own
-- verification can tell that its newest sealed event, or the whole stream, was removed.
CREATE TABLE audit_seals (
  sequence    bigint      PRIMARY KEY CHECK (sequence >= 1),
  position    numeric(20) NOT NULL,
  event_count bigint      NOT NULL,
  body        jsonb       NOT NULL,
  heads       jsonb       NOT NULL,
  sealed_at   timestamptz NOT NULL
);

-- "The newest seal naming this stream": a stream's own verification.
CREATE INDEX audit_seals_heads ON audit_seals USING gin (heads);

-- Down Migration
DROP TABLE audit_seals;
DROP TRIGGER events_append_only_truncate ON events;
DROP TRIGGER events_append_only_rows ON events;
DROP FUNCTION events_are_append_only();
ALTER TABLE events DROP COLUMN mac;
