import { Module } from '@nestjs/common';
import { ApplicationModule } from '@app/application';
import { AuditEventsProjection } from './audit-events.projection';
import { AuditTrailQueries } from './audit-trail.queries';

/** The audit trail's queries, for the api. */
@Module({ imports: [ApplicationModule], providers: [AuditTrailQueries], exports: [AuditTrailQueries] })
export class AuditTrailModule {}

/** The audit trail's read model consumer, for the worker (its ConsumerHost discovers it). */
@Module({ imports: [ApplicationModule], providers: [AuditEventsProjection] })
export class AuditTrailProjectionModule {}
