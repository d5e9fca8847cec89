-- Up Migration

-- The number of each revocation decision (hủy bỏ), by the id its number would give an award decision of
-- the revoking unit in the year it was signed (decisionIdFor): a revocation is a decision of its own, so
-- its number is unique among that unit's award decisions and revocations of the year. Written under the
-- revoking unit's lock before the DecisionRevoked event; a row whose revocation was never written (the
-- process died in between) is stale and may be taken over.
CREATE TABLE revocation_numbers (
  number_id     uuid        PRIMARY KEY,
  decision_id   uuid        NOT NULL,
  revocation_id uuid        NOT NULL,
  claimed_at    timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE revocation_numbers;
