/*
 * Event store benchmark: append rate against a plain-INSERT baseline, and subscriber catch-up rate.
 *
 *   npm run bench:store        (1, 8 and 32 writers; 50 000 events caught up)
 *   BENCH_SLICE_SECONDS=2 BENCH_ROUNDS=5 BENCH_CONCURRENCY=32 BENCH_CATCHUP_EVENTS=100000 npm run bench:store
 *   BENCH_NO_NOTIFY=1 npm run bench:store   (adds the store without LISTEN/NOTIFY, to show its cost)
 *
 * The 'store + MAC' variant is the store as the service runs it: every event carries the MAC the audit
 * key ring computes (libs/audit); 'store' appends without one, so the two rows show the MAC's cost.
 *
 * Each rate is measured in alternating slices (baseline, store, baseline, store, ...) and summed, so a
 * burst of other load on the machine or a checkpoint falls on both sides rather than on one.
 *
 * It creates its own database (dropped at the end) on TEST_DATABASE_BASE_URL or the local default.
 * The baseline inserts rows of the same columns and sizes into a table with no index, key or
 * constraint, on the same pool and with the same number of concurrent writers: what the hardware does
 * for one durable single-row transaction, so the ratio shows what the store's checks cost on top.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Pool } from 'pg';
import { createTestDatabase } from '@app/database/testing';
import { AuditKeyRing, generateAuditKey } from '@app/audit';
import { canonicalJson, PostgresEventStore, type NewEvent } from '@app/event-store';

const SLICE_SECONDS = Number(process.env['BENCH_SLICE_SECONDS'] ?? 1);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 4);
const CATCHUP_EVENTS = Number(process.env['BENCH_CATCHUP_EVENTS'] ?? 50_000);
const CONCURRENCY = (process.env['BENCH_CONCURRENCY'] ?? '1,8,32').split(',').map(Number);
const WITH_NO_NOTIFY = process.env['BENCH_NO_NOTIFY'] === '1';

const BASELINE_TABLE = `
  CREATE TABLE bench_baseline (
    position bigint, transaction_id xid8 DEFAULT pg_current_xact_id(), event_id uuid, stream_id text,
    revision bigint, type text, data jsonb, metadata jsonb, hash text, recorded_at timestamptz)`;
const BASELINE_INSERT = `
  INSERT INTO bench_baseline (position, event_id, stream_id, revision, type, data, metadata, hash, recorded_at)
  VALUES ($1, $2, $3, 0, $4, $5, $6, $7, now())`;

/** A representative event: a nomination submitted by a commune clerk, in Vietnamese. */
function sampleEvent(): NewEvent {
  const id = randomUUID();
  return {
    id,
    type: 'NominationSubmitted',
    data: {
      schemaVersion: 1,
      nominationId: id,
      awardCode: 'BK-UBND-TINH',
      nominee: { kind: 'person', name: 'Nguyễn Thị Hồng Nhung', position: 'Chủ tịch Hội Liên hiệp Phụ nữ xã' },
      proposingUnit: { code: '14107', name: 'Xã Chiềng Cơi, thành phố Sơn La' },
      achievements: 'Hoàn thành xuất sắc nhiệm vụ năm 2025, có sáng kiến được công nhận cấp tỉnh.',
      attachments: [{ name: 'to-trinh.pdf', sha256: randomBytes(32).toString('hex') }],
    },
    metadata: {
      actor: { id: 'u-1024', name: 'Lò Văn Thắng', roles: ['clerk'], unit: '14107' },
      correlationId: randomUUID(),
      commandId: randomUUID(),
    },
  };
}

interface Rate {
  readonly count: number;
  readonly seconds: number;
  readonly perSecond: number;
}

