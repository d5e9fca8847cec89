-- Up Migration

-- The reports (GET /reports/awards, GET /reports/stages) are scoped by each nomination's recorded unit
-- chain (issue 12.14). They read it from rm_nominations until now, so every report also waited for the
-- nominations projection; the award statistics and stage timings projections now keep the chain
-- themselves (NominationCreated `ancestry`, lowest unit first). Existing rows get exactly what those
-- projections compute: the chain NominationCreated recorded (version 2 `ancestry`; version 1 `route`,
-- as the codec upcasts it), from the log when it is in this database, else from the nominations read
-- model (its ancestry_units is that chain); a nomination neither knows is counted by nobody.
ALTER TABLE rm_award_facts ADD COLUMN ancestry_units text[];
UPDATE rm_award_facts f SET ancestry_units = CASE
    WHEN e.data IS NOT NULL THEN ARRAY(
      SELECT s.stage->>'unit' FROM jsonb_array_elements(coalesce(e.data->'ancestry', e.data->'route')) WITH ORDINALITY AS s(stage, i) ORDER BY s.i)
    ELSE coalesce(n.ancestry_units, '{}') END
  FROM rm_award_facts x
  LEFT JOIN events e ON e.stream_id = 'nomination-' || x.nomination_id AND e.revision = 0 AND e.type = 'NominationCreated'
  LEFT JOIN rm_nominations n ON n.id = x.nomination_id
  WHERE x.nomination_id = f.nomination_id;
ALTER TABLE rm_award_facts ALTER COLUMN ancestry_units SET NOT NULL;
CREATE INDEX rm_award_facts_ancestry_units ON rm_award_facts USING gin (ancestry_units);

ALTER TABLE rm_stage_nominations ADD COLUMN ancestry_units text[];
UPDATE rm_stage_nominations h SET ancestry_units = CASE
    WHEN e.data IS NOT NULL THEN ARRAY(
      SELECT s.stage->>'unit' FROM jsonb_array_elements(coalesce(e.data->'ancestry', e.data->'route')) WITH ORDINALITY AS s(stage, i) ORDER BY s.i)
    ELSE coalesce(n.ancestry_units, '{}') END
  FROM rm_stage_nominations x
  LEFT JOIN events e ON e.stream_id = 'nomination-' || x.nomination_id AND e.revision = 0 AND e.type = 'NominationCreated'
  LEFT JOIN rm_nominations n ON n.id = x.nomination_id
  WHERE x.nomination_id = h.nomination_id;
ALTER TABLE rm_stage_nominations ALTER COLUMN ancestry_units SET NOT NULL;
CREATE INDEX rm_stage_nominations_ancestry_units ON rm_stage_nominations USING gin (ancestry_units);

-- Down Migration
DROP INDEX rm_stage_nominations_ancestry_units;
ALTER TABLE rm_stage_nominations DROP COLUMN ancestry_units;
DROP INDEX rm_award_facts_ancestry_units;
ALTER TABLE rm_award_facts DROP COLUMN ancestry_units;
