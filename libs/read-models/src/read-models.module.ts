import { Module } from '@nestjs/common';
import { ApplicationModule } from '@app/application';
import { AwardsReportHandler } from './award-stats/award-stats.query';
import { ListDecisionsHandler } from './decisions/decisions.query';
import { ReadModelFreshness } from './freshness/read-model-freshness';
import { InboxHandler } from './inbox/inbox.query';
import { ListNominationsHandler, ReadNominationHandler, ReadNominationHistoryHandler } from './nominations/nominations.query';
import { PROJECTION_CONSUMERS } from './projection.consumers';
import { StagesReportHandler } from './stage-timings/stage-timings.query';
import { ProjectionStatus } from './status/projection-status';

export const READ_MODEL_QUERY_HANDLERS = [
  ListNominationsHandler, ReadNominationHandler, ReadNominationHistoryHandler, InboxHandler, ListDecisionsHandler, AwardsReportHandler,
  StagesReportHandler,
];

/**
 * The read side: the projections (run by the worker's ConsumerHost; inert in the api) and the query
 * handlers the api's controllers send queries to.
 */
@Module({
  imports: [ApplicationModule],
  providers: [...PROJECTION_CONSUMERS, ReadModelFreshness, ProjectionStatus, ...READ_MODEL_QUERY_HANDLERS],
  exports: [ReadModelFreshness, ProjectionStatus],
})
export class ReadModelsModule {}
