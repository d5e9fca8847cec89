import { createNomination, gso2004 } from './support/nomination-fixtures';
import { createRootLogger } from '@app/observability';
import { OpsServer } from '../apps/api/src/health/ops-server';
import { TestApi } from './support/test-api';

async function eventually<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met in time; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** /metrics and /health/ready tell an operator when the read models fall behind, and when they are back. */
describe('projection lag in /metrics and /health/ready', () => {
  let api: TestApi;
  let ops: OpsServer;
  beforeAll(async () => {
    api = await TestApi.start({ PROJECTION_STUCK_SECONDS: '1' });
    ops = await OpsServer.start(api.app, 0, '127.0.0.1', createRootLogger({ level: 'silent', service: 'test' }));
  });
  afterAll(async () => {
    await ops.close();
    await api.close();
  });

  /** The internal listener (METRICS_PORT) serves /metrics and the detailed readiness. */
  const internal = async (path: string): Promise<{ statusCode: number; body: string; json(): any }> => { // eslint-disable-line @typescript-eslint/no-explicit-any
    const response = await fetch(`http://127.0.0.1:${ops.port}${path}`);
    const body = await response.text();
    return { statusCode: response.status, body, json: () => JSON.parse(body) };
  };

  const lagOf = (metrics: string, name: string, projection: string): number => {
    const line = metrics.split('\n').find((l) => l.startsWith(`${name}{projection="${projection}"}`));
    return line === undefined ? Number.NaN : Number(line.split(' ').at(-1));
  };

  it('shows events and seconds behind, degrades readiness while no worker projects, and recovers', async () => {
    await createNomination(api, gso2004.proposer);
    await createNomination(api, gso2004.proposer);
    // Eventually: an open transaction anywhere on the server may hold new events back from readers for a moment.
    const metrics = await eventually(async () => (await internal('/metrics')).body, (m) => lagOf(m, 'projection_lag_events', 'nominations') === 2);
    expect(lagOf(metrics, 'projection_lag_events', 'nominations')).toBe(2);
    expect(lagOf(metrics, 'projection_lag_seconds', 'inbox')).toBeGreaterThanOrEqual(0);

    // No worker: once the oldest unprojected event is older than PROJECTION_STUCK_SECONDS, degraded.
    const degraded = await eventually(() => internal('/health/ready'), (r) => r.json().status === 'degraded');
    expect(degraded.statusCode).toBe(200);
    expect(degraded.json().checks.projections).toMatchObject({ status: 'stuck', detail: expect.stringContaining('nominations: 2 events') });

    await api.startWorker();
    const ready = await eventually(() => internal('/health/ready'), (r) => r.json().status === 'ready');
    expect(ready.json().checks.projections).toEqual({ status: 'up' });
    const after = (await internal('/metrics')).body;
    expect(lagOf(after, 'projection_lag_events', 'nominations')).toBe(0);
    expect(lagOf(after, 'projection_lag_seconds', 'nominations')).toBe(0);
  });
});
