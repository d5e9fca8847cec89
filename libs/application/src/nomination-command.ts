import type { AppConfig } from '@app/config';
import type { EventMetadata, RecordedEvent } from '@app/event-store';
import {
  canView,
  decide,
  evolve,
  initialNominationState,
  nominationCodec,
  nominationStreamId,
  NotFoundError,
  type Actor,
  type NominationCommand,
  type NominationContext,
  type NominationEvent,
  type NominationState,
  type UnitDirectory,
} from '@app/nomination';
import { toNominationView } from './nomination-view';
import type { ReferenceDataService } from './reference-data.service';
import type { StreamCommand, StreamCommandResult } from './stream-command';
import type { CommandEnvelope, NominationResult } from './application.commands';

/*
 * What every command on a nomination stream shares, whichever handler sends it (a person's command, a
 * bulk item, a decision's award or revocation): the context `decide` runs in, the jurisdiction guard,
 * the bounds of a stream, and the answer. Plain functions: the handlers call runStreamCommand themselves.
 */

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

/** The context `decide` runs in for this actor now, with the rule set named (a create) or the one in force. */
export function nominationContext(
  reference: ReferenceDataService,
  actor: Actor,
  now: Date,
  directory: UnitDirectory,
  ruleSetId?: string,
): NominationContext {
  return { now, actor, ruleSet: reference.ruleSet(ruleSetId, now), directory, calendar: reference.calendar, codeSets: reference.data.codeSets };
}

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

export type NominationLimits = Pick<AppConfig, 'nominationMaxEvents' | 'nominationMaxBytes'>;

/** Commands that carry out a decision already written: never refused for size, or the registers would disagree. */
const UNBOUNDED_COMMANDS = new Set<NominationCommand['type']>(['AwardNomination', 'RevokeAward']);

function dataBytes(data: unknown): number {
  return Buffer.byteLength(JSON.stringify(data ?? null), 'utf8');
}

/**
 * Every nomination is bounded in events and bytes, with defaults no real dossier reaches: one user
 * PATCHing a draft in a loop must not grow a stream every later read has to fold.
 */
function checkBounds(
  limits: NominationLimits,
  command: NominationCommand,
  recorded: readonly RecordedEvent[],
  events: readonly NominationEvent[],
): void {
  if (UNBOUNDED_COMMANDS.has(command.type)) return;
  const maxEvents = limits.nominationMaxEvents;
  if (recorded.length + events.length > maxEvents) throw new NominationTooManyEvents({ limit: maxEvents });
  const maxBytes = limits.nominationMaxBytes;
  let bytes = 0;
  for (const event of events) bytes += dataBytes(event.data);
  if (bytes > maxBytes) throw new NominationTooLarge({ limitBytes: maxBytes });
  for (const event of recorded) {
    bytes += dataBytes(event.data);
    if (bytes > maxBytes) throw new NominationTooLarge({ limitBytes: maxBytes });
  }
}

/** The runner's description of one command on one nomination stream, decided in `ctx` on behalf of `envelope`. */
export function nominationStreamCommand(
  envelope: CommandEnvelope,
  nominationId: string,
  command: NominationCommand,
  ctx: NominationContext,
  limits: NominationLimits,
): StreamCommand<NominationState, NominationEvent> {
  const { actor } = ctx;
  return {
    streamId: nominationStream(nominationId),
    codec: nominationCodec,
    initialState: initialNominationState,
    evolve,
    decide: (state) => decide(state, command, ctx),
    guard: (state) => {
      // A successor unit revoking an abolished unit's award acts outside that code set; decide() checks it.
      const bySuccessor = command.type === 'RevokeAward' && state.status !== 'none' && command.revokingUnit.codeSet !== state.codeSet;
      if (command.type !== 'CreateNomination' && !bySuccessor && !canView(actor, state)) {
        throw new NotFoundError(`Nomination ${nominationId} not found`);
      }
    },
    beforeAppend: (recorded, events) => checkBounds(limits, command, recorded, events),
    commandId: envelope.commandId,
    metadata: commandMetadata(envelope, actor),
    ...(envelope.expectedRevision !== undefined ? { expectedRevision: envelope.expectedRevision } : {}),
    ...(envelope.receivedAt !== undefined ? { receivedAt: envelope.receivedAt } : {}),
    assumeNewStream: command.type === 'CreateNomination',
  };
}

/** The command's answer: the nomination as it now is, its revision (the ETag) and the position written. */
export function nominationResult(nominationId: string, result: StreamCommandResult<NominationState>): NominationResult {
  if (result.state.status === 'none') throw new NotFoundError(`Nomination ${nominationId} not found`);
  return { view: toNominationView(result.state, result.revision), revision: result.revision, position: result.position };
}
