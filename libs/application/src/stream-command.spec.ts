import { randomUUID } from 'node:crypto';
import { jest } from '@jest/globals';
import {
  InMemoryEventStore,
  RevisionConflict,
  type AppendResult,
  type ExpectedRevision,
  type NewEvent,
} from '@app/event-store';
import type { EventCodec } from '@app/nomination';
import { deterministicUuid } from './deterministic-id';
import { ConcurrentChange, runStreamCommand, StaleRevision, type StreamCommand } from './stream-command';

/*
 * The generic command path on the in-memory store, with a small tally domain of its own so that each
 * test states exactly what the decider saw. The interleaving store is the real in-memory store with a
 * hook that lets "someone else" write just before one of our appends, as a racing request would.
 */

type TallyEvent = { type: 'Counted'; data: { by: number; seen: number } };
interface Tally {
  readonly total: number;
  readonly events: number;
}

class InterleavingStore extends InMemoryEventStore {
  appends = 0;
  reads = 0;
  private readonly before: ((attempt: number) => Promise<void>)[] = [];

  /** Runs `hook` before the next append (attempt numbers count this store's appends from 1). */
  beforeNextAppend(hook: (attempt: number) => Promise<void>): void {
    this.before.push(hook);
  }

  override async append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    const hook = this.before.shift();
    this.appends++;
    if (hook !== undefined) await hook(this.appends);
    return super.append(streamId, events, expected);
  }

  /** Someone else's write: not counted, and no hook runs for it. */
  appendDirectly(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    return super.append(streamId, events, expected);
  }

  override async readStream(...args: Parameters<InMemoryEventStore['readStream']>) {
    this.reads++;
    return super.readStream(...args);
  }
}

const streamId = (): string => `tally-${randomUUID()}`;

/** The tally's codec: its one event type, its fields checked. */
const tallyCodec: EventCodec<TallyEvent> = {
  category: 'tally',
  eventTypes: ['Counted'],
  isEventType: (type): type is 'Counted' => type === 'Counted',
  decode: (stored) => {
    const data = stored.data as { by?: unknown; seen?: unknown };
    if (stored.type !== 'Counted' || typeof data.by !== 'number' || typeof data.seen !== 'number') throw new Error(`not a tally event: ${stored.type}`);
    return { type: 'Counted', data: { by: data.by, seen: data.seen } };
  },
};

function count(stream: string, by: number, overrides: Partial<StreamCommand<Tally, TallyEvent>> = {}): StreamCommand<Tally, TallyEvent> {
  return {
    streamId: stream,
    codec: tallyCodec,
    initialState: { total: 0, events: 0 },
    evolve: (state, event) => ({ total: state.total + event.data.by, events: state.events + 1 }),
    decide: (state) => [{ type: 'Counted', data: { by, seen: state.total } }],
    commandId: randomUUID(),
    metadata: { correlationId: 'c-1', actor: { id: 'u-1', name: 'Lò Văn Thắng' } },
    ...overrides,
  };
}

/** Someone else's command, appended directly at whatever revision the stream has. */
async function otherWriter(store: InterleavingStore, stream: string, by: number): Promise<void> {
  await store.appendDirectly(stream, [{ id: randomUUID(), type: 'Counted', data: { by, seen: -1 } }], 'any');
}

let store: InterleavingStore;

beforeEach(() => {
  store = new InterleavingStore();
});

afterEach(() => store.close());

