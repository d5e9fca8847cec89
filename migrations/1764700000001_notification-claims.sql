-- Up Migration

-- While one worker sends a notification it holds a short claim on the row, so a second copy of its job
-- (re-created by the sweeper after Redis lost the first, while the first was still sending) waits
-- instead of sending the same mail at the same time. A claim of a killed worker simply expires.
ALTER TABLE notification_outbox ADD COLUMN claimed_until timestamptz;

-- Down Migration
ALTER TABLE notification_outbox DROP COLUMN claimed_until;
