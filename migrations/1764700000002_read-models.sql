-- Up Migration

-- Read models (libs/read-models): derived from the event log by projections in the worker, rebuilt at
-- will (npm run projections:rebuild). Never written by anything else. Each projection's checkpoint is
-- the row 'projection:<name>' of subscription_checkpoints, committed with its rows.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Nominations: list, search, GET /nominations/{id}. `state` is the folded domain state.
CREATE TABLE rm_nominations (
  id             uuid        PRIMARY KEY,
  code_set       text        NOT NULL,
  rule_set       text        NOT NULL,
  award_code     text        NOT NULL,
  year           integer     NOT NULL,
  status         text        NOT NULL,
  proposing_unit text        NOT NULL,
  -- Every unit of the route: jurisdiction is "the route passes through the caller's unit, or the
  -- proposing unit is under it".
  route_units    text[]      NOT NULL,
  current_unit   text,
  current_level  text,
  deciding_unit  text        NOT NULL,
  deciding_level text        NOT NULL,
  due_on         date,
  nominee_kind   text        NOT NULL,
  nominee_name   text        NOT NULL,
  -- The nominee's name lower-cased without diacritics (searchKey() in libs/nomination/src/text.ts);
  -- q is folded the same way and matched word by word with LIKE, served by the trigram index.
  search_key     text        NOT NULL,
  created_at     timestamptz NOT NULL,
  updated_at     timestamptz NOT NULL,
  revision       integer     NOT NULL,
  position       numeric(20) NOT NULL,
  state          jsonb       NOT NULL
);
CREATE INDEX rm_nominations_listing ON rm_nominations (code_set, created_at DESC, id DESC);
CREATE INDEX rm_nominations_route_units ON rm_nominations USING gin (route_units);
CREATE INDEX rm_nominations_proposing_unit ON rm_nominations (code_set, proposing_unit, created_at DESC, id DESC);
CREATE INDEX rm_nominations_search_key ON rm_nominations USING gin (search_key gin_trgm_ops);

-- What waits for whom (GET /inbox). sort_key = due date (or 9999-12-31) | since | id.
CREATE TABLE rm_inbox (
  nomination_id uuid        PRIMARY KEY,
  code_set      text        NOT NULL,
  waiting_for   text,
  unit          text,
  due_on        date,
  since         timestamptz,
  sort_key      text        NOT NULL,
  status        text        NOT NULL,
  row           jsonb       NOT NULL
);
CREATE INDEX rm_inbox_waiting ON rm_inbox (code_set, waiting_for, unit, sort_key) WHERE waiting_for IS NOT NULL;

-- Award statistics: one fact row per nomination not rejected or withdrawn.
CREATE TABLE rm_award_facts (
  nomination_id  uuid    PRIMARY KEY,
  code_set       text    NOT NULL,
  rule_set       text    NOT NULL,
  year           integer NOT NULL,
  proposing_unit text    NOT NULL,
  level          text    NOT NULL,
  award_code     text    NOT NULL,
  award_name     text    NOT NULL,
  nominee_kind   text    NOT NULL,
  gender         text,
  status         text    NOT NULL,
  bonus_amount   bigint  NOT NULL,
  decision_id    text,
  signed_on      date
);
CREATE INDEX rm_award_facts_report ON rm_award_facts (code_set, status, year, proposing_unit);

-- Stage timings: every stay of a nomination at a stage.
CREATE TABLE rm_stage_nominations (
  nomination_id uuid  PRIMARY KEY,
  code_set      text  NOT NULL,
  visits        jsonb NOT NULL
);
CREATE TABLE rm_stage_visits (
  nomination_id         uuid        NOT NULL,
  visit_no              integer     NOT NULL,
  code_set              text        NOT NULL,
  stage_index           integer     NOT NULL,
  unit                  text        NOT NULL,
  unit_name             text        NOT NULL,
  level                 text        NOT NULL,
  entered_at            timestamptz NOT NULL,
  due_on                date        NOT NULL,
  deadline_working_days integer     NOT NULL,
  left_at               timestamptz,
  outcome               text        NOT NULL,
  working_days_spent    integer,
  late                  boolean,
  PRIMARY KEY (nomination_id, visit_no)
);
CREATE INDEX rm_stage_visits_unit ON rm_stage_visits (code_set, unit);

-- Decisions (GET /decisions?unit=&year=).
CREATE TABLE rm_decisions (
  id           uuid        PRIMARY KEY,
  code_set     text        NOT NULL,
  issuing_unit text        NOT NULL,
  number       text        NOT NULL,
  signed_on    date        NOT NULL,
  year         integer     NOT NULL,
  issued_at    timestamptz NOT NULL,
  row          jsonb       NOT NULL
);
CREATE INDEX rm_decisions_listing ON rm_decisions (code_set, issuing_unit, signed_on DESC, id DESC);

-- Down Migration
DROP TABLE rm_decisions;
DROP TABLE rm_stage_visits;
DROP TABLE rm_stage_nominations;
DROP TABLE rm_award_facts;
DROP TABLE rm_inbox;
DROP TABLE rm_nominations;
