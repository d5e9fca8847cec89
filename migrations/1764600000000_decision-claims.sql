-- Up Migration

-- Which decision a nomination is listed on, written before the DecisionIssued event under a per-unit
-- lock, so two decisions can never list the same nomination, even while the first decision's awards
-- are still being completed from the log. A claim whose decision stream was never written (the
-- process died in between) is stale and may be taken over.
CREATE TABLE decision_claims (
  nomination_id uuid        PRIMARY KEY,
  decision_id   uuid        NOT NULL,
  claimed_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX decision_claims_decision ON decision_claims (decision_id);

-- Down Migration
DROP TABLE decision_claims;
