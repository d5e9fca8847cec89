-- Up Migration

-- The unit a notification belongs to (code set and unit code): its admins, and those of the units above,
-- list and retry it (GET /admin/notifications, POST /admin/notifications/{id}/retry). The staff recipient's
-- unit, or the proposing unit for a nominee's own address, recorded when the row is written. Earlier rows
-- take it from the staff directory and the nominations read model; a row neither knows is listed to nobody.
ALTER TABLE notification_outbox ADD COLUMN code_set text, ADD COLUMN unit text;
UPDATE notification_outbox o SET unit = s.unit, code_set = s.code_set FROM staff s WHERE s.id = o.recipient_id;
UPDATE notification_outbox o SET code_set = n.code_set
  FROM rm_nominations n WHERE o.code_set IS NULL AND o.unit IS NOT NULL AND n.id = o.nomination_id;
UPDATE notification_outbox o SET unit = n.proposing_unit, code_set = n.code_set
  FROM rm_nominations n WHERE o.recipient_id IS NULL AND n.id = o.nomination_id;

-- Down Migration
ALTER TABLE notification_outbox DROP COLUMN unit, DROP COLUMN code_set;
