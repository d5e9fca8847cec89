-- Up Migration

-- GET /audit/events filters by type, actor and time within one auditor's jurisdiction, in log order.
-- Walking the jurisdiction's rows in position order and filtering the events behind them reads every
-- row of the jurisdiction for a rare type or actor, or a late `from` (1.3 s at 1,000,000 events). So
-- the scope rows carry the filtered columns, and each filter has an index led by the jurisdiction:
-- type and actor keep log order inside it (a keyset walk that reads only matching rows); time is a
-- range the planner can take and sort by position when it selects few rows, or skip when it selects
-- many (then the plain walk finds a page at once). Plans: README, "Audit trail: queries and exports".
ALTER TABLE audit_event_scopes ADD COLUMN type text, ADD COLUMN actor_id text, ADD COLUMN recorded_at timestamptz;
UPDATE audit_event_scopes s SET type = e.type, actor_id = e.actor_id, recorded_at = e.recorded_at FROM audit_events e WHERE e.position = s.position;
ALTER TABLE audit_event_scopes ALTER COLUMN type SET NOT NULL, ALTER COLUMN recorded_at SET NOT NULL;
CREATE INDEX audit_event_scopes_type ON audit_event_scopes (code_set, unit, type, position);
CREATE INDEX audit_event_scopes_actor ON audit_event_scopes (code_set, unit, actor_id, position);
CREATE INDEX audit_event_scopes_recorded_at ON audit_event_scopes (code_set, unit, recorded_at) INCLUDE (position);

-- A late `from` would still walk the jurisdiction from its start: recorded time grows with the position,
-- so the first match is far. `recorded_at_max` is the latest recorded time of any event at or before
-- this position (a running maximum, non-decreasing in position): every event recorded at or after
-- `from` lies at or after the first position whose running maximum reaches `from`, found by an index
-- lookup. Exact whatever the clocks did (an event recorded earlier than one before it only makes the
-- bound looser).
ALTER TABLE audit_events ADD COLUMN recorded_at_max timestamptz;
UPDATE audit_events e SET recorded_at_max = m.running FROM (SELECT position, max(recorded_at) OVER (ORDER BY position) AS running FROM audit_events) m
WHERE m.position = e.position;
ALTER TABLE audit_events ALTER COLUMN recorded_at_max SET NOT NULL;
CREATE INDEX audit_events_recorded_at_max ON audit_events (recorded_at_max, position);

-- Served by the scope indexes now: only cost on every write.
DROP INDEX audit_events_actor;
DROP INDEX audit_events_type;
DROP INDEX audit_events_recorded_at;

-- Down Migration
DROP INDEX audit_events_recorded_at_max;
ALTER TABLE audit_events DROP COLUMN recorded_at_max;
CREATE INDEX audit_events_recorded_at ON audit_events (recorded_at, position);
CREATE INDEX audit_events_type ON audit_events (type, position);
CREATE INDEX audit_events_actor ON audit_events (actor_id, position);
DROP INDEX audit_event_scopes_recorded_at;
DROP INDEX audit_event_scopes_actor;
DROP INDEX audit_event_scopes_type;
ALTER TABLE audit_event_scopes DROP COLUMN recorded_at, DROP COLUMN actor_id, DROP COLUMN type;
