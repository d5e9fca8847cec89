// Public surface of @app/read-models: the projections, their queries and the rebuild.
export { ReadModelsModule } from './read-models.module';
export { applyBatch, checkpointNameOf, type Projection, ProjectionConsumer, type ProjectionContext, type TableNames } from './projection';
export { PROJECTIONS, projectionNamed } from './projections';
export { PROJECTION_CONSUMERS } from './projection.consumers';
export * from './read-models.queries';
export type { AwardsReport, AwardsReportRow, StagesReport, StagesReportRow } from './reports.types';
export type { Page, PageOf } from './cursor';
export type { NominationSummary } from './nominations/nominations.row';
export { listNominationsSql } from './nominations/nominations.query';
export { type Jurisdiction } from './jurisdiction';
export type { InboxItem } from './inbox/inbox.query';
export type { DecisionSummary } from './decisions/decisions.query';
export { READ_MODEL_ERROR_CODES, ReadModelBehind, ReadModelFreshness, type ReadModelErrorCode } from './freshness/read-model-freshness';
export { csvField, toCsv, UTF8_BOM } from './csv';
export { rebuildProjection, rebuildProjections, type RebuildOptions, type RebuildProgress, type RebuildResult, type RebuildWorkers } from './rebuild/rebuild';
export { runRebuildShard, type ShardMessage, type ShardTask } from './rebuild/rebuild-shard';
export { LAG_SCAN_LIMIT, type ProjectionState, ProjectionStatus } from './status/projection-status';
