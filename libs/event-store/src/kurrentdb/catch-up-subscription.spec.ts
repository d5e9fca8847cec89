import { EventStoreUnavailable } from '../event-store.errors';
import type { RecordedEvent, SubscriptionHandler } from '../event-store.port';
import { CatchUpSubscription, type CatchUpSource, type SourceConnection, type SourceItem } from './catch-up-subscription';
import { ItemQueue } from './item-queue';

/** A scripted stand-in for the client's subscription: the test pushes what the server would send. */
class FakeConnection implements SourceConnection {
  readonly queue = new ItemQueue<SourceItem>();
  closed = false;
  constructor(readonly after: bigint | undefined) {}
  next(timeoutMs: number) {
    return this.queue.next(timeoutMs);
  }
  poll() {
    return this.queue.poll();
  }
  async close() {
    this.closed = true;
    this.queue.end();
  }
  send(...items: SourceItem[]) {
    for (const item of items) this.queue.push(item);
  }
}

class FakeSource implements CatchUpSource {
  readonly connections: FakeConnection[] = [];
  headPosition: bigint | undefined;
  readonly eventsBefore = new Map<bigint, bigint>();
  onOpen: (connection: FakeConnection) => void = () => undefined;

  open(after: bigint | undefined): SourceConnection {
    const connection = new FakeConnection(after);
    this.connections.push(connection);
    this.onOpen(connection);
    return connection;
  }
  async head() {
    return this.headPosition;
  }
  async lastEventBefore(position: bigint) {
    return this.eventsBefore.get(position);
  }
  translate(error: unknown): Error {
    return error instanceof Error && error.message.startsWith('transient') ? new EventStoreUnavailable(error.message) : (error as Error);
  }
  get latest(): FakeConnection {
    return this.connections[this.connections.length - 1]!;
  }
}

function event(position: bigint, revision = 0): SourceItem {
  const recorded: RecordedEvent = {
    id: `00000000-0000-4000-8000-${position.toString(16).padStart(12, '0')}`,
    streamId: 'nomination-1',
    type: 'T',
    data: {},
    metadata: {},
    revision,
    position,
    recordedAt: new Date(0),
    hash: '',
  };
  return { kind: 'event', event: recorded };
}

/** Records what the handler saw, in order. */
function recorder() {
  const seen: string[] = [];
  const errors: Error[] = [];
  const handler: SubscriptionHandler = {
    onEvents: async (events) => {
      seen.push(`events:${events.map((e) => e.position).join(',')}`);
    },
    onCheckpoint: async (position) => {
      seen.push(`checkpoint:${position}`);
    },
    onError: (error) => {
      errors.push(error);
    },
  };
  return { seen, errors, handler };
}

