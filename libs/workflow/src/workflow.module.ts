import { Module } from '@nestjs/common';
import { RecordsModule } from '@app/records';
import { DecisionCompleter } from './decision-completer';
import { DecisionWorkflow } from './decision.workflow';
import { CLOCK, NominationWorkflow, type Clock } from './nomination.workflow';
import { ReferenceDataService } from './reference-data.service';
import { StaffDirectory } from './staff-directory';
import { WORKFLOW_HANDLERS } from './workflow.handlers';

/** The application layer: command and query handlers over the domain and the event store. */
@Module({
  imports: [RecordsModule],
  providers: [
    { provide: CLOCK, useValue: (() => new Date()) satisfies Clock },
    ReferenceDataService,
    StaffDirectory,
    NominationWorkflow,
    DecisionWorkflow,
    DecisionCompleter,
    ...WORKFLOW_HANDLERS,
  ],
  exports: [RecordsModule, CLOCK, ReferenceDataService, StaffDirectory, NominationWorkflow, DecisionWorkflow],
})
export class WorkflowModule {}
