-- Up Migration

-- A consumer's checkpoint row exists from its first start: every batch locks it (SELECT … FOR UPDATE)
-- and checks it is where the runner left it, so a rebuild's swap or a second runner is detected.
-- NULL = nothing handled yet (start of the log).
ALTER TABLE subscription_checkpoints ALTER COLUMN position DROP NOT NULL;

-- Events a consumer kept failing on for a reason that was not transient, and skipped so that it could
-- go on (libs/platform/src/durable-subscriber.ts). For operators: fix the cause, then rebuild.
CREATE TABLE subscription_skipped_events (
  name        text        NOT NULL,
  position    numeric(20) NOT NULL,
  event_id    uuid        NOT NULL,
  stream_id   text        NOT NULL,
  type        text        NOT NULL,
  error       text        NOT NULL,
  skipped_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (name, event_id)
);

-- Down Migration
DROP TABLE subscription_skipped_events;
DELETE FROM subscription_checkpoints WHERE position IS NULL;
ALTER TABLE subscription_checkpoints ALTER COLUMN position SET NOT NULL;
