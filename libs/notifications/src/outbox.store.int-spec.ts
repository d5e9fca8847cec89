import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@app/database/testing';
import { DISPATCHER_NAME } from './notification-dispatcher';
import { decodeOutboxCursor, OutboxStore, queryable } from './outbox.store';

const STORE = 'postgresql:outbox-int-spec';

describe('OutboxStore over PostgreSQL', () => {
  let database: TestDatabase;
  let outbox: OutboxStore;
  beforeAll(async () => {
    database = await createTestDatabase({ max: 4 });
    outbox = new OutboxStore(database.pool);
  });
  afterAll(async () => {
    await database?.drop();
  });

  interface Row {
    status?: 'pending' | 'sent' | 'failed';
    delivery?: 'immediate' | 'digest' | 'digested';
    source?: string;
    position?: number | null;
    settledDaysAgo?: number;
    digestId?: string;
  }
  async function row(r: Row = {}): Promise<string> {
    const id = randomUUID();
    const status = r.status ?? 'sent';
    const settled = `now() - make_interval(days => ${r.settledDaysAgo ?? 0})`;
    await database.pool.query(
      `INSERT INTO notification_outbox (id, template, delivery, source, nomination_id, recipient_id, recipient_email, locale, message_id, payload,
         status, occurred_at, created_at, sent_at, failed_at, source_position, digest_id, code_set, unit)
       VALUES ($1, 'stage_arrived', $2, $3, NULL, 'o-03814', 'thanh@chienglao.gov.vn', 'vi', $4, '{}', $5, now(), ${settled},
         ${status === 'sent' ? settled : 'NULL'}, ${status === 'failed' ? settled : 'NULL'}, $6, $7, 'gso-2004', '03814')`,
      [id, r.delivery ?? 'immediate', r.source ?? randomUUID(), `<${id}@sonla.gov.vn>`, status, r.position === undefined ? 1 : r.position, r.digestId ?? null],
    );
    return id;
  }
  const remaining = async (ids: readonly string[]): Promise<string[]> =>
    (await database.pool.query<{ id: string }>('SELECT id FROM notification_outbox WHERE id = ANY($1::uuid[])', [ids])).rows.map((r) => r.id).sort();

  it('claims a row once however often it is asked in one batch, and marks it sent once', async () => {
    const id = await row({ status: 'pending' });
    const [first, second, missing] = await outbox.beginAttempts([id, id, randomUUID()], 30_000);
    expect(first).toMatchObject({ id, attempts: 1, status: 'pending' });
    expect(second).toEqual({ busy: true, retryInMs: 30_000 });
    expect(missing).toBeUndefined();
    // Another worker's claim is still running: busy, for about what is left of it.
    const [again] = await outbox.beginAttempts([id], 30_000);
    expect(again).toMatchObject({ busy: true });
    expect((again as { retryInMs: number }).retryInMs).toBeGreaterThan(20_000);
    expect(await outbox.markSentMany([id, id])).toEqual([true, false]);
    expect(await outbox.markSent(id)).toBe(false);
    expect(await outbox.beginAttempt(id, 30_000)).toBeUndefined();
    expect(await outbox.get(id)).toMatchObject({ status: 'sent', attempts: 1, sentAt: expect.any(Date) });
  });

  it('pages through rows written in one transaction (one created_at, one sent_at) without losing any at a page boundary', async () => {
    // The dispatcher writes a batch's rows in one transaction and the sender marks a batch sent in one
    // statement: their times are equal to the microsecond. A cursor cut to JavaScript's milliseconds
    // skipped the rest of such a batch at every page boundary.
    const nomination = randomUUID();
    const ids = Array.from({ length: 7 }, () => randomUUID());
    await database.pool.query(
      `INSERT INTO notification_outbox (id, template, delivery, source, nomination_id, recipient_id, recipient_email, locale, message_id, payload,
         status, occurred_at, created_at, sent_at, code_set, unit, ancestry_units)
       SELECT id, 'stage_arrived', 'immediate', id::text, $2, 'o-03814', 'thanh@chienglao.gov.vn', 'vi', '<' || id || '@sonla.gov.vn>', '{}',
         'sent', now(), now() + make_interval(secs => CASE WHEN n > 4 THEN 0.000317 ELSE 0 END), now(), 'gso-2004', '03814', ARRAY['03814', '120', '14']
       FROM unnest($1::uuid[]) WITH ORDINALITY AS t(id, n)`,
      [ids, nomination],
    );
    for (const status of [undefined, 'sent'] as const) {
      const seen: string[] = [];
      let cursor: { at: string; id: string } | undefined;
      for (let page = 0; page < 10; page++) {
        const result = await outbox.list({ nominationId: nomination, limit: 2, ...(status === undefined ? {} : { status }), ...(cursor === undefined ? {} : { cursor }), scope: { unit: '120' } });
        seen.push(...result.items.map((i) => i.id));
        if (result.nextCursor === null) break;
        cursor = decodeOutboxCursor(result.nextCursor);
        expect(cursor).toBeDefined();
      }
      expect([...seen].sort()).toEqual([...ids].sort());
      expect(new Set(seen).size).toBe(ids.length);
    }
  });

  it('purges settled rows past the retention that the dispatcher has passed, in batches, and records its horizon', async () => {
    await database.pool.query('INSERT INTO subscription_checkpoints (name, position, store_id) VALUES ($1, 1000, $2)', [DISPATCHER_NAME, STORE]);
    const digest = randomUUID();
    const gone = [
      await row({ position: 900, settledDaysAgo: 400 }),
      await row({ status: 'failed', position: 500, settledDaysAgo: 400 }),
      await row({ source: `reminder:${randomUUID()}`, position: null, settledDaysAgo: 400 }),
    ];
    // A digest goes with the items folded into it.
    await database.pool.query(
      `INSERT INTO notification_outbox (id, template, delivery, source, recipient_email, locale, message_id, payload, status, occurred_at, created_at, sent_at)
       VALUES ($1, 'daily_digest', 'immediate', 'digest:2025-01-02', 'thanh@chienglao.gov.vn', 'vi', $2, '{}', 'sent', now(), now() - interval '400 days', now() - interval '400 days')`,
      [digest, `<${digest}@sonla.gov.vn>`],
    );
    const items = [await row({ status: 'pending', delivery: 'digested', position: 10, digestId: digest }), await row({ status: 'pending', delivery: 'digested', position: 20, digestId: digest })];
    const kept = [
      await row({ position: 1100, settledDaysAgo: 400 }), // its event is beyond the dispatcher's checkpoint
      await row({ position: 100, settledDaysAgo: 10 }), // recent
      await row({ status: 'pending', position: 10, settledDaysAgo: 400 }), // never sent
      await row({ status: 'pending', delivery: 'digest', position: 10, settledDaysAgo: 400 }), // waiting for a digest
      await row({ position: null, settledDaysAgo: 400 }), // an event's row from before positions were recorded
    ];
    const before = new Date(Date.now() - 365 * 86_400_000);

    expect(await outbox.purgeSettled(DISPATCHER_NAME, 'postgresql:another-log', before, 10)).toBe(0);
    expect(await outbox.purgedThrough(queryable(database.pool), STORE)).toBeUndefined();
    const batches = [await outbox.purgeSettled(DISPATCHER_NAME, STORE, before, 3), await outbox.purgeSettled(DISPATCHER_NAME, STORE, before, 3), await outbox.purgeSettled(DISPATCHER_NAME, STORE, before, 3)];

    expect(batches).toEqual([3, 1, 0]);
    expect(await remaining([...gone, digest, ...items])).toEqual([]);
    expect(await remaining(kept)).toEqual([...kept].sort());
    expect(await outbox.purgedThrough(queryable(database.pool), STORE)).toBe(1000n);
    // A rewound checkpoint never lowers the horizon.
    await database.pool.query('UPDATE subscription_checkpoints SET position = 50 WHERE name = $1', [DISPATCHER_NAME]);
    await row({ position: 40, settledDaysAgo: 400 });
    expect(await outbox.purgeSettled(DISPATCHER_NAME, STORE, before, 10)).toBe(1);
    expect(await outbox.purgedThrough(queryable(database.pool), STORE)).toBe(1000n);
  });
});
