import {
  RevisionConflict,
  StreamNotFound,
  type AppendResult,
  type EventMetadata,
  type EventStore,
  type RecordedEvent,
} from '@app/event-store';
import type { EventCodec } from '@app/nomination';
import { deterministicUuid } from './deterministic-id';
import { streamStateCacheOf, type StreamStateCache } from './stream-state-cache';

/** A domain event as the decider emits it: a literal type and its payload. */
export interface DomainEvent {
  readonly type: string;
  readonly data: unknown;
}

export interface StreamCommand<State, Event extends DomainEvent> {
  readonly streamId: string;
  /** Decodes (and upcasts) what the stream holds; a stream it cannot read fails the command. */
  readonly codec: EventCodec<Event>;
  readonly initialState: State;
  readonly evolve: (state: State, event: Event) => State;
  /** Pure: given the folded state, the events to append (or a thrown domain error). */
  readonly decide: (state: State) => readonly Event[];
  /** Identifies this command across retries; recorded in metadata and the seed of the event ids. */
  readonly commandId: string;
  readonly metadata: EventMetadata;
  /** Runs on the folded state before anything else, e.g. to answer 404 outside the caller's jurisdiction. */
  readonly guard?: (state: State) => void;
  /**
   * The stream is expected not to exist yet (a create): the first attempt skips the read and appends
   * with 'no_stream'. If the stream does exist (a retried create), the conflict sends it down the
   * normal path, which recognises its own earlier events.
   */
  readonly assumeNewStream?: boolean;
  /** When the command was received; a change recorded since then is reported as a race (409), not 403. */
  readonly receivedAt?: Date;
  /**
   * Runs on what is about to be appended, with the stream as read, before the append; throws to refuse
   * (e.g. a stream that would grow past its bounds).
   */
  readonly beforeAppend?: (recorded: readonly RecordedEvent[], events: readonly Event[]) => void;
  /** The revision the client last saw (If-Match); a mismatch is never retried. */
  readonly expectedRevision?: number;
  readonly maxAttempts?: number;
}

export interface StreamCommandResult<State, Event extends DomainEvent = DomainEvent> {
  readonly state: State;
  /** The stream's last revision after the command (-1 when the stream does not exist). */
  readonly revision: number;
  /**
   * Global log position of the stream's last event after the command (what it wrote, or what an
   * earlier attempt wrote when replayed); undefined when the stream is empty. Clients pass it back as
   * `minPosition` to read their own write.
   */
  readonly position: bigint | undefined;
  readonly appended: readonly Event[];
  /** True when this command had already been applied by an earlier attempt: nothing was written now. */
  readonly replayed: boolean;
}

/** The client's If-Match names a revision that is no longer the stream's latest (the api answers it as a failed precondition). */
export class StaleRevision extends Error {
  readonly code = 'stale_revision';
  constructor(readonly streamId: string, readonly expected: number, readonly actual: number) {
    super(`The nomination has changed since revision ${expected} (now ${actual}); reload it and try again.`);
  }
}

/** The command lost a race: what it was decided on changed before it could be written. */
export class ConcurrentChange extends Error {
  readonly code = 'revision_conflict';
  constructor(readonly streamId: string) {
    super('Someone else changed this nomination at the same moment; reload it to see its new state.');
  }
}

function isCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}

/**
 * The one path every command takes: read the stream, fold it, decide, append with the revision that
 * was read. A conflicting append (someone else wrote in between) is retried from a fresh read, so the
 * decision is always taken on the latest state and never merged blindly.
 *
 * With a StreamStateCache attached to the store, the read is skipped when this process holds the
 * stream: the command decides on the cached state and appends with the cached revision. If another
 * process (or command) wrote since, that append fails on its expected revision, the entry is dropped
 * and the same attempt runs again from the store. Only a successful append is trusted from the cache:
 * any other outcome decided on cached state (a refusal, a stale If-Match, nothing to do, a replay) is
 * confirmed on a fresh read first, so no answer and no event ever rests on state that was behind.
 */
export async function runStreamCommand<State, Event extends DomainEvent>(
  store: EventStore,
  command: StreamCommand<State, Event>,
): Promise<StreamCommandResult<State, Event>> {
  const maxAttempts = command.maxAttempts ?? 5;
  const cache = streamStateCacheOf(store);
  for (let attempt = 1; ; attempt++) {
    const optimistic = attempt === 1 && command.assumeNewStream === true && command.expectedRevision === undefined;
    const cached = cache !== undefined && !optimistic ? cache.get<State>(command.streamId, command.evolve) : undefined;
    if (cached !== undefined) {
      try {
        const outcome = await attemptOn(store, command, cached.recorded, cached.state, attempt, cache);
        if (!(outcome instanceof RevisionConflict) && outcome.appended.length > 0) return outcome;
      } catch {
        // Decided on state that may be behind: the fresh read below says what is true.
      }
      cache!.stale(command.streamId);
    }
    const recorded = optimistic ? [] : await readOrEmpty(store, command.streamId);
    const state = fold(command, recorded);
    if (!optimistic) cache?.remember(command.streamId, command.evolve, recorded, state);
    const outcome = await attemptOn(store, command, recorded, state, attempt, cache);
    if (!(outcome instanceof RevisionConflict)) return outcome;
    cache?.forget(command.streamId);
    if (!(optimistic || attempt < maxAttempts)) throw outcome;
  }
}