describe('runStreamCommand', () => {
  it('reads, folds, decides on the folded state and appends at the revision it read', async () => {
    const stream = streamId();
    await runStreamCommand(store, count(stream, 2));
    await runStreamCommand(store, count(stream, 3));

    const result = await runStreamCommand(store, count(stream, 5));

    const positions = (await store.readStream(stream)).map((e) => e.position);
    expect(result).toEqual({ state: { total: 10, events: 3 }, revision: 2, position: positions[2], appended: [{ type: 'Counted', data: { by: 5, seen: 5 } }], replayed: false });
    expect((await store.readStream(stream)).map((e) => e.data)).toEqual([
      { by: 2, seen: 0 }, { by: 3, seen: 2 }, { by: 5, seen: 5 },
    ]);
  });

  it('derives event ids from the command id and records the command id in metadata', async () => {
    const stream = streamId();
    const command = count(stream, 1, { decide: () => [{ type: 'Counted', data: { by: 1, seen: 0 } }, { type: 'Counted', data: { by: 1, seen: 1 } }] });

    await runStreamCommand(store, command);

    const recorded = await store.readStream(stream);
    expect(recorded.map((e) => e.id)).toEqual([deterministicUuid(command.commandId, '0'), deterministicUuid(command.commandId, '1')]);
    for (const event of recorded) {
      expect(event.metadata).toEqual({ correlationId: 'c-1', actor: { id: 'u-1', name: 'Lò Văn Thắng' }, commandId: command.commandId });
    }
  });

  describe('replay by command id', () => {
    it('answers a retried command with the state it produced and writes nothing', async () => {
      const stream = streamId();
      await runStreamCommand(store, count(stream, 4));
      const command = count(stream, 6);
      const first = await runStreamCommand(store, command);
      const decide = jest.fn(command.decide);


      const retry = await runStreamCommand(store, { ...command, decide });

      expect(retry).toEqual({ state: first.state, revision: first.revision, position: first.position, appended: [], replayed: true });
      expect(decide).not.toHaveBeenCalled();
      expect(await store.readStream(stream)).toHaveLength(2);
    });

    it('answers with the state as of its own events even after the stream moved on', async () => {
      const stream = streamId();
      const command = count(stream, 1, {
        decide: (state) => [{ type: 'Counted', data: { by: 1, seen: state.total } }, { type: 'Counted', data: { by: 1, seen: state.total + 1 } }],
      });
      await runStreamCommand(store, command);
      await runStreamCommand(store, count(stream, 100));

      const retry = await runStreamCommand(store, command);

      // The position of its own last event, not of the stream's newest one.
      expect(retry).toEqual({ state: { total: 2, events: 2 }, revision: 1, position: (await store.readStream(stream))[1]!.position, appended: [], replayed: true });
      expect(await store.readStream(stream)).toHaveLength(3);
    });

    it('recognises a retried create whose stream already exists, though the first attempt skips the read', async () => {
      const stream = streamId();
      const create = count(stream, 7, { assumeNewStream: true });
      const first = await runStreamCommand(store, create);
      expect(store.reads).toBe(0);

      const retry = await runStreamCommand(store, create);

      expect(retry).toEqual({ ...first, appended: [], replayed: true });
      expect(await store.readStream(stream)).toHaveLength(1);
    });

    it('replays even when the If-Match it was sent with is stale by now', async () => {
      const stream = streamId();
      await runStreamCommand(store, count(stream, 1));
      const command = count(stream, 2, { expectedRevision: 0 });
      await runStreamCommand(store, command);
      await runStreamCommand(store, count(stream, 3));

      await expect(runStreamCommand(store, command)).resolves.toMatchObject({ revision: 1, replayed: true });
    });
  });

  describe('If-Match', () => {
    it('refuses a stale expected revision before deciding and writes nothing', async () => {
      const stream = streamId();
      await runStreamCommand(store, count(stream, 1));
      await runStreamCommand(store, count(stream, 1));
      const decide = jest.fn((): TallyEvent[] => []);

      const error = await runStreamCommand(store, count(stream, 9, { expectedRevision: 0, decide })).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(StaleRevision);
      expect(error).toMatchObject({ streamId: stream, expected: 0, actual: 1, code: 'stale_revision' });
      expect(decide).not.toHaveBeenCalled();
      expect(await store.readStream(stream)).toHaveLength(2);
    });

    it('appends when the expected revision is the latest', async () => {
      const stream = streamId();
      await runStreamCommand(store, count(stream, 1));
      await expect(runStreamCommand(store, count(stream, 1, { expectedRevision: 0 }))).resolves.toMatchObject({ revision: 1 });
    });

    it('never retries a command sent with If-Match that loses the race to append: the client saw another state', async () => {
      const stream = streamId();
      await runStreamCommand(store, count(stream, 1));
      store.beforeNextAppend(() => otherWriter(store, stream, 50));

      const error = await runStreamCommand(store, count(stream, 2, { expectedRevision: 0 })).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(StaleRevision);
      expect(error).toMatchObject({ expected: 0, actual: 1 });
      expect(store.appends).toBe(2);
      expect((await store.readStream(stream)).map((e) => (e.data as { by: number }).by)).toEqual([1, 50]);
    });

    it('runs the guard first, so a stream the caller may not see answers as the guard says, not 412', async () => {
      const stream = streamId();
      await runStreamCommand(store, count(stream, 1));
      const hidden = new Error('not found');

      await expect(runStreamCommand(store, count(stream, 1, { expectedRevision: 7, guard: () => { throw hidden; } }))).rejects.toBe(hidden);
    });
  });

  describe('conflicts', () => {
    it('retries a conflicting append from a fresh read and decides on the state someone else wrote', async () => {
      const stream = streamId();
      await runStreamCommand(store, count(stream, 1));
      store.beforeNextAppend(() => otherWriter(store, stream, 10));
      const seen: number[] = [];

      const result = await runStreamCommand(store, count(stream, 5, {
        decide: (state) => {
          seen.push(state.total);
          return [{ type: 'Counted', data: { by: 5, seen: state.total } }];
        },
      }));

      expect(seen).toEqual([1, 11]);
      expect(result).toMatchObject({ state: { total: 16, events: 3 }, revision: 2, replayed: false });
      expect((await store.readStream(stream)).map((e) => e.data)).toEqual([
        { by: 1, seen: 0 }, { by: 10, seen: -1 }, { by: 5, seen: 11 },
      ]);
    });

    it('gives up with the store conflict after maxAttempts lost races, having written nothing', async () => {
      const stream = streamId();
      await runStreamCommand(store, count(stream, 1));
      for (let i = 0; i < 3; i++) store.beforeNextAppend(() => otherWriter(store, stream, 10));

      await expect(runStreamCommand(store, count(stream, 5, { maxAttempts: 3 }))).rejects.toBeInstanceOf(RevisionConflict);

      expect(store.appends).toBe(1 + 3);
      expect((await store.readStream(stream)).map((e) => (e.data as { by: number }).by)).toEqual([1, 10, 10, 10]);
    });

    it('sends an optimistic create that finds the stream taken down the normal path', async () => {
      const stream = streamId();
      await otherWriter(store, stream, 3);

      const result = await runStreamCommand(store, count(stream, 4, { assumeNewStream: true }));

      expect(result).toMatchObject({ state: { total: 7 }, revision: 1, replayed: false });
      expect(store.reads).toBe(1);
    });

    it('resolves many racing commands on one stream without losing any', async () => {
      const stream = streamId();
      await Promise.all(Array.from({ length: 12 }, (_, i) => runStreamCommand(store, count(stream, i + 1, { maxAttempts: 20 }))));

      const recorded = await store.readStream(stream);
      expect(recorded).toHaveLength(12);
      // Each command decided on the total it actually followed.
      let total = 0;
      for (const event of recorded) {
        const data = event.data as { by: number; seen: number };
        expect(data.seen).toBe(total);
        total += data.by;
      }
      expect(total).toBe(78);
    });
  });

  describe('concurrent change', () => {
    const forbidden = Object.assign(new Error('only the officer of the current stage may act'), { code: 'forbidden' });

    it('reports a refusal after a lost race as a concurrent change, not as forbidden', async () => {
      const stream = streamId();
      await runStreamCommand(store, count(stream, 1));
      store.beforeNextAppend(() => otherWriter(store, stream, 10));

      const error = await runStreamCommand(store, count(stream, 1, {
        decide: (state) => {
          if (state.total > 1) throw forbidden;
          return [{ type: 'Counted', data: { by: 1, seen: state.total } }];
        },
      })).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(ConcurrentChange);
      expect(error).toMatchObject({ code: 'revision_conflict', streamId: stream });
    });

    it('reports forbidden as a concurrent change when the stream changed after the command was received', async () => {
      const stream = streamId();
      const receivedAt = new Date(Date.now() - 60_000);
      await runStreamCommand(store, count(stream, 1));

      await expect(runStreamCommand(store, count(stream, 1, { receivedAt, decide: () => { throw forbidden; } }))).rejects.toBeInstanceOf(ConcurrentChange);
    });

    it('lets forbidden through when nothing changed since the command was received', async () => {
      const stream = streamId();
      await runStreamCommand(store, count(stream, 1));
      const receivedAt = new Date(Date.now() + 1_000);

      await expect(runStreamCommand(store, count(stream, 1, { receivedAt, decide: () => { throw forbidden; } }))).rejects.toBe(forbidden);
    });

    it('lets other refusals through unchanged even after a lost race', async () => {
      const stream = streamId();
      await runStreamCommand(store, count(stream, 1));
      store.beforeNextAppend(() => otherWriter(store, stream, 10));
      const invalid = Object.assign(new Error('already approved'), { code: 'invalid_transition' });

      await expect(runStreamCommand(store, count(stream, 1, {
        decide: (state) => {
          if (state.total > 1) throw invalid;
          return [{ type: 'Counted', data: { by: 1, seen: state.total } }];
        },
      }))).rejects.toBe(invalid);
    });
  });

  it('answers a retry that raced its original to the append as a replay, since the store wrote nothing', async () => {
    const stream = streamId();
    await runStreamCommand(store, count(stream, 1));
    const command = count(stream, 2);
    // Both attempts read revision 0 before either appends: the second finds its own events in the log.
    const [a, b] = await Promise.all([runStreamCommand(store, command), runStreamCommand(store, command)]);

    expect([a.replayed, b.replayed].sort()).toEqual([false, true]);
    expect(a.state).toEqual(b.state);
    expect(a.revision).toBe(1);
    expect(b.revision).toBe(1);
    expect(a.position).toBe(b.position);
    expect([a, b].find((r) => r.replayed)!.appended).toEqual([]);
    expect(await store.readStream(stream)).toHaveLength(2);
  });

  it('writes nothing and reports the current revision when the decider returns no events', async () => {
    const stream = streamId();
    await runStreamCommand(store, count(stream, 1));

    const result = await runStreamCommand(store, count(stream, 0, { decide: () => [] }));

    expect(result).toEqual({ state: { total: 1, events: 1 }, revision: 0, position: (await store.readStream(stream))[0]!.position, appended: [], replayed: false });
    expect(store.appends).toBe(1);
  });
});
