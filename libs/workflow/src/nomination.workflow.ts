import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { EVENT_STORE, StreamNotFound, type EventMetadata, type EventStore, type RecordedEvent } from '@app/event-store';
import {
  canView,
  decide,
  evolve,
  initialNominationState,
  nominationCodec,
  nominationStreamId,
  NotFoundError,
  type Actor,
  type ExistingNomination,
  type NominationCommand,
  type NominationEvent,
  type NominationState,
  type UnitDirectory,
} from '@app/nomination';
import { deterministicUuid } from './deterministic-id';
import { toNominationView } from './nomination-view';
import { ReferenceDataService } from './reference-data.service';
import { runStreamCommand, type StreamCommandResult } from './stream-command';
import type {
  AsOf,
  BulkItemResult,
  CommandEnvelope,
  CreateNominationInput,
  NominationAction,
  NominationResult,
} from './workflow.commands';

export const CLOCK = Symbol('CLOCK');
export type Clock = () => Date;

export const nominationStream = nominationStreamId;

/** Event metadata: who acted, for which request, from where. Kept on every event for the audit trail. */
export function commandMetadata(envelope: CommandEnvelope, actor: Actor): EventMetadata {
  return {
    actor: { id: actor.id, name: actor.name, unit: actor.unit, codeSet: actor.codeSet, roles: actor.roles },
    correlationId: envelope.correlationId,
    ...(envelope.clientIp !== undefined ? { clientIp: envelope.clientIp } : {}),
    ...(envelope.userAgent !== undefined ? { userAgent: envelope.userAgent } : {}),
    ...(envelope.requestFingerprint !== undefined ? { requestFingerprint: envelope.requestFingerprint } : {}),
  };
}

/** Folds a nomination stream as read from the store. */
export function foldRecorded(events: readonly RecordedEvent[]): NominationState {
  return events.reduce((state, e) => evolve(state, nominationCodec.decode(e)), initialNominationState);
}

const BULK_CONCURRENCY = 8;

/** The nomination already holds the most events allowed (NOMINATION_MAX_EVENTS): nothing was written. */
export class NominationTooManyEvents extends Error {
  readonly code = 'nomination_too_many_events';
  constructor(readonly details: { readonly limit: number }) {
    super(`This nomination has reached its limit of ${details.limit} recorded changes; ask an administrator.`);
  }
}

/** The nomination's recorded data would pass NOMINATION_MAX_BYTES: nothing was written. */
export class NominationTooLarge extends Error {
  readonly code = 'nomination_too_large';
  constructor(readonly details: { readonly limitBytes: number }) {
    super(`This change would take the nomination's recorded data past ${details.limitBytes} bytes.`);
  }
}

/** Commands that carry out a decision already written: never refused for size, or the registers would disagree. */
const UNBOUNDED_COMMANDS = new Set<NominationCommand['type']>(['AwardNomination', 'RevokeAward']);

function dataBytes(data: unknown): number {
  return Buffer.byteLength(JSON.stringify(data ?? null), 'utf8');
}

/** Nomination commands and reads; every write goes through runStreamCommand. */
@Injectable()
export class NominationWorkflow {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly reference: ReferenceDataService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Every nomination is bounded in events and bytes, with defaults no real dossier reaches: one user
   * PATCHing a draft in a loop must not grow a stream every later read has to fold.
   */
  private checkBounds(command: NominationCommand, recorded: readonly RecordedEvent[], events: readonly NominationEvent[]): void {
    if (UNBOUNDED_COMMANDS.has(command.type)) return;
    const maxEvents = this.config.nominationMaxEvents;
    if (recorded.length + events.length > maxEvents) throw new NominationTooManyEvents({ limit: maxEvents });
    const maxBytes = this.config.nominationMaxBytes;
    let bytes = 0;
    for (const event of events) bytes += dataBytes(event.data);
    if (bytes > maxBytes) throw new NominationTooLarge({ limitBytes: maxBytes });
    for (const event of recorded) {
      bytes += dataBytes(event.data);
      if (bytes > maxBytes) throw new NominationTooLarge({ limitBytes: maxBytes });
    }
  }

  async create(envelope: CommandEnvelope, input: CreateNominationInput): Promise<NominationResult> {
    const now = this.clock();
    // Derived from the command id, so a retried create lands on the same stream and is recognised.
    const nominationId = deterministicUuid('nomination', envelope.commandId);
    const { ruleSet: ruleSetId, ...fields } = input;
    const ruleSet = this.reference.ruleSet(ruleSetId, now);
    return this.run(envelope, nominationId, { type: 'CreateNomination', nominationId, ...fields }, now, ruleSet.id);
  }

  async act(envelope: CommandEnvelope, nominationId: string, action: NominationAction): Promise<NominationResult> {
    return this.run(envelope, nominationId, action, this.clock());
  }

