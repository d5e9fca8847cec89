/**
 * The KurrentDB adapter's hash chain against the one PostgreSQL computes in SQL (event_hash in
 * migrations/): the same events, appended to a real PostgreSQL store, must get exactly the hashes this
 * adapter puts in `$chain`, so a stream copied either way verifies to the same chain.
 */
import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@app/database/testing';
import type { NewEvent } from '../event-store.port';
import { GENESIS_HASH } from '../hash-chain';
import { PostgresEventStore } from '../postgres/postgres-event-store';
import { toOutgoingEvent, validateNewEvents } from './kurrentdb-mapping';

const events: NewEvent[] = [
  { id: randomUUID(), type: 'NominationSubmitted', data: { award: 'Huân chương Lao động hạng Ba', unit: 'Sở Nội vụ', z: 1, a: [2, 1] }, metadata: { actor: { id: 'u1', roles: ['officer'] } } },
  { id: randomUUID(), type: 'StageApproved', data: { at: new Date('2026-11-28T08:00:00.123Z'), ratio: 0.1 + 0.2, big: 1e21, neg: -0, skip: undefined } },
  { id: randomUUID(), type: 'Noted', data: 'plain text with "quotes" and emoji 🎖️', metadata: {} },
  { id: randomUUID(), type: 'Listed', data: [null, true, { 'key with space': 'v', ключ: 'значение' }] },
  { id: randomUUID(), type: 'Nothing', data: null, metadata: { correlationId: 'c-1', nested: { deep: [1, { x: 'y' }] } } },
];

describe('KurrentDB hash chain = PostgreSQL hash chain', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  beforeAll(async () => {
    db = await createTestDatabase({ max: 2 });
    store = new PostgresEventStore(db.pool, { notifyChannel: null });
  });
  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });

  it('computes the hashes PostgreSQL stores, for single and multi-event appends', async () => {
    await store.append('nomination-1', events.slice(0, 2), 'no_stream');
    await store.append('nomination-1', events.slice(2), 1);
    const stored = await store.readStream('nomination-1');

    let previous = GENESIS_HASH;
    const ours = validateNewEvents('nomination-1', events, 'any').map((event, revision) => {
      const outgoing = toOutgoingEvent(event, revision, previous, new Date());
      previous = outgoing.hash;
      return outgoing;
    });
    expect(ours.map((o) => o.hash)).toEqual(stored.map((e) => e.hash));
    // And what KurrentDB would store as data reads back as what PostgreSQL reads back.
    expect(ours.map((o) => JSON.parse(JSON.stringify(o.eventData.data)))).toEqual(stored.map((e) => e.data));
  });
});
