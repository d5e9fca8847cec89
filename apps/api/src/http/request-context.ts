import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { Metrics, runWithCorrelation } from '@app/observability';

/**
 * Runs every request inside its own correlation context (request id from a valid `X-Request-Id` or a
 * new UUID), echoes the id back, and writes one structured access-log line and metric per request.
 */
export function installRequestContext(fastify: FastifyInstance, logger: Logger, metrics: Metrics): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    (request as { receivedAt?: Date }).receivedAt = new Date();
    void reply.header('x-request-id', request.id);
    runWithCorrelation({ correlationId: request.id, scope: 'request' }, done);
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const seconds = reply.elapsedTime / 1000;
    metrics.httpRequests.observe({ method: request.method, route, status: String(reply.statusCode) }, seconds);
    logger.info(
      { method: request.method, url: request.url, route, status: reply.statusCode, durationMs: Math.round(reply.elapsedTime * 10) / 10 },
      'request completed',
    );
    done();
  });
}
