/**
 * store:copy between two real PostgreSQL event stores (two fresh test databases): the global order,
 * ids, content and hash chains survive, a second run is a no-op, and an interrupted run resumes.
 */
import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@app/database/testing';
import type { NewEvent, RecordedEvent } from './event-store.port';
import { PostgresEventStore } from './postgres/postgres-event-store';
import { copyEventStore } from './store-copy';

const event = (type: string, data: unknown, metadata?: Record<string, unknown>): NewEvent => ({ id: randomUUID(), type, data, metadata });
const shape = (e: RecordedEvent) => [e.streamId, e.revision, e.id, e.type, e.data, e.metadata, e.hash];

/**
 * The newest committed position, read from the table: the log itself may not show it yet while any
 * transaction in the cluster (another test file's) is still open below it. store:copy does the same.
 */
async function lastCommitted(db: TestDatabase): Promise<bigint> {
  const { rows } = await db.pool.query<{ max: string }>('SELECT max(position)::text AS max FROM events');
  return BigInt(rows[0]!.max);
}

/** The whole log up to `until`, waiting for it to become visible. */
async function everything(store: PostgresEventStore, until: bigint): Promise<RecordedEvent[]> {
  const all: RecordedEvent[] = [];
  let after: bigint | undefined;
  const deadline = Date.now() + 30_000;
  while (after === undefined || after < until) {
    if (Date.now() > deadline) throw new Error(`log not visible up to ${until}`);
    const batch = await store.readAll({ after, limit: 100 });
    all.push(...batch.events);
    if (batch.events.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    after = batch.checkpoint ?? after;
  }
  return all;
}

describe('copyEventStore, PostgreSQL to PostgreSQL', () => {
  let sourceDb: TestDatabase;
  let targetDb: TestDatabase;
  let source: PostgresEventStore;
  let target: PostgresEventStore;

  beforeAll(async () => {
    [sourceDb, targetDb] = await Promise.all([createTestDatabase({ max: 4 }), createTestDatabase({ max: 4 })]);
    source = new PostgresEventStore(sourceDb.pool, { notifyChannel: null });
    target = new PostgresEventStore(targetDb.pool, { notifyChannel: null });

    await source.append('nomination-1', [event('NominationSubmitted', { award: 'BK-TTg', unit: 'Sở Nội vụ' }, { actor: { id: 'u1' } })], 'no_stream');
    await source.append('nomination-2', [event('NominationSubmitted', { award: 'CSTĐ', at: new Date('2026-11-28T08:00:00Z') })], 'no_stream');
    await source.append('nomination-1', [event('StageApproved', { stage: 1 }), event('StageApproved', { stage: 2, note: null })], 0);
    await source.append('decision-7', [event('DecisionIssued', [1, 'two', { b: true, a: 0.5 }], { correlationId: 'c-1' })], 'no_stream');
    for (let i = 0; i < 40; i++) await source.append(`nomination-${3 + (i % 5)}`, [event('Noted', { i })], 'any');
  });

  afterAll(async () => {
    await Promise.all([source?.close(), target?.close()]);
    await Promise.all([sourceDb?.drop(), targetDb?.drop()]);
  });

  it('copies every stream in order with ids, content and hashes, verifies, and is a no-op the second time', async () => {
    const until = await lastCommitted(sourceDb);
    const first = await copyEventStore(source, target, { batchSize: 7, until });
    expect(first).toMatchObject({ streams: 8, eventsRead: 45, eventsCopied: 45, eventsSkipped: 0, verifiedStreams: 8, mismatches: [] });
    const copied = await everything(target, await lastCommitted(targetDb));
    expect(copied.map(shape)).toEqual((await everything(source, until)).map(shape));

    const second = await copyEventStore(source, target, { batchSize: 50, until });
    expect(second).toMatchObject({ eventsCopied: 0, eventsSkipped: 45, verifiedStreams: 8, mismatches: [] });
    expect(await everything(target, await lastCommitted(targetDb))).toHaveLength(45);
  });

  it('resumes an interrupted copy into a third database', async () => {
    const thirdDb = await createTestDatabase({ max: 4 });
    const third = new PostgresEventStore(thirdDb.pool, { notifyChannel: null });
    try {
      let appends = 0;
      const append = third.append.bind(third);
      third.append = async (...args) => {
        if (++appends === 10) throw new Error('interrupted');
        return append(...args);
      };
      const until = await lastCommitted(sourceDb);
      await expect(copyEventStore(source, third, { batchSize: 5, until })).rejects.toThrow('interrupted');
      third.append = append;
      const resumed = await copyEventStore(source, third, { batchSize: 5, until });
      expect(resumed.mismatches).toEqual([]);
      expect(resumed.eventsCopied + resumed.eventsSkipped).toBe(45);
      expect(resumed.eventsSkipped).toBeGreaterThan(0);
      expect((await everything(third, await lastCommitted(thirdDb))).map(shape)).toEqual((await everything(source, until)).map(shape));
    } finally {
      await third.close();
      await thirdDb.drop();
    }
  });
});
