import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Metrics } from '@app/observability';
import { problem } from '../apps/api/src/http/problem';
import { workerMetricsHandler, workerProblem } from '../apps/worker/src/worker-metrics.server';

/**
 * The worker's metrics listener answers every refusal and failure as problem+json, with exactly the
 * body the api's error table gives the same code (one vocabulary for every process of the service).
 */
describe("the worker's metrics listener", () => {
  let server: Server;
  let base: string;
  let failing = false;
  const logged: unknown[] = [];

  beforeAll(async () => {
    const metrics = new Metrics();
    const registry = new Proxy(metrics.registry, {
      get(target, property, receiver) {
        if (property === 'metrics' && failing) return () => Promise.reject(new Error('registry broken'));
        const value = Reflect.get(target, property, receiver) as unknown;
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    server = createServer(workerMetricsHandler({ registry }, { error: (entry: unknown) => void logged.push(entry) } as never));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('serves /metrics and /health/live', async () => {
    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('durable_consumer_feed_batches_total');
    const live = await fetch(`${base}/health/live`);
    expect(await live.json()).toEqual({ status: 'ok' });
  });

  it.each([
    ['an unknown path', '/nothing-here', 'GET', 404, 'not_found'],
    ['another method', '/metrics', 'POST', 405, 'method_not_allowed'],
  ] as const)('refuses %s as problem+json, as the api would', async (_what, path, method, status, code) => {
    const response = await fetch(`${base}${path}`, { method });
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    if (status === 405) expect(response.headers.get('allow')).toBe('GET');
    const body = (await response.json()) as { detail: string };
    expect(body).toEqual(problem(code, body.detail));
    expect(body.detail.length).toBeGreaterThan(0);
  });

  it('answers a failure with a 500 problem, and logs it', async () => {
    failing = true;
    try {
      const response = await fetch(`${base}/metrics`);
      expect(response.status).toBe(500);
      expect(response.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
      const body = (await response.json()) as { detail: string };
      expect(body).toEqual(problem('internal_error', body.detail));
      expect(logged).toHaveLength(1);
    } finally {
      failing = false;
    }
  });

  it("builds each of its codes exactly as the api's error table does", () => {
    for (const code of ['not_found', 'method_not_allowed', 'internal_error'] as const) {
      expect(workerProblem(code, 'x')).toEqual(problem(code, 'x'));
    }
  });
});
