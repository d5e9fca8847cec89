-- Up Migration

-- The units admins upsert (PUT /units) are cached by every api and worker process (ReferenceDataService).
-- A process compares this counter with the one it loaded at before it uses its copy: the upsert bumps it
-- in the same statement, so a unit re-parented or renamed is seen by every process from the moment the
-- PUT has answered (a time-based cache let another api process route new nominations along the old
-- parent for seconds, and record that ancestry for good).
CREATE TABLE units_version (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  version bigint NOT NULL
);
INSERT INTO units_version (singleton, version) VALUES (true, 0);

-- Down Migration
DROP TABLE units_version;
