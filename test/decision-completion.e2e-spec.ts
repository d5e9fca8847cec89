import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { PostgresEventStore } from '@app/event-store';
import {
  decideDecision,
  evolve,
  initialDecisionState,
  initialNominationState,
  loadReferenceData,
  toNominationEvent,
  UnitDirectory,
  unitAncestry,
  validateDecision,
  type NominationState,
} from '@app/nomination';
import { createRootLogger } from '@app/observability';
import { ConsumerHost, type DurableSubscriber } from '@app/platform';
import { deterministicUuid } from '@app/application';
import { WorkerModule } from '../apps/worker/src/worker.module';
import { createAndApprove, gso2025, nominationBody2025, getNomination } from './support/nomination-fixtures';
import { TestApi } from './support/test-api';

const testDirectory = (): UnitDirectory => {
  const data = loadReferenceData();
  return UnitDirectory.fromRecords(data.units, data.levels.map((l) => l.code), data.codeSets.map((c) => c.id));
};

/**
 * The api appends DecisionIssued and then awards each nomination. Here the api "dies" right after the
 * append (the event is written straight to the log, no award follows), and the worker's decision
 * completer must finish the outcome from the log: every nomination awarded, once.
 */
describe('a decision whose issuing process died midway is completed from the log', () => {
  let api: TestApi;
  let worker: INestApplicationContext | undefined;

  beforeAll(async () => {
    api = await TestApi.start();
  });
  afterAll(async () => {
    await worker?.close();
    await api.close();
  });

  async function startWorker(): Promise<{ subscriber: DurableSubscriber; host: ConsumerHost }> {
    worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(api.config, createRootLogger({ level: 'silent', service: 'worker-test' })), { logger: false });
    await worker.init();
    const host = worker.get(ConsumerHost);
    return { subscriber: host.subscriber('decision-completer'), host };
  }

  async function lastStoredPosition(): Promise<bigint> {
    const { rows } = await api.database.pool.query<{ position: string }>('SELECT max(position)::text AS position FROM events');
    return BigInt(rows[0]!.position);
  }

  it('awards every listed nomination exactly once', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const view = await createAndApprove(api, gso2025.proposer, [gso2025.communeOfficer, gso2025.provinceOfficer], nominationBody2025({
        nominee: { kind: 'collective', name: `Tổ dân phố số ${i + 1}, xã Chiềng Lao`, organization: 'UBND xã Chiềng Lao' },
      }));
      expect(view.status).toBe('approved');
      ids.push(view.id);
    }

    // What the api would have appended before dying.
    const store = new PostgresEventStore(api.database.pool);
    const states = new Map<string, NominationState>();
    for (const id of ids) {
      const events = await store.readStream(`nomination-${id}`);
      states.set(id, events.reduce((s, e) => evolve(s, toNominationEvent(e.type, e.data)), initialNominationState));
    }
    const decider = { id: gso2025.provinceDecider.sub, name: gso2025.provinceDecider.name, unit: '14', codeSet: 'gso-2025', roles: ['decider' as const] };
    const validation = validateDecision(states, ids, { actor: decider, signedOn: '2025-12-01', baseSalaries: loadReferenceData().baseSalaries });
    if (!validation.ok) throw new Error(JSON.stringify(validation.offending));
    const decisionId = deterministicUuid('test-decision', ids.join(','));
    const [issued] = decideDecision(initialDecisionState, {
      type: 'IssueDecision', decisionId, number: '77/QĐ-UBND', signedOn: '2025-12-01',
      signer: { name: 'Nguyễn Đình Việt', title: 'Chủ tịch UBND tỉnh' }, reason: 'Có thành tích xuất sắc', nominations: validation.nominations,
      issuerAncestry: unitAncestry(testDirectory(), 'gso-2025', '14').map((u) => u.unit),
    }, { now: new Date(), actor: decider });
    const appended = await store.append(`decision-${decisionId}`, [{
      id: deterministicUuid('test-decision-event', decisionId), type: issued!.type, data: issued!.data,
      metadata: { commandId: 'test-command', correlationId: 'test-correlation', actor: decider },
    }], 'no_stream');

    for (const id of ids) expect((await getNomination(api, gso2025.provinceDecider, id)).status).toBe('approved');

    const runner = await startWorker();
    await runner.subscriber.waitFor(appended.position, 20_000);
    // The completer appended the awards before it checkpointed the decision. Wait for the last of them
    // by its stored position: headPosition() may still lag behind it while any transaction elsewhere on
    // the server is open (it reports only what subscribers may already see).
    const awardsEnd = await lastStoredPosition();
    expect(awardsEnd).toBeGreaterThan(appended.position);
    await runner.subscriber.waitFor(awardsEnd, 20_000);
    // The reads come from the read models, which the same worker keeps: wait for them too.
    await runner.host.waitForAll(awardsEnd, 20_000);

    for (const id of ids) {
      const view = await getNomination(api, gso2025.provinceDecider, id);
      expect(view.status).toBe('awarded');
      expect(view.decision).toMatchObject({ decisionId, decisionNumber: '77/QĐ-UBND', signedOn: '2025-12-01' });
    }

    // Replaying the whole log from the start (a lost checkpoint) awards nothing twice.
    await worker!.close();
    worker = undefined;
    await api.database.pool.query('DELETE FROM subscription_checkpoints');
    const again = await startWorker();
    await again.subscriber.waitFor(await lastStoredPosition(), 20_000);
    const { rows } = await api.database.pool.query<{ n: string }>(
      "SELECT count(*) AS n FROM events WHERE type = 'NominationAwarded' AND stream_id = ANY($1)",
      [ids.map((id) => `nomination-${id}`)],
    );
    expect(Number(rows[0]!.n)).toBe(ids.length);

    // Every consumer the worker runs keeps its checkpoint with the identity of the log it read.
    const host = worker!.get(ConsumerHost);
    await host.waitForAll(await lastStoredPosition(), 20_000);
    const { rows: checkpoints } = await api.database.pool.query<{ name: string; store_id: string | null }>(
      'SELECT name, store_id FROM subscription_checkpoints WHERE name = ANY($1) ORDER BY name', [[...host.names]],
    );
    expect(checkpoints.map((c) => c.name)).toEqual([...host.names].sort());
    for (const checkpoint of checkpoints) expect(checkpoint.store_id).toBe(await store.identity());
    await store.close();
  });
});
