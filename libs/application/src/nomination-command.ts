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
 * At least dataBytes(data), without building the JSON: in UTF-8 JSON a UTF-16 unit takes at most 6
 * bytes (an escaped control character) and a number at most 24 characters. Infinity for anything but
 * plain JSON values (a Date, a bigint, a toJSON, a depth JSON.stringify may not reach), which
 * dataBytes then measures, or refuses, exactly as before.
 */
function dataBytesAtMost(value: unknown, depth = 0): number {
  switch (typeof value) {
    case 'string':
      return 6 * value.length + 2;
    case 'number':
      return 24;
    case 'boolean':
    case 'undefined':
      return 5;
    case 'object': {
      if (value === null) return 4;
      if (depth > 64 || 'toJSON' in value) return Number.POSITIVE_INFINITY;
      let bytes = 2;
      if (Array.isArray(value)) {
        for (const item of value) bytes += dataBytesAtMost(item, depth + 1) + 1;
        return bytes;
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return Number.POSITIVE_INFINITY;
      for (const key of Object.keys(value)) bytes += 6 * key.length + 4 + dataBytesAtMost((value as Record<string, unknown>)[key], depth + 1);
      return bytes;
    }
    default:
      return Number.POSITIVE_INFINITY;
  }
}

/**
 * A recorded event never changes, so its size is measured once: the stream state cache hands the same
 * event objects to every later command on the stream, which would otherwise serialise the whole stream
 * again on each one.
 */
const recordedSizes = new WeakMap<RecordedEvent, number>();
function recordedBytes(event: RecordedEvent): number {
  let bytes = recordedSizes.get(event);
  if (bytes === undefined) {
    bytes = dataBytes(event.data);
    recordedSizes.set(event, bytes);
  }
  return bytes;
}

const recordedBounds = new WeakMap<RecordedEvent, number>();
function recordedBytesAtMost(event: RecordedEvent): number {
  let bytes = recordedBounds.get(event);
  if (bytes === undefined) {
    bytes = dataBytesAtMost(event.data ?? null);
    recordedBounds.set(event, bytes);
  }
  return bytes;
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
  // Only a stream past the limit is refused: when even an upper bound of its size is within it (for
  // every real dossier, by far), the exact size, a serialisation of the whole stream, is not needed.
  let atMost = 0;
  for (const event of events) atMost += dataBytesAtMost(event.data ?? null);
  for (const event of recorded) atMost += recordedBytesAtMost(event);
  if (atMost <= maxBytes) return;
  let bytes = 0;
  for (const event of events) bytes += dataBytes(event.data);
  if (bytes > maxBytes) throw new NominationTooLarge({ limitBytes: maxBytes });
  for (const event of recorded) {
    bytes += recordedBytes(event);
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
