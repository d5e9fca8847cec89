import { Module } from '@nestjs/common';
import { RecordsModule } from '@app/records';
import { CLOCK, type Clock } from './clock';
import { DecisionCompleter } from './decision-completer';
import { GetDecisionHandler } from './get-decision.handler';
import { IssueDecisionHandler } from './issue-decision.handler';
import { BulkNominationActionHandler, CreateNominationHandler, NominationActionHandler } from './nomination.handlers';
import { ReferenceDataService } from './reference-data.service';
import { RevokeDecisionHandler } from './revoke-decision.handler';
import { StaffDirectory } from './staff-directory';

/** The application layer: a command handler per command (each calls runStreamCommand itself), over the domain and the ports. */
@Module({
  imports: [RecordsModule],
  providers: [
    { provide: CLOCK, useValue: (() => new Date()) satisfies Clock },
    ReferenceDataService,
    StaffDirectory,
    DecisionCompleter,
    CreateNominationHandler,
    NominationActionHandler,
    BulkNominationActionHandler,
    IssueDecisionHandler,
    RevokeDecisionHandler,
    GetDecisionHandler,
  ],
  exports: [RecordsModule, CLOCK, ReferenceDataService, StaffDirectory],
})
export class ApplicationModule {}
