import { randomUUID } from 'node:crypto';
import { PostgresEventStore } from '@app/event-store';
import { createRootLogger } from '@app/observability';
import { type ConsumedEvent, DurableSubscriber } from '@app/platform';
import { gso2004, nominationBody } from './support/nomination-fixtures';
import { TestApi } from './support/test-api';

/**
 * An event written by an older version of the service (NominationUpdated schema v1, before `previous`)
 * sits in a stream. The command path folds it through the codec and goes on; a subscriber receives it
 * upcast to the current version; the history shows the current shape.
 */
describe('an old-shape event in the log', () => {
  let api: TestApi;
  let store: PostgresEventStore;

  beforeAll(async () => {
    api = await TestApi.start();
    store = new PostgresEventStore(api.database.pool);
  });
  afterAll(async () => {
    await store.close();
    await api.close();
  });

  it('is upcast on the command path, in subscribers and in the history', async () => {
    const created = await api.request({ method: 'POST', url: '/nominations', as: gso2004.proposer, body: nominationBody() });
    expect(created.statusCode).toBe(201);
    const id = created.json<{ id: string }>().id;
    const v1 = {
      schemaVersion: 1, at: new Date().toISOString(),
      by: { id: gso2004.proposer.sub, name: gso2004.proposer.name, unit: gso2004.proposer.unit, roles: ['proposer'] },
      changes: { year: 2021 },
    };
    const appended = await store.append(`nomination-${id}`, [{ id: randomUUID(), type: 'NominationUpdated', data: v1, metadata: { commandId: randomUUID() } }], 0);

    // Command path: the fold reads v1, and the next command is decided on the updated state.
    const submitted = await api.request({ method: 'POST', url: `/nominations/${id}/submit`, as: gso2004.proposer, body: {} });
    expect(submitted.statusCode).toBe(200);
    expect(submitted.json()).toMatchObject({ status: 'in_review', year: 2021, revision: 2 });

    // History: the current shape, `previous` unknown for the old event.
    const history = await api.request({ method: 'GET', url: `/nominations/${id}/history`, as: gso2004.proposer });
    expect(history.json().items[1]).toMatchObject({ type: 'NominationUpdated', data: { schemaVersion: 2, changes: { year: 2021 }, previous: null } });

    // Subscriber path: the consumer gets the upcast event, typed.
    const seen: ConsumedEvent[] = [];
    const subscriber = new DurableSubscriber(api.database.pool, store, {
      name: `upcast-${randomUUID()}`,
      categories: ['nomination'],
      handle: async (events) => {
        seen.push(...events);
      },
    }, createRootLogger({ level: 'silent', service: 'test' }));
    subscriber.start();
    await subscriber.waitFor(appended.position);
    await subscriber.stop();
    const old = seen.find((e) => e.position === appended.position);
    expect(old?.event).toEqual({ type: 'NominationUpdated', data: { ...v1, schemaVersion: 2, previous: null } });

    // Projection path: the read models fold it like any other event.
    await api.startWorker();
    const position = submitted.headers['log-position'] as string;
    const listed = await api.request({ method: 'GET', url: `/nominations?year=2021&minPosition=${position}`, as: gso2004.proposer });
    expect(listed.json().items.map((n: { id: string }) => n.id)).toEqual([id]);
    const read = await api.request({ method: 'GET', url: `/nominations/${id}?minPosition=${position}`, as: gso2004.proposer });
    expect(read.json()).toMatchObject({ status: 'in_review', year: 2021, revision: 2 });
  });
});
