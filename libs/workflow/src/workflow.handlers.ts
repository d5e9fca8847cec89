import { CommandHandler, QueryHandler, type ICommandHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DecisionWorkflow } from './decision.workflow';
import { NominationWorkflow } from './nomination.workflow';
import type { DecisionView } from './views';
import {
  BulkNominationActionCommand,
  CreateNominationCommand,
  GetDecisionQuery,
  IssueDecisionCommand,
  NominationActionCommand,
  RevokeDecisionCommand,
  type BulkItemResult,
  type NominationResult,
} from './workflow.commands';

// Thin bus adapters: every rule lives in the domain and every write path in the workflows.

@CommandHandler(CreateNominationCommand)
export class CreateNominationHandler implements ICommandHandler<CreateNominationCommand> {
  constructor(private readonly workflow: NominationWorkflow) {}
  execute(command: CreateNominationCommand): Promise<NominationResult> {
    return this.workflow.create(command.envelope, command.input);
  }
}

@CommandHandler(NominationActionCommand)
export class NominationActionHandler implements ICommandHandler<NominationActionCommand> {
  constructor(private readonly workflow: NominationWorkflow) {}
  execute(command: NominationActionCommand): Promise<NominationResult> {
    return this.workflow.act(command.envelope, command.nominationId, command.action);
  }
}

@CommandHandler(BulkNominationActionCommand)
export class BulkNominationActionHandler implements ICommandHandler<BulkNominationActionCommand> {
  constructor(private readonly workflow: NominationWorkflow) {}
  execute(command: BulkNominationActionCommand): Promise<readonly BulkItemResult[]> {
    return this.workflow.bulk(command.envelope, command.nominationIds, command.action);
  }
}

@CommandHandler(IssueDecisionCommand)
export class IssueDecisionHandler implements ICommandHandler<IssueDecisionCommand> {
  constructor(private readonly workflow: DecisionWorkflow) {}
  execute(command: IssueDecisionCommand): Promise<DecisionView> {
    return this.workflow.issue(command.envelope, command.input);
  }
}

@CommandHandler(RevokeDecisionCommand)
export class RevokeDecisionHandler implements ICommandHandler<RevokeDecisionCommand> {
  constructor(private readonly workflow: DecisionWorkflow) {}
  execute(command: RevokeDecisionCommand): Promise<DecisionView> {
    return this.workflow.revoke(command.envelope, command.decisionId, command.input);
  }
}

@QueryHandler(GetDecisionQuery)
export class GetDecisionHandler implements IQueryHandler<GetDecisionQuery> {
  constructor(private readonly workflow: DecisionWorkflow) {}
  execute(query: GetDecisionQuery): Promise<DecisionView> {
    return this.workflow.get(query.actor, query.decisionId);
  }
}

export const WORKFLOW_HANDLERS = [
  CreateNominationHandler, NominationActionHandler, BulkNominationActionHandler, IssueDecisionHandler,
  RevokeDecisionHandler, GetDecisionHandler,
];
