-- Up Migration

-- The audit trail's read model (API.md, Audit): one row per event of this service's streams, written
-- by the `audit-events` durable consumer in the same transaction as its checkpoint. Positions are
-- numeric(20) like the checkpoints: KurrentDB commit positions are unsigned 64-bit.
CREATE TABLE audit_events (
  position      numeric(20) PRIMARY KEY,
  event_id      uuid        NOT NULL UNIQUE,
  stream_id     text        NOT NULL,
  revision      bigint      NOT NULL,
  type          text        NOT NULL,
  recorded_at   timestamptz NOT NULL,
  actor_id      text,
  actor_name    text,
  actor_unit    text,
  actor_roles   jsonb       NOT NULL,
  nomination_id uuid,
  decision_id   uuid,
  data          jsonb       NOT NULL
);

-- Every filter of GET /audit/events comes with keyset pagination on position.
CREATE INDEX audit_events_nomination ON audit_events (nomination_id, position) WHERE nomination_id IS NOT NULL;
CREATE INDEX audit_events_decision ON audit_events (decision_id, position) WHERE decision_id IS NOT NULL;
CREATE INDEX audit_events_actor ON audit_events (actor_id, position);
CREATE INDEX audit_events_type ON audit_events (type, position);
CREATE INDEX audit_events_recorded_at ON audit_events (recorded_at, position);

-- Jurisdiction: one row per unit whose auditors see the event (every unit a nomination's route passes
-- through and every unit above them; a decision's issuing unit and every unit above it), so that one
-- auditor's events are a walk of this primary key in log order.
CREATE TABLE audit_event_scopes (
  code_set text        NOT NULL,
  unit     text        NOT NULL,
  position numeric(20) NOT NULL,
  PRIMARY KEY (code_set, unit, position)
);

-- The jurisdiction of each stream, fixed by its first event (a route and a code set never change).
CREATE TABLE audit_stream_scopes (
  stream_id text   PRIMARY KEY,
  code_set  text   NOT NULL,
  units     text[] NOT NULL
);

-- Reads of the audit trail are themselves recorded: who, which filter, when, how many rows.
CREATE TABLE audit_reads (
  id          bigserial   PRIMARY KEY,
  at          timestamptz NOT NULL DEFAULT now(),
  actor_id    text        NOT NULL,
  actor_name  text        NOT NULL,
  actor_unit  text        NOT NULL,
  actor_roles jsonb       NOT NULL,
  code_set    text        NOT NULL,
  -- The reader's unit and every unit above it: auditors there see this read.
  scope_units text[]      NOT NULL,
  resource    text        NOT NULL,
  format      text        NOT NULL,
  filter      jsonb       NOT NULL,
  rows        bigint      NOT NULL,
  complete    boolean     NOT NULL
);
CREATE INDEX audit_reads_scope ON audit_reads USING gin (scope_units);
CREATE INDEX audit_reads_actor ON audit_reads (actor_id, id);
CREATE INDEX audit_reads_at ON audit_reads (at);

-- Down Migration
DROP TABLE audit_reads;
DROP TABLE audit_stream_scopes;
DROP TABLE audit_event_scopes;
DROP TABLE audit_events;
