-- Up Migration

-- A log copied from another store (npm run store:copy) keeps every event, in order, with its id, stream,
-- revision, content, chain hash and MAC, but not its position: positions belong to each store's log.
-- The seals made on the old log commit to the old positions. So the copy records, for each event it
-- copied, the position it had in the log it came from, and a signed record of the copy; a seal of the
-- old log then still verifies against this one (libs/audit/src/log-migration.ts). Neither table is
-- trusted: a changed source position or record makes the old seal's root or signature fail, as a
-- changed event would.
CREATE TABLE audit_migrated_positions (
  position        numeric(20) PRIMARY KEY,
  source_position numeric(20) NOT NULL
);

-- `body` is the signed migration record: { sourceLog, targetLog, sourceSeal, eventCount, lastPosition,
-- lastSourcePosition, migratedAt, keyId, signature }, the signature Ed25519 over the rest's canonical JSON.
CREATE TABLE audit_log_migrations (
  id          bigserial   PRIMARY KEY,
  source_log  text        NOT NULL,
  body        jsonb       NOT NULL,
  migrated_at timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE audit_log_migrations;
DROP TABLE audit_migrated_positions;