  /** Awards and revocations, on behalf of the decision's signer (see DecisionWorkflow). */
  async applyFromDecision(
    envelope: CommandEnvelope,
    nominationId: string,
    command: Extract<NominationCommand, { type: 'AwardNomination' | 'RevokeAward' }>,
  ): Promise<NominationResult> {
    return this.run(envelope, nominationId, command, this.clock());
  }

  async bulk(
    envelope: CommandEnvelope,
    nominationIds: readonly string[],
    action: NominationAction,
  ): Promise<BulkItemResult[]> {
    const results: BulkItemResult[] = new Array(nominationIds.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < nominationIds.length) {
        const index = next++;
        const id = nominationIds[index]!;
        try {
          const { view, revision, position } = await this.act(
            { ...envelope, commandId: deterministicUuid(envelope.commandId, id), expectedRevision: undefined },
            id,
            action,
          );
          results[index] = { id, ok: true, status: view.status, revision, ...(position !== undefined ? { position: position.toString() } : {}) };
        } catch (error) {
          const code = (error as { code?: unknown }).code;
          if (typeof code !== 'string' || code === 'event_store_unavailable' || code === 'event_store_failure' || code === 'idempotency_key_reused') throw error;
          results[index] = { id, ok: false, code: code === 'stream_not_found' ? 'not_found' : code, detail: (error as Error).message };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(BULK_CONCURRENCY, nominationIds.length) }, worker));
    return results;
  }

  async get(authActor: CommandEnvelope['actor'], nominationId: string, at: AsOf = {}): Promise<NominationResult> {
    const actor = this.reference.domainActor(authActor, this.clock());
    const events = await this.readVisible(actor, nominationId, at);
    const state = foldRecorded(events) as ExistingNomination;
    return { view: toNominationView(state, events.length - 1), revision: events.length - 1 };
  }

  private async readVisible(actor: Actor, nominationId: string, at: AsOf): Promise<readonly RecordedEvent[]> {
    const notFound = new NotFoundError(`Nomination ${nominationId} not found`);
    let all: readonly RecordedEvent[];
    try {
      all = await this.store.readStream(nominationStream(nominationId));
    } catch (error) {
      if (error instanceof StreamNotFound) throw notFound;
      throw error;
    }
    // Jurisdiction is judged on the nomination as it is now, even when an older revision is asked for.
    if (!canView(actor, foldRecorded(all), await this.reference.directory())) throw notFound;
    const events = all.filter(
      (e) => (at.revision === undefined || e.revision <= at.revision) && (at.asOf === undefined || e.recordedAt <= at.asOf),
    );
    if (events.length === 0) throw new NotFoundError(`Nomination ${nominationId} did not exist at that point`);
    return events;
  }

  /** The context `decide` runs in for this actor now (also used to check a decision's effects before writing it). */
  contextFor(actor: Actor, now: Date, directory: UnitDirectory) {
    return { now, actor, ruleSet: this.reference.ruleSet(undefined, now), directory, calendar: this.reference.calendar, codeSets: this.reference.data.codeSets };
  }

  private async run(
    envelope: CommandEnvelope,
    nominationId: string,
    command: NominationCommand,
    now: Date,
    ruleSetId?: string,
  ): Promise<NominationResult> {
    const actor = this.reference.domainActor(envelope.actor, now);
    const directory: UnitDirectory = await this.reference.directory();
    const ruleSet = this.reference.ruleSet(ruleSetId, now);
    const ctx = { now, actor, ruleSet, directory, calendar: this.reference.calendar, codeSets: this.reference.data.codeSets };
    const result: StreamCommandResult<NominationState> = await runStreamCommand<NominationState, NominationEvent>(this.store, {
      streamId: nominationStream(nominationId),
      codec: nominationCodec,
      initialState: initialNominationState,
      evolve,
      decide: (state) => decide(state, command, ctx),
      guard: (state) => {
        // A successor unit revoking an abolished unit's award acts outside that code set; decide() checks it.
        const bySuccessor = command.type === 'RevokeAward' && state.status !== 'none' && command.revokingUnit.codeSet !== state.codeSet;
        if (command.type !== 'CreateNomination' && !bySuccessor && !canView(actor, state, directory)) {
          throw new NotFoundError(`Nomination ${nominationId} not found`);
        }
      },
      beforeAppend: (recorded, events) => this.checkBounds(command, recorded, events),
      commandId: envelope.commandId,
      metadata: commandMetadata(envelope, actor),
      ...(envelope.expectedRevision !== undefined ? { expectedRevision: envelope.expectedRevision } : {}),
      ...(envelope.receivedAt !== undefined ? { receivedAt: envelope.receivedAt } : {}),
      assumeNewStream: command.type === 'CreateNomination',
    });
    if (result.state.status === 'none') throw new NotFoundError(`Nomination ${nominationId} not found`);
    return { view: toNominationView(result.state, result.revision), revision: result.revision, position: result.position };
  }
}
