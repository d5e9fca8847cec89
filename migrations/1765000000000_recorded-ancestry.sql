-- Up Migration

-- Issue 12.14: who reads a nomination or a decision is fixed when it is recorded, by the unit ancestry
-- its first event holds (NominationCreated.ancestry, DecisionIssued.issuerAncestry), never by the unit
-- tree of the moment the read happens, so re-parenting a unit does not widen who reads older records.
--
-- Every event written before this migration is of the version that did not record an ancestry; the
-- codec reads such a nomination's ancestry as its route and such a decision's as its issuing unit, so
-- these backfills are exactly what a rebuild from the log produces.

-- The proposing unit and every unit above it at creation (route_units is its first entries).
ALTER TABLE rm_nominations ADD COLUMN ancestry_units text[];
UPDATE rm_nominations SET ancestry_units = route_units;
ALTER TABLE rm_nominations ALTER COLUMN ancestry_units SET NOT NULL;
CREATE INDEX rm_nominations_ancestry_units ON rm_nominations USING gin (ancestry_units);

-- The issuing unit and every unit above it when the decision was issued.
ALTER TABLE rm_decisions ADD COLUMN issuer_ancestry text[];
UPDATE rm_decisions SET issuer_ancestry = ARRAY[issuing_unit];
ALTER TABLE rm_decisions ALTER COLUMN issuer_ancestry SET NOT NULL;
CREATE INDEX rm_decisions_issuer_ancestry ON rm_decisions USING gin (issuer_ancestry);

-- Down Migration
DROP INDEX rm_decisions_issuer_ancestry;
ALTER TABLE rm_decisions DROP COLUMN issuer_ancestry;
DROP INDEX rm_nominations_ancestry_units;
ALTER TABLE rm_nominations DROP COLUMN ancestry_units;
