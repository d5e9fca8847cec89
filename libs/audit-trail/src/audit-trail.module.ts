import { Module } from '@nestjs/common';
import { WorkflowModule } from '@app/workflow';
import { AuditEventsProjection } from './audit-events.projection';
import { AuditTrailQueries } from './audit-trail.queries';

/** The audit trail's queries, for the api. */
@Module({ imports: [WorkflowModule], providers: [AuditTrailQueries], exports: [AuditTrailQueries] })
export class AuditTrailModule {}

/** The audit trail's read model consumer, for the worker (its ConsumerHost discovers it). */
@Module({ imports: [WorkflowModule], providers: [AuditEventsProjection] })
export class AuditTrailProjectionModule {}
