-- Up Migration

-- What the worker's consumers cost PostgreSQL per event (bench:api, create + approve, pg_stat_statements
-- and perf of the worker's backends).
--
-- Read models updated in place: every event rewrites its nomination's row, but never a column an index
-- reads (id, code_set, created_at, search_key and ancestry_units are fixed at creation), so each update
-- can be HOT (no new entry in any index, the GIN trigram and ancestry ones included) when the row's page
-- has room for the new version. Full pages (fillfactor 100) left two thirds of the updates non-HOT;
-- at 70 a third still were not (rows created together are moved on together, in one batch, whose new
-- versions must all fit beside the old ones until the batch commits); at 50 a page keeps that room.
-- (rm_nominations' state lives in its TOAST table: the heap row is about 1 kB.) The setting applies
-- to pages filled from now on; projections:rebuild rewrites the tables whole and keeps it (the shadow
-- tables copy the live tables' storage parameters).
ALTER TABLE rm_nominations SET (fillfactor = 50);
ALTER TABLE rm_stage_nominations SET (fillfactor = 50);

-- A reminder's id is derived from (entry_event_id, kind) (derivedUuid('reminder', event id, kind) in
-- the dispatcher), so the primary key already refuses a second reminder of the same visit and kind: the
-- unique index was a second copy of that key, written on every insert and every drop. A drop sets the
-- status, which the partial indexes read, so it is never HOT; room on the page keeps the new version
-- beside the old one.
ALTER TABLE notification_reminders DROP CONSTRAINT notification_reminders_entry_event_id_kind_key;
ALTER TABLE notification_reminders SET (fillfactor = 80);

-- No query reads audit_events by event id (the log itself keeps event ids unique); the index cost every
-- insert. NominationCreated's data is compressed on insert: lz4 costs a fraction of pglz.
ALTER TABLE audit_events DROP CONSTRAINT audit_events_event_id_key;
DO $$
BEGIN
  ALTER TABLE audit_events ALTER COLUMN data SET COMPRESSION lz4;
EXCEPTION WHEN OTHERS THEN
  RAISE NOTICE 'lz4 compression not available (%), keeping the default', SQLERRM;
END
$$;

-- Down Migration
ALTER TABLE audit_events ALTER COLUMN data SET COMPRESSION default;
ALTER TABLE audit_events ADD CONSTRAINT audit_events_event_id_key UNIQUE (event_id);
ALTER TABLE notification_reminders RESET (fillfactor);
ALTER TABLE notification_reminders ADD CONSTRAINT notification_reminders_entry_event_id_kind_key UNIQUE (entry_event_id, kind);
ALTER TABLE rm_stage_nominations RESET (fillfactor);
ALTER TABLE rm_nominations RESET (fillfactor);
