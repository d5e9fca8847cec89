import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { EVENT_STORE, type EventStore } from '@app/event-store';
import { CLOCK, type Clock } from './clock';
import { deterministicUuid } from './deterministic-id';
import { nominationContext, nominationResult, nominationStreamCommand } from './nomination-command';
import { ReferenceDataService } from './reference-data.service';
import { runStreamCommand } from './stream-command';
import {
  BulkNominationActionCommand,
  CreateNominationCommand,
  NominationActionCommand,
  type BulkItemResult,
  type NominationResult,
} from './workflow.commands';

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

@CommandHandler(NominationActionCommand)
export class NominationActionHandler implements ICommandHandler<NominationActionCommand> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly reference: ReferenceDataService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute({ envelope, nominationId, action }: NominationActionCommand): Promise<NominationResult> {
    const now = this.clock();
    const actor = this.reference.domainActor(envelope.actor, now);
    const ctx = nominationContext(this.reference, actor, now, await this.reference.directory());
    return nominationResult(nominationId, await runStreamCommand(this.store, nominationStreamCommand(envelope, nominationId, action, ctx, this.config)));
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
