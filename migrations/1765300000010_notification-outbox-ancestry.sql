-- Up Migration

-- Issue 12.14 for the notification outbox: an admin lists and retries the notifications of their unit
-- and of the units under it as the unit tree stood when the nomination was created, never as it stands
-- when they look, so re-parenting a commune neither hands its earlier notifications (addresses,
-- subjects) to its new district's admin nor takes them from its old district's. Each row records the
-- chain: its unit (the staff recipient's, or the proposing unit for a nominee's own address) and the
-- units above it, lowest first, taken from the nomination's recorded ancestry (outboxAncestry in
-- libs/notifications/src/outbox-ancestry.ts). Empty = listed to no admin.
ALTER TABLE notification_outbox ADD COLUMN ancestry_units text[] NOT NULL DEFAULT '{}';

-- Rows about a nomination (events and reminders), exactly as the dispatcher computes them: the chain
-- its NominationCreated recorded (version 2 `ancestry`; version 1 `route`, as the codec upcasts it),
-- from the log when it is in this database, else from the nominations read model (whose ancestry_units
-- is that chain); from the row's unit up when the unit is on it in the same code set, else the unit alone.
UPDATE notification_outbox o SET ancestry_units = CASE
    WHEN c.code_set = o.code_set AND array_position(c.units, o.unit) IS NOT NULL THEN c.units[array_position(c.units, o.unit):]
    ELSE ARRAY[o.unit] END
  FROM (
    SELECT n.id,
      CASE WHEN e.data IS NULL THEN r.code_set ELSE e.data->>'codeSet' END AS code_set,
      CASE WHEN e.data IS NULL THEN r.ancestry_units ELSE ARRAY(
        SELECT s.stage->>'unit' FROM jsonb_array_elements(coalesce(e.data->'ancestry', e.data->'route')) WITH ORDINALITY AS s(stage, i) ORDER BY s.i
      ) END AS units
    FROM (SELECT DISTINCT nomination_id AS id FROM notification_outbox WHERE nomination_id IS NOT NULL) n
    LEFT JOIN events e ON e.stream_id = 'nomination-' || n.id AND e.revision = 0 AND e.type = 'NominationCreated'
    LEFT JOIN rm_nominations r ON r.id = n.id
  ) c
  WHERE o.nomination_id = c.id AND o.unit IS NOT NULL AND o.code_set IS NOT NULL;

-- Daily digests (after their items): the latest item's chain, keeping the units on every item's chain
-- in the digest's code set, so only an admin who sees every item sees the digest (digestAncestry).
UPDATE notification_outbox d SET ancestry_units = coalesce((
    SELECT ARRAY(
      SELECT a.code FROM unnest(l.ancestry_units) WITH ORDINALITY AS a(code, i)
      WHERE NOT EXISTS (
        SELECT 1 FROM notification_outbox m
        WHERE m.digest_id = d.id AND (m.code_set IS DISTINCT FROM d.code_set OR NOT m.ancestry_units @> ARRAY[a.code]))
      ORDER BY a.i)
    FROM (SELECT ancestry_units FROM notification_outbox l WHERE l.digest_id = d.id ORDER BY l.created_at DESC, l.id DESC LIMIT 1) l
  ), '{}')
  WHERE d.template = 'daily_digest' AND d.unit IS NOT NULL;

CREATE INDEX notification_outbox_ancestry ON notification_outbox USING gin (ancestry_units);

-- Down Migration
DROP INDEX notification_outbox_ancestry;
ALTER TABLE notification_outbox DROP COLUMN ancestry_units;
