import { readFileSync } from 'node:fs';
import { PostgresEventStore } from '@app/event-store';
import { loadReferenceData, WorkingDayCalendar } from '@app/nomination';
import { createRootLogger } from '@app/observability';
import { DurableSubscriber } from '@app/platform';
import { ProjectionConsumer, projectionNamed } from '@app/read-models';
import { createAndApprove, expectOk, expectProblem, gso2004, nominationBody, nominees, type View } from './support/nomination-fixtures';
import { TestApi } from './support/test-api';

/*
 * The reports read only their own read model: each fact and stage row keeps the nomination's recorded
 * unit chain (NominationCreated `ancestry`), so GET /reports/awards and /reports/stages answer a
 * Min-Position as soon as the award statistics and stage timings have it, whether or not the
 * nominations read model (the heaviest projection) has caught up — and stay scoped by the recorded
 * chain. Here only those two projections run; the nominations read model never sees the nominations.
 */
describe('reports wait for their own read model only', () => {
  let api: TestApi;
  let subscribers: DurableSubscriber[];
  let head: string;

  const decide = async (view: View, number: string): Promise<string> => {
    const decided = await api.request({
      method: 'POST', url: '/decisions', as: gso2004.districtDecider, body: {
        number, signedOn: '2023-03-24', signer: { name: 'Lường Văn Chiến', title: 'Chủ tịch UBND huyện Mường La' },
        reason: 'Đã có thành tích xuất sắc trong phong trào thi đua năm 2022', nominationIds: [view.id],
      },
    });
    expect(decided.statusCode).toBe(201);
    return decided.headers['log-position'] as string;
  };

  beforeAll(async () => {
    // No worker: the nominations read model (and every other consumer) stays where it was, at nothing.
    api = await TestApi.start();
    const body = (nominee: object) => nominationBody({ awardCode: 'GIAY_KHEN_HUYEN', nominee });
    await decide(await createAndApprove(api, gso2004.proposer, [gso2004.communeOfficer, gso2004.districtOfficer], body(nominees.individual)), '401/QĐ-UBND');
    head = await decide(await createAndApprove(api, gso2004.proposer, [gso2004.communeOfficer, gso2004.districtOfficer], body(nominees.household)), '402/QĐ-UBND');
    const store = new PostgresEventStore(api.database.pool, { pollIntervalMs: 20 });
    const context = { calendar: new WorkingDayCalendar(loadReferenceData().holidays) };
    const logger = createRootLogger({ level: 'silent', service: 'report-freshness' });
    subscribers = ['award-stats', 'stage-timings'].map((name) => new DurableSubscriber(api.database.pool, store, new ProjectionConsumer(projectionNamed(name), context), logger));
    for (const subscriber of subscribers) subscriber.start();
    for (const subscriber of subscribers) await subscriber.waitFor(BigInt(head), 60_000);
  }, 120_000);
  afterAll(async () => {
    for (const subscriber of subscribers ?? []) await subscriber.stop();
    await api?.close();
  });

  const read = (as: typeof gso2004.districtOfficer, url: string) => api.request({ method: 'GET', url, as, headers: { 'min-position': head } });

  it('the nominations read model is behind: a list at that position is refused as such', async () => {
    const list = await api.request({ method: 'GET', url: '/nominations', as: gso2004.districtOfficer, headers: { 'min-position': head } });
    expectProblem(list, 503, 'read_model_behind');
  });

  it('the awards report answers at that position, with both awards, to the district that reads them', async () => {
    const report = expectOk(await read(gso2004.districtOfficer, '/reports/awards'));
    expect(report.totals.count).toBe(2);
    expect(report.rows.map((r: View) => r.nomineeKind).sort()).toEqual(['household', 'individual']);
    expect(expectOk(await read(gso2004.districtOfficer, '/reports/awards?unit=03814')).totals.count).toBe(2);
    // Another district reads none of them.
    expect(expectOk(await read(gso2004.otherDistrictDecider, '/reports/awards')).totals).toEqual({ count: 0, bonusTotal: 0 });
  });

  it('the stages report answers at that position too, per stage unit at or under the caller', async () => {
    const stages = expectOk(await read(gso2004.districtOfficer, '/reports/stages'));
    expect(stages.rows.map((r: View) => [r.unit, r.completed])).toEqual([['03814', 2], ['120', 2]]);
    expect(expectOk(await read(gso2004.communeOfficer, '/reports/stages')).rows.map((r: View) => r.unit)).toEqual(['03814']);
    expect(expectOk(await read(gso2004.otherDistrictDecider, '/reports/stages')).rows).toEqual([]);
  });

  it('the migration computes each existing row\'s chain as the projections do, from the log or else from the nominations read model', async () => {
    const sql = readFileSync('migrations/1765300000030_report-ancestry.sql', 'utf8');
    const updates = sql.slice(0, sql.indexOf('-- Down Migration')).match(/UPDATE rm_\w+ [\s\S]*?;\n/gu)!;
    expect(updates).toHaveLength(2);
    // The read-model fallback needs the nominations read model: let it catch up now.
    const store = new PostgresEventStore(api.database.pool, { pollIntervalMs: 20 });
    const nominations = new DurableSubscriber(api.database.pool, store, new ProjectionConsumer(projectionNamed('nominations'), { calendar: new WorkingDayCalendar(loadReferenceData().holidays) }),
      createRootLogger({ level: 'silent', service: 'report-freshness' }));
    nominations.start();
    await nominations.waitFor(BigInt(head), 60_000);
    await nominations.stop();
    for (const variant of ['log', 'read model'] as const) {
      const client = await api.database.pool.connect();
      try {
        await client.query('BEGIN');
        await client.query('CREATE TEMP TABLE facts_by_sql ON COMMIT DROP AS SELECT * FROM rm_award_facts');
        await client.query('CREATE TEMP TABLE heads_by_sql ON COMMIT DROP AS SELECT * FROM rm_stage_nominations');
        await client.query("UPDATE facts_by_sql SET ancestry_units = '{x}'");
        await client.query("UPDATE heads_by_sql SET ancestry_units = '{x}'");
        for (const update of updates) {
          let text = update.replaceAll('rm_award_facts', 'facts_by_sql').replaceAll('rm_stage_nominations', 'heads_by_sql');
          if (variant === 'read model') text = text.replace('LEFT JOIN events e ON', 'LEFT JOIN (SELECT * FROM events WHERE false) e ON');
          await client.query(text);
        }
        const { rows } = await client.query<{ table: string; n: number; differ: number }>(
          `SELECT 'facts' AS table, count(*)::int AS n, count(*) FILTER (WHERE s.ancestry_units IS DISTINCT FROM r.ancestry_units)::int AS differ
             FROM facts_by_sql s JOIN rm_award_facts r USING (nomination_id)
           UNION ALL
           SELECT 'heads', count(*)::int, count(*) FILTER (WHERE s.ancestry_units IS DISTINCT FROM r.ancestry_units)::int
             FROM heads_by_sql s JOIN rm_stage_nominations r USING (nomination_id)`,
        );
        expect({ variant, rows }).toEqual({ variant, rows: [{ table: 'facts', n: 2, differ: 0 }, { table: 'heads', n: 2, differ: 0 }] });
      } finally {
        await client.query('ROLLBACK');
        client.release();
      }
    }
  });
});
