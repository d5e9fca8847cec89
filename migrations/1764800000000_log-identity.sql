-- Up Migration

-- The identity of the event log this database holds (EventStore.identity() of the PostgreSQL store):
-- created once, it travels with the events table in a dump and restore, and a copy made into another
-- database gets its own. One row.
CREATE TABLE event_store_identity (
  singleton   boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
  id          uuid        NOT NULL DEFAULT gen_random_uuid(),
  created_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO event_store_identity DEFAULT VALUES;

-- Positions mean something only in the log they were read from: each checkpoint (and each record of a
-- skipped event) names that log, the identity of the store the service ran on (postgresql:<uuid>,
-- kurrentdb:<uuid>). A consumer refuses a checkpoint of another log (libs/platform/src/durable-subscriber.ts).
-- Rows stored before this migration have none; a consumer takes such a checkpoint as its store's when
-- it lies within that store's log, and refuses it otherwise.
ALTER TABLE subscription_checkpoints ADD COLUMN store_id text;
ALTER TABLE subscription_skipped_events ADD COLUMN store_id text;

-- Down Migration
ALTER TABLE subscription_skipped_events DROP COLUMN store_id;
ALTER TABLE subscription_checkpoints DROP COLUMN store_id;
DROP TABLE event_store_identity;
