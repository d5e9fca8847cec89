-- Up Migration

-- The dispatcher drops a moved nomination's scheduled reminders by nomination: without this index every
-- stage move scanned the whole reminder table (quadratic at year-end volume).
CREATE INDEX notification_reminders_nomination ON notification_reminders (nomination_id) WHERE status = 'scheduled';

-- Down Migration
DROP INDEX notification_reminders_nomination;
