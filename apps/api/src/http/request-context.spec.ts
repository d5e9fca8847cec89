import { Writable } from 'node:stream';
import Fastify from 'fastify';
import pino from 'pino';
import { Metrics } from '@app/observability';
import { installRequestContext } from './request-context';

/** A logger at `level` whose JSON lines are collected. */
function collectingLogger(level: string): { logger: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level }, sink), lines };
}

async function serveOnce(level: string): Promise<{ lines: Record<string, unknown>[]; requestId: string | undefined; observed: number }> {
  const { logger, lines } = collectingLogger(level);
  const metrics = new Metrics();
  const fastify = Fastify();
  installRequestContext(fastify, logger, metrics);
  fastify.get('/ping', async () => ({ ok: true }));
  try {
    const response = await fastify.inject({ method: 'GET', url: '/ping' });
    const histogram = await metrics.httpRequests.get();
    const observed = histogram.values.find((v) => v.metricName === 'http_request_duration_seconds_count' && v.labels['route'] === '/ping')?.value ?? 0;
    return { lines, requestId: response.headers['x-request-id'] as string | undefined, observed };
  } finally {
    await fastify.close();
  }
}

describe('the request context', () => {
  it('writes one access-log line per request at info, with its correlation id, route and status', async () => {
    const { lines, requestId, observed } = await serveOnce('info');
    const access = lines.filter((line) => line['msg'] === 'request completed');
    expect(access).toHaveLength(1);
    expect(access[0]).toMatchObject({ method: 'GET', url: '/ping', route: '/ping', status: 200, correlationId: requestId });
    expect(observed).toBe(1);
  });

  it('writes no access-log line when the level is above info, and still counts the request', async () => {
    const { lines, observed } = await serveOnce('warn');
    expect(lines.filter((line) => line['msg'] === 'request completed')).toEqual([]);
    expect(observed).toBe(1);
  });
});
