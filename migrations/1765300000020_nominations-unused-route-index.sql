-- Up Migration

-- Since issue 12.14 every read of rm_nominations is scoped by the recorded ancestry (ancestry_units):
-- route_units (and its GIN index) and the proposing-unit listing index serve no query. They cost every
-- write of the projection and a rebuild's index phase, so they go.
DROP INDEX rm_nominations_proposing_unit;
ALTER TABLE rm_nominations DROP COLUMN route_units; -- and rm_nominations_route_units with it

-- Down Migration
ALTER TABLE rm_nominations ADD COLUMN route_units text[];
UPDATE rm_nominations SET route_units = ARRAY(SELECT stage->>'unit' FROM jsonb_array_elements(state->'route') AS stage);
ALTER TABLE rm_nominations ALTER COLUMN route_units SET NOT NULL;
CREATE INDEX rm_nominations_route_units ON rm_nominations USING gin (route_units);
CREATE INDEX rm_nominations_proposing_unit ON rm_nominations (code_set, proposing_unit, created_at DESC, id DESC);
