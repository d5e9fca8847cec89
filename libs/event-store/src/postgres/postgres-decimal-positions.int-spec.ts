/*
 * Positions are numbers: transaction id × 100,000 + index. Once in a while a cluster's transaction ids
 * cross a power of ten (999,999 → 1,000,000), and a log then holds positions of two lengths. Every read
 * must walk it in numeric order, and a stream of more than ten events in revision order: a statement
 * that sorts by a column it also returns as text (`position::text`, `revision::text`) sorts the texts.
 */
import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@app/database/testing';
import { crossPowerOfTen, testAuthenticator, testEvent } from '@app/event-store/testing';
import { PostgresEventStore, type CanonicalPackedBatch } from '@app/event-store';

let database: TestDatabase;
let store: PostgresEventStore;
let boundary: bigint;
const long = `nomination-${randomUUID()}`;
const others = [`nomination-${randomUUID()}`, `decision-${randomUUID()}`];
let total = 0;

beforeAll(async () => {
  database = await createTestDatabase();
  store = new PostgresEventStore(database.pool, { authenticator: testAuthenticator(), notifyChannel: null });
  // Twelve events of one stream, one append each, with the other streams' events between them.
  for (let revision = 0; revision < 12; revision++) {
    await store.append(long, [testEvent()], revision === 0 ? 'no_stream' : revision - 1);
    const other = others[revision % 2]!;
    await store.append(other, [testEvent()], revision < 2 ? 'no_stream' : Math.floor(revision / 2) - 1);
    total += 2;
  }
  boundary = await crossPowerOfTen(database.pool);
});

afterAll(async () => {
  await store?.close();
  await database?.drop();
});

function expectNumericOrder(positions: readonly bigint[]): void {
  expect(positions).toHaveLength(total);
  for (let i = 1; i < positions.length; i++) expect(positions[i]! > positions[i - 1]!).toBe(true);
  // The walk did cross the power of ten: both lengths are there.
  expect(positions[0]!.toString().length).toBe(boundary.toString().length - 1);
  expect(positions.at(-1)!.toString().length).toBe(boundary.toString().length);
}

/** Every batch of a walk from the start, `limit` events at a time. */
async function walk<Batch extends { checkpoint: bigint | undefined }>(read: (after: bigint | undefined) => Promise<Batch>, positionsOf: (batch: Batch) => bigint[]): Promise<bigint[]> {
  const positions: bigint[] = [];
  let after: bigint | undefined;
  for (;;) {
    const batch = await read(after);
    const got = positionsOf(batch);
    if (got.length === 0) return positions;
    positions.push(...got);
    after = batch.checkpoint;
  }
}

describe('a log whose positions cross a power of ten', () => {
  it('readAll walks it in numeric order, batch after batch', async () => {
    for (const limit of [3, 1000]) {
      expectNumericOrder(await walk((after) => store.readAll({ after, limit }), (b) => b.events.map((e) => e.position)));
    }
  });

  it('the canonical reads walk it in numeric order: as text rows, canonicalised and packed', async () => {
    for (const limit of [3, 1000]) {
      expectNumericOrder(await walk((after) => store.readAllCanonicalText({ after, limit }), (b) => b.rows.map((r) => BigInt(r[0]))));
      expectNumericOrder(await walk((after) => store.readAllCanonical({ after, limit }), (b) => b.events.map((e) => e.position)));
      const packed = (b: CanonicalPackedBatch): bigint[] =>
        b.count === 0 ? [] : Buffer.from(b.rows, 'base64').toString('utf8').split('\n').map((line) => BigInt(line.slice(0, line.indexOf('\t'))));
      expectNumericOrder(await walk<CanonicalPackedBatch>((after) => store.readAllCanonicalPacked({ after, limit }), packed));
    }
  });

  it('reads a stream of more than ten events in revision order, canonical or not', async () => {
    const expected = Array.from({ length: 12 }, (_, i) => i);
    expect((await store.readStream(long)).map((e) => e.revision)).toEqual(expected);
    expect((await store.readStreamCanonical(long)).map((e) => e.revision)).toEqual(expected);
    const positions = (await store.readStreamCanonical(long)).map((e) => e.position);
    expect(positions.some((p) => p < boundary) && positions.some((p) => p >= boundary)).toBe(true);
  });

  it('knows its head and appends after it', async () => {
    const head = await store.headPosition();
    expect(head).toBeDefined();
    expect(head! >= boundary).toBe(true);
    const appended = await store.append(long, [testEvent()], 11);
    expect(appended.position > head!).toBe(true);
  });
});
