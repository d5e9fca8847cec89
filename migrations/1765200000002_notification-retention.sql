-- Up Migration

-- Retention (NOTIFICATION_RETENTION_DAYS): sent rows, and failed rows once nobody retried them within the
-- retention, are deleted by the worker in small batches.
--
-- `source_position` is the log position of the event a row comes from (NULL for reminders and digests,
-- which are not derived from the log again once fired). A row is purged only when the dispatcher's
-- checkpoint is past it, and the purge records that checkpoint in notification_retention: the dispatcher
-- writes no outbox row for an event at or below it, so an event handled again later (a rewound checkpoint)
-- can never re-create, and re-send, a purged notification.
ALTER TABLE notification_outbox ADD COLUMN source_position bigint;
UPDATE notification_outbox o SET source_position = e.position
  FROM events e
  WHERE o.source ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' AND e.event_id = o.source::uuid;

CREATE INDEX notification_outbox_settled ON notification_outbox ((coalesce(sent_at, failed_at)))
  WHERE status IN ('sent', 'failed') AND delivery <> 'digested';
-- Deleting a digest deletes its items; this also keeps the foreign key's check from scanning the table.
CREATE INDEX notification_outbox_digest ON notification_outbox (digest_id) WHERE digest_id IS NOT NULL;

-- How far the purge has gone, per event store (EventStore.identity()): the dispatcher's checkpoint at the
-- last purge.
CREATE TABLE notification_retention (
  store_id        text        PRIMARY KEY,
  purged_through  bigint      NOT NULL,
  updated_at      timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE notification_retention;
DROP INDEX notification_outbox_digest;
DROP INDEX notification_outbox_settled;
ALTER TABLE notification_outbox DROP COLUMN source_position;
