import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { EVENT_STORE, type EventStore } from '@app/event-store';
import { decide, decisionStreamId, InvalidTransitionError } from '@app/nomination';
import { DECISION_CLAIMS, type DecisionClaims, NominationLockBusy } from '@app/records';
import { CLOCK, type Clock } from './clock';
import { deterministicUuid } from './deterministic-id';
import { foldRecorded, nominationContext, nominationResult, nominationStream, nominationStreamCommand } from './nomination-command';
import { ReferenceDataService } from './reference-data.service';
import { readOrEmpty, runStreamCommand } from './stream-command';
import {
  BulkNominationActionCommand,
  CreateNominationCommand,
  NominationActionCommand,
  type BulkItemResult,
  type NominationResult,
} from './application.commands';

/*
 * The application services of a nomination: each handler reads the clock, builds the context `decide`
 * runs in, and hands the command to runStreamCommand (read, fold, decide, append). Every rule lives in
 * the domain.
 */

@CommandHandler(CreateNominationCommand)
export class CreateNominationHandler implements ICommandHandler<CreateNominationCommand> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly reference: ReferenceDataService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute({ envelope, input }: CreateNominationCommand): Promise<NominationResult> {
    const now = this.clock();
    // Derived from the command id, so a retried create lands on the same stream and is recognised.
    const nominationId = deterministicUuid('nomination', envelope.commandId);
    const { ruleSet: ruleSetId, ...fields } = input;
    const ruleSet = this.reference.ruleSet(ruleSetId, now);
    const actor = this.reference.domainActor(envelope.actor, now);
    const ctx = nominationContext(this.reference, actor, now, await this.reference.directory(), ruleSet.id);
    const command = { type: 'CreateNomination', nominationId, ...fields } as const;
    return nominationResult(nominationId, await runStreamCommand(this.store, nominationStreamCommand(envelope, nominationId, command, ctx, this.config)));
  }
}

/**
 * Commands that take an approved nomination out of a decision's reach. They run under the nomination's
 * guard (DecisionClaims): refused while a decision listing it is being taken, and refused once an
 * issued decision claims it, so a decision never lists a nomination it did not award.
 */
const GUARDED_ACTIONS = new Set<NominationActionCommand['action']['type']>(['WithdrawNomination', 'RejectNomination']);

@CommandHandler(NominationActionCommand)
export class NominationActionHandler implements ICommandHandler<NominationActionCommand> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly reference: ReferenceDataService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(DECISION_CLAIMS) private readonly claims: DecisionClaims,
  ) {}

  async execute({ envelope, nominationId, action }: NominationActionCommand): Promise<NominationResult> {
    const now = this.clock();
    const actor = this.reference.domainActor(envelope.actor, now);
    const ctx = nominationContext(this.reference, actor, now, await this.reference.directory());
    const run = async (claimedBy?: string): Promise<NominationResult> => {
      const command = nominationStreamCommand(envelope, nominationId, action, ctx, this.config);
      return nominationResult(nominationId, await runStreamCommand(this.store, claimedBy === undefined ? command : {
        ...command,
        // After every check of the domain (404, 403, 409 for the status), so the refusal tells nothing
        // to whoever may not act on the nomination.
        decide: (state) => {
          command.decide(state);
          throw new InvalidTransitionError(`This nomination is listed on decision ${claimedBy}, already issued; it can no longer be changed`, {
            reason: 'on_issued_decision', decisionId: claimedBy,
          });
        },
      }));
    };
    if (!GUARDED_ACTIONS.has(action.type)) return run();
    try {
      return await this.claims.withNominationGuard(nominationId, async (claim) => {
        const issued = claim !== undefined && (await readOrEmpty(this.store, decisionStreamId(claim.decisionId))).length > 0;
        return run(issued ? claim.decisionId : undefined);
      });
    } catch (error) {
      if (!(error instanceof NominationLockBusy)) throw error;
      // As above: whatever the caller may not do or see is answered as it would be otherwise.
      decide(foldRecorded(await readOrEmpty(this.store, nominationStream(nominationId))), action, ctx);
      throw new InvalidTransitionError('A decision listing this nomination is being issued right now; it can no longer be changed', {
        reason: 'decision_in_progress',
      });
    }
  }
}

const BULK_CONCURRENCY = 8;

/** Failures that are the service's, not the item's: they fail the whole request instead of one result. */
const WHOLE_REQUEST_FAILURES = new Set(['event_store_unavailable', 'event_store_failure', 'idempotency_key_reused']);

/** Each id is its own NominationActionCommand, with a command id derived from the request's and its own outcome. */
@CommandHandler(BulkNominationActionCommand)
export class BulkNominationActionHandler implements ICommandHandler<BulkNominationActionCommand> {
  constructor(private readonly act: NominationActionHandler) {}

  async execute({ envelope, nominationIds, action }: BulkNominationActionCommand): Promise<readonly BulkItemResult[]> {
    const results: BulkItemResult[] = new Array(nominationIds.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < nominationIds.length) {
        const index = next++;
        const id = nominationIds[index]!;
        const item = { ...envelope, commandId: deterministicUuid(envelope.commandId, id), expectedRevision: undefined };
        try {
          const { view, revision, position } = await this.act.execute(new NominationActionCommand(item, id, action));
          results[index] = { id, ok: true, status: view.status, revision, ...(position !== undefined ? { position: position.toString() } : {}) };
        } catch (error) {
          const code = (error as { code?: unknown }).code;
          if (typeof code !== 'string' || WHOLE_REQUEST_FAILURES.has(code)) throw error;
          results[index] = { id, ok: false, code: code === 'stream_not_found' ? 'not_found' : code, detail: (error as Error).message };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(BULK_CONCURRENCY, nominationIds.length) }, worker));
    return results;
  }
}