async function eventually(check: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const fast = { idleTimeoutMs: 10_000, stallGraceMs: 50, retryDelayMs: 5, maxRetryDelayMs: 20 };

describe('CatchUpSubscription', () => {
  let subscription: CatchUpSubscription | undefined;
  afterEach(async () => {
    await subscription?.stop();
    subscription = undefined;
  });

  it('hands events over in batches, in order, and advances its position', async () => {
    const source = new FakeSource();
    source.onOpen = (c) => c.send(event(10n), event(20n), event(30n));
    const { seen, handler } = recorder();
    subscription = new CatchUpSubscription(source, handler, { ...fast, batchSize: 2 });
    await subscription.waitFor(30n, 1000);
    expect(seen).toEqual(['events:10,20', 'events:30']);
    expect(subscription.position).toBe(30n);
    expect(source.connections[0]!.after).toBeUndefined();
  });

  it('resumes strictly after the stored checkpoint and drops what the server replays', async () => {
    const source = new FakeSource();
    source.onOpen = (c) => c.send(event(20n), event(30n));
    const { seen, handler } = recorder();
    subscription = new CatchUpSubscription(source, handler, { ...fast, after: 20n });
    await subscription.waitFor(30n, 1000);
    expect(source.connections[0]!.after).toBe(20n);
    expect(seen).toEqual(['events:30']);
  });

  it('moves over filtered-out stretches on checkpoints, ignoring stale ones', async () => {
    const source = new FakeSource();
    source.onOpen = (c) =>
      c.send(event(10n), { kind: 'checkpoint', position: 500n, exact: true }, event(600n), { kind: 'checkpoint', position: 400n, exact: true });
    const { seen, handler } = recorder();
    subscription = new CatchUpSubscription(source, handler, fast);
    await subscription.waitFor(600n, 1000);
    // The stale checkpoint (400, behind 600) is ignored.
    expect(seen).toEqual(['events:10', 'checkpoint:500', 'events:600']);
  });

  it('stores the last event before a page-boundary checkpoint, not the boundary itself', async () => {
    const source = new FakeSource();
    source.eventsBefore.set(900n, 870n);
    source.onOpen = (c) => c.send(event(10n), { kind: 'checkpoint', position: 900n, exact: false });
    const { seen, handler } = recorder();
    subscription = new CatchUpSubscription(source, handler, fast);
    await subscription.waitFor(870n, 1000);
    expect(seen).toEqual(['events:10', 'checkpoint:870']);
    expect(subscription.position).toBe(870n);
  });

  it('reports live when the server says it caught up, and not after it fell behind', async () => {
    const source = new FakeSource();
    // The head probe alone would not call this live.
    source.headPosition = 1000n;
    source.onOpen = (c) => c.send(event(10n), { kind: 'caught-up' });
    const { handler } = recorder();
    subscription = new CatchUpSubscription(source, handler, fast);
    await eventually(() => subscription!.isLive);
    source.latest.send({ kind: 'fell-behind' });
    await eventually(() => !subscription!.isLive);
  });

  it('is live as soon as the event at the head has been handled', async () => {
    const source = new FakeSource();
    source.headPosition = 20n;
    source.onOpen = (c) => c.send(event(10n), event(20n));
    const { handler } = recorder();
    subscription = new CatchUpSubscription(source, handler, { ...fast, batchSize: 1 });
    await subscription.waitFor(10n, 1000);
    expect(subscription.isLive).toBe(false);
    await subscription.waitFor(20n, 1000);
    expect(subscription.isLive).toBe(true);
  });

  it('treats silence on a quiet log as live and keeps the subscription', async () => {
    const source = new FakeSource();
    source.headPosition = 10n;
    source.onOpen = (c) => c.send(event(10n));
    const { handler } = recorder();
    subscription = new CatchUpSubscription(source, handler, { ...fast, idleTimeoutMs: 30 });
    await subscription.waitFor(10n, 1000);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(source.connections).toHaveLength(1);
    expect(subscription.isLive).toBe(true);
  });

  it('detects a silently dropped subscription and resubscribes after the last handled position', async () => {
    const source = new FakeSource();
    const diagnostics: string[] = [];
    source.onOpen = (c) => {
      // The first connection delivers one event and then goes quiet although 20 and 30 exist.
      if (source.connections.length === 1) c.send(event(10n));
      else c.send(event(20n), event(30n));
    };
    source.headPosition = 30n;
    const { seen, handler } = recorder();
    subscription = new CatchUpSubscription(source, handler, { ...fast, idleTimeoutMs: 40, onDiagnostic: (m) => diagnostics.push(m) });
    await subscription.waitFor(30n, 2000);
    expect(source.connections).toHaveLength(2);
    expect(source.connections[0]!.closed).toBe(true);
    expect(source.connections[1]!.after).toBe(10n);
    expect(seen).toEqual(['events:10', 'events:20,30']);
    expect(diagnostics[0]).toMatch(/no event or checkpoint for 40 ms/);
  });

  it('does not resubscribe when the missing events arrive within the grace period', async () => {
    const source = new FakeSource();
    source.headPosition = 20n;
    source.onOpen = (c) => {
      c.send(event(10n));
      setTimeout(() => c.send(event(20n)), 60);
    };
    const { handler } = recorder();
    subscription = new CatchUpSubscription(source, handler, { ...fast, idleTimeoutMs: 40, stallGraceMs: 200 });
    await subscription.waitFor(20n, 2000);
    expect(source.connections).toHaveLength(1);
  });

  it('resubscribes after a transient error without handing anything over twice', async () => {
    const source = new FakeSource();
    source.onOpen = (c) => {
      if (source.connections.length === 1) {
        c.send(event(10n), event(20n));
        setTimeout(() => c.queue.fail(new Error('transient: connection reset')), 20);
      } else {
        c.send(event(10n), event(20n), event(30n));
      }
    };
    const { seen, errors, handler } = recorder();
    subscription = new CatchUpSubscription(source, handler, fast);
    await subscription.waitFor(30n, 2000);
    expect(source.connections[1]!.after).toBe(20n);
    expect(seen).toEqual(['events:10,20', 'events:30']);
    expect(errors).toEqual([]);
  });

  it('stops and reports once on an error it cannot recover from, rejecting waiters', async () => {
    const source = new FakeSource();
    source.onOpen = (c) => c.queue.fail(new Error('access to $all refused forever'));
    const { errors, handler } = recorder();
    subscription = new CatchUpSubscription(source, handler, fast);
    const waiting = subscription.waitFor(100n, 1000);
    await expect(waiting).rejects.toThrow('refused forever');
    expect(errors.map((e) => e.message)).toEqual(['access to $all refused forever']);
    expect(source.connections).toHaveLength(1);
    await expect(subscription.waitFor(200n)).rejects.toThrow('refused forever');
  });

  it('stops when the handler throws and does not retry the batch', async () => {
    const source = new FakeSource();
    source.onOpen = (c) => c.send(event(10n));
    const errors: Error[] = [];
    let calls = 0;
    subscription = new CatchUpSubscription(
      source,
      {
        onEvents: async () => {
          calls++;
          throw new Error('projection failed');
        },
        onError: (error) => errors.push(error),
      },
      fast,
    );
    await eventually(() => errors.length === 1);
    expect(errors[0]!.message).toBe('projection failed');
    expect(calls).toBe(1);
    expect(subscription.position).toBeUndefined();
  });

  it('times out a waitFor that is not reached', async () => {
    const source = new FakeSource();
    const { handler } = recorder();
    subscription = new CatchUpSubscription(source, handler, fast);
    await expect(subscription.waitFor(5n, 30)).rejects.toThrow(/timed out after 30 ms/);
  });

  it('stop() closes the connection, ends the loop and rejects later waits', async () => {
    const source = new FakeSource();
    source.onOpen = (c) => c.send(event(10n));
    const { handler } = recorder();
    const local = new CatchUpSubscription(source, handler, fast);
    await local.waitFor(10n, 1000);
    const pending = local.waitFor(99n, 5000);
    await local.stop();
    await expect(pending).rejects.toThrow('stopped');
    expect(source.latest.closed).toBe(true);
    await expect(local.waitFor(50n)).rejects.toThrow('stopped');
    expect(await local.waitFor(10n)).toBeUndefined();
  });
});
