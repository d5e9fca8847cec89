-- Up Migration

-- GET /nominations reads a narrow, ready-made list item instead of the whole folded state (issue 7,
-- list latency): `summary` is the item without `overdue` (summaryOf() in
-- libs/read-models/src/nominations/nominations.row.ts), written by the nominations projection. Rows
-- projected before this migration get the same value computed here from their state, so the list
-- answers at once, without a rebuild.
ALTER TABLE rm_nominations ADD COLUMN summary jsonb;
UPDATE rm_nominations SET summary = jsonb_build_object(
  'id', id, 'revision', revision, 'position', position::text,
  'ruleSet', state->'ruleSet', 'codeSet', state->'codeSet', 'awardCode', state->'awardCode', 'awardName', state->'awardName'->'vi',
  'year', state->'year',
  'nominee', jsonb_build_object('kind', state->'nominee'->'kind', 'name', state->'nominee'->'name')
    || CASE WHEN state->'nominee'->>'kind' = 'individual' THEN jsonb_build_object('gender', state->'nominee'->'gender') ELSE '{}'::jsonb END
    || CASE WHEN state->'nominee' ? 'organization' THEN jsonb_build_object('organization', state->'nominee'->'organization') ELSE '{}'::jsonb END,
  'proposingUnit', state->'proposingUnit', 'status', state->'status',
  'currentStage', CASE WHEN state->>'status' = 'in_review' THEN jsonb_build_object(
      'unit', state->'currentStage'->'unit', 'unitName', state->'currentStage'->'unitName', 'level', state->'currentStage'->'level',
      'enteredAt', state->'currentStage'->'enteredAt', 'dueOn', state->'currentStage'->'dueOn')
    ELSE 'null'::jsonb END,
  'deciding', jsonb_build_object(
      'unit', state->'route'->((state->>'decidingStageIndex')::int)->'unit',
      'unitName', state->'route'->((state->>'decidingStageIndex')::int)->'unitName',
      'level', state->'route'->((state->>'decidingStageIndex')::int)->'level'),
  'createdAt', state->'createdAt', 'updatedAt', state->'updatedAt');
ALTER TABLE rm_nominations ALTER COLUMN summary SET NOT NULL;

-- The folded state is a few kilobytes of JSON per nomination, compressed on every write: lz4 costs a
-- fraction of the default pglz (a rebuild writes every row). Servers built without lz4 keep pglz.
DO $$
BEGIN
  ALTER TABLE rm_nominations ALTER COLUMN state SET COMPRESSION lz4;
EXCEPTION WHEN OTHERS THEN
  RAISE NOTICE 'lz4 compression not available (%), keeping the default', SQLERRM;
END
$$;

-- Down Migration
ALTER TABLE rm_nominations ALTER COLUMN state SET COMPRESSION default;
ALTER TABLE rm_nominations DROP COLUMN summary;