/**
 * One attempt on the stream as `recorded` says it is: a replay of an earlier attempt, a refusal
 * (thrown), nothing to do, or an append with the revision of `recorded`. The RevisionConflict
 * (returned, not thrown) when that append found the stream moved on, and the command may be retried.
 */
async function attemptOn<State, Event extends DomainEvent>(
  store: EventStore,
  command: StreamCommand<State, Event>,
  recorded: readonly RecordedEvent[],
  state: State,
  attempt: number,
  cache: StreamStateCache | undefined,
): Promise<StreamCommandResult<State, Event> | RevisionConflict> {
  const revision = recorded.length - 1;
  const earlier = recorded.findIndex((e) => e.metadata['commandId'] === command.commandId);
  if (earlier >= 0) {
    assertSameRequest(command.metadata, recorded[earlier]!.metadata);
    // A retry of a command that already took effect: answer with the state it produced.
    let last = earlier;
    while (last + 1 < recorded.length && recorded[last + 1]!.metadata['commandId'] === command.commandId) last++;
    return {
      state: fold(command, recorded.slice(0, last + 1)),
      revision: last,
      position: recorded[last]!.position,
      appended: [],
      replayed: true,
    };
  }
  command.guard?.(state);
  if (command.expectedRevision !== undefined && command.expectedRevision !== revision) {
    throw new StaleRevision(command.streamId, command.expectedRevision, revision);
  }

  let events: readonly Event[];
  try {
    events = command.decide(state);
  } catch (error) {
    // Someone else's write won the race and moved the nomination on (often to another stage, where
    // this actor no longer acts). Report the race, not a permission problem the caller did not cause.
    const changedMeanwhile = attempt > 1
      || (command.receivedAt !== undefined && recorded.length > 0 && recorded[recorded.length - 1]!.recordedAt >= command.receivedAt);
    if (changedMeanwhile && isCode(error, 'forbidden')) throw new ConcurrentChange(command.streamId);
    throw error;
  }
  if (events.length === 0) return { state, revision, position: recorded[recorded.length - 1]?.position, appended: [], replayed: false };
  command.beforeAppend?.(recorded, events);

  const metadata = { ...command.metadata, commandId: command.commandId };
  const newEvents = events.map((event, index) => ({
    id: deterministicUuid(command.commandId, String(index)),
    type: event.type,
    data: event.data,
    metadata,
  }));
  let result: AppendResult;
  try {
    result = await store.append(command.streamId, newEvents, revision < 0 ? 'no_stream' : revision);
  } catch (error) {
    if (error instanceof RevisionConflict) {
      if (command.expectedRevision !== undefined) {
        const actual = typeof error.actual === 'number' ? error.actual : -1;
        throw new StaleRevision(command.streamId, command.expectedRevision, actual);
      }
      return error;
    }
    throw error;
  }
  const { written, position } = result;
  const after = events.reduce(command.evolve, state);
  if (cache !== undefined) {
    if (written && result.recordedAt !== undefined) {
      // What the store now holds, as a read would return it (the runner reads only these fields back).
      const appended = newEvents.map((event, index): RecordedEvent => ({
        ...event,
        streamId: command.streamId,
        revision: revision + 1 + index,
        position,
        recordedAt: result.recordedAt!,
        hash: '',
      }));
      cache.remember(command.streamId, command.evolve, [...recorded, ...appended], after, appended.length);
    } else {
      cache.forget(command.streamId);
    }
  }
  // The store recognised these very events (a retry that raced its original, or a create retried
  // optimistically): the state is the same, but this attempt wrote nothing.
  return {
    state: after,
    revision: revision + events.length,
    position,
    appended: written ? events : [],
    replayed: !written,
  };
}

function fold<State, Event extends DomainEvent>(command: StreamCommand<State, Event>, recorded: readonly RecordedEvent[]): State {
  return recorded.reduce((state, e) => command.evolve(state, command.codec.decode(e)), command.initialState);
}

export async function readOrEmpty(store: EventStore, streamId: string): Promise<readonly RecordedEvent[]> {
  try {
    return await store.readStream(streamId);
  } catch (error) {
    if (error instanceof StreamNotFound) return [];
    throw error;
  }
}

/** The same Idempotency-Key (hence command id) was used for a different request; nothing is written. */
export class IdempotencyKeyReused extends Error {
  readonly code = 'idempotency_key_reused';
  constructor() {
    super('This Idempotency-Key was already used for a different request.');
  }
}

/**
 * A command id found in the stream is a retry only if it comes from the same request: with both
 * fingerprints known and different, the key was reused for something else (its stored answer may be
 * long purged), and answering with the old result would be wrong.
 */
export function assertSameRequest(now: Readonly<Record<string, unknown>>, recorded: Readonly<Record<string, unknown>>): void {
  const mine = now['requestFingerprint'];
  const theirs = recorded['requestFingerprint'];
  if (typeof mine === 'string' && typeof theirs === 'string' && mine !== theirs) throw new IdempotencyKeyReused();
}
