import { Injectable } from '@nestjs/common';
import { DurableConsumerProvider } from '@app/platform';
import { ReferenceDataService } from '@app/application';
import { awardStatsProjection } from './award-stats/award-stats.projection';
import { decisionsProjection } from './decisions/decisions.projection';
import { inboxProjection } from './inbox/inbox.projection';
import { nominationsProjection } from './nominations/nominations.projection';
import { ProjectionConsumer } from './projection';
import { stageTimingsProjection } from './stage-timings/stage-timings.projection';

// One class per projection: the worker's ConsumerHost discovers them by the decorator.

@Injectable()
@DurableConsumerProvider()
export class NominationsProjectionConsumer extends ProjectionConsumer<unknown, string> {
  constructor(reference: ReferenceDataService) {
    super(nominationsProjection as never, reference);
  }
}

@Injectable()
@DurableConsumerProvider()
export class InboxProjectionConsumer extends ProjectionConsumer<unknown, string> {
  constructor(reference: ReferenceDataService) {
    super(inboxProjection as never, reference);
  }
}

@Injectable()
@DurableConsumerProvider()
export class AwardStatsProjectionConsumer extends ProjectionConsumer<unknown, string> {
  constructor(reference: ReferenceDataService) {
    super(awardStatsProjection as never, reference);
  }
}

@Injectable()
@DurableConsumerProvider()
export class StageTimingsProjectionConsumer extends ProjectionConsumer<unknown, string> {
  constructor(reference: ReferenceDataService) {
    super(stageTimingsProjection as never, reference);
  }
}

@Injectable()
@DurableConsumerProvider()
export class DecisionsProjectionConsumer extends ProjectionConsumer<unknown, string> {
  constructor(reference: ReferenceDataService) {
    super(decisionsProjection as never, reference);
  }
}

export const PROJECTION_CONSUMERS = [
  NominationsProjectionConsumer, InboxProjectionConsumer, AwardStatsProjectionConsumer, StageTimingsProjectionConsumer, DecisionsProjectionConsumer,
];
