export { deterministicUuid } from './deterministic-id';
export * from './workflow.commands';
export type { NominationView, DecisionView, HistoryEntry } from './views';
export { ReferenceDataService, type RuleSetSummary } from './reference-data.service';
export { StaffDirectory, type StaffInput, type StaffMember } from './staff-directory';
export { NominationWorkflow, CLOCK, type Clock, nominationStream } from './nomination.workflow';
export { DecisionWorkflow, DecisionRefused, DecisionNumberTaken, decisionStream } from './decision.workflow';
export { WorkflowModule } from './workflow.module';
export { DecisionCompleter } from './decision-completer';