/** Runs `writers` loops of `work` for one slice and counts completed calls. */
async function measure(writers: number, work: (writer: number, i: number) => Promise<void>): Promise<Rate> {
  const deadline = performance.now() + SLICE_SECONDS * 1000;
  let count = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async (_, writer) => {
      for (let i = 0; performance.now() < deadline; i++) {
        await work(writer, i);
        count++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { count, seconds, perSecond: count / seconds };
}

let baselinePosition = 0;

async function baselineRate(pool: Pool, writers: number): Promise<Rate> {
  return measure(writers, async () => {
    const event = sampleEvent();
    await pool.query({
      name: 'bench_baseline_insert',
      text: BASELINE_INSERT,
      values: [
        ++baselinePosition,
        event.id,
        `nomination-${randomUUID()}`,
        event.type,
        canonicalJson(event.data),
        canonicalJson(event.metadata),
        randomBytes(32).toString('hex'),
      ],
    });
  });
}

async function storeRate(store: PostgresEventStore, writers: number): Promise<Rate> {
  return measure(writers, async () => {
    await store.append(`nomination-${randomUUID()}`, [sampleEvent()], 'no_stream');
  });
}

async function fillTo(pool: Pool, store: PostgresEventStore, events: number): Promise<void> {
  const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM events');
  let missing = Math.max(0, events - Number(rows[0]!.n));
  // Top up with 100-event appends from 8 writers: only the catch-up read is being measured.
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (missing > 0) {
        const n = Math.min(100, missing);
        missing -= n;
        await store.append(`nomination-${randomUUID()}`, Array.from({ length: n }, sampleEvent), 'no_stream');
      }
    }),
  );
}

async function catchUpRate(store: PostgresEventStore, batchSize: number): Promise<Rate> {
  const head = await store.headPosition();
  if (head === undefined) throw new Error('empty log');
  let count = 0;
  const started = performance.now();
  const subscription = store.subscribe({ onEvents: async (events) => void (count += events.length) }, { batchSize });
  await subscription.waitFor(head, 120_000);
  const seconds = (performance.now() - started) / 1000;
  await subscription.stop();
  return { count, seconds, perSecond: count / seconds };
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US').padStart(9);
}

function add(total: Rate | undefined, slice: Rate): Rate {
  const count = (total?.count ?? 0) + slice.count;
  const seconds = (total?.seconds ?? 0) + slice.seconds;
  return { count, seconds, perSecond: count / seconds };
}

async function main(): Promise<void> {
  const database = await createTestDatabase({ max: Math.max(...CONCURRENCY) + 4 });
  const pool = database.pool;
  try {
    await pool.query(BASELINE_TABLE);
    const authenticator = new AuditKeyRing([generateAuditKey()]);
    const variants: [string, PostgresEventStore][] = [
      ['store', new PostgresEventStore(pool)],
      ['store + MAC', new PostgresEventStore(pool, { authenticator })],
    ];
    if (WITH_NO_NOTIFY) variants.push(['store, no NOTIFY', new PostgresEventStore(pool, { notifyChannel: null })]);

    // Warm up: connections opened, statements prepared, tables past their first pages.
    await baselineRate(pool, 8);
    for (const [, store] of variants) await storeRate(store, 8);

    console.log(
      `Single-event appends to new streams ('no_stream'), ${ROUNDS} alternating slices of ${SLICE_SECONDS} s per rate.\n`,
    );
    console.log('writers | variant          | appends/s | INSERTs/s | store ÷ baseline');
    console.log('--------+------------------+-----------+-----------+-----------------');
    for (const writers of CONCURRENCY) {
      let baseline: Rate | undefined;
      const stores = new Map<string, Rate>();
      for (let round = 1; round <= ROUNDS; round++) {
        baseline = add(baseline, await baselineRate(pool, writers));
        for (const [name, store] of variants) stores.set(name, add(stores.get(name), await storeRate(store, writers)));
      }
      for (const [name, rate] of stores) {
        console.log(
          `${String(writers).padStart(7)} | ${name.padEnd(16)} | ${fmt(rate.perSecond)} | ${fmt(baseline!.perSecond)} | ${(rate.perSecond / baseline!.perSecond).toFixed(2).padStart(6)}`,
        );
      }
    }
    for (const [, store] of variants) await store.close();

    const store = new PostgresEventStore(pool);
    await fillTo(pool, store, CATCHUP_EVENTS);
    const catchUp = await catchUpRate(store, 1000);
    await store.close();
    console.log(
      `\nSubscriber catch-up from the start of the log: ${catchUp.count.toLocaleString('en-US')} events in ${catchUp.seconds.toFixed(2)} s = ${fmt(catchUp.perSecond).trim()} events/s (batches of 1000)`,
    );
  } finally {
    await database.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
