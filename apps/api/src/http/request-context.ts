import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { correlationFields, Metrics, type CorrelatedRequest } from '@app/observability';

/**
 * Gives every request its own correlation context (request id from a valid `X-Request-Id` or a new
 * UUID) as a property of the request, not in AsyncLocalStorage (whose promise hook every await of the
 * process would pay for), echoes the id back, and writes one structured access-log line and metric
 * per request, with the correlation id and user.
 */
export function installRequestContext(fastify: FastifyInstance, logger: Logger, metrics: Metrics): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    (request as { receivedAt?: Date }).receivedAt = new Date();
    void reply.header('x-request-id', request.id);
    (request as CorrelatedRequest).correlation = { correlationId: request.id, scope: 'request' };
    done();
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const seconds = reply.elapsedTime / 1000;
    metrics.httpRequests.observe({ method: request.method, route, status: String(reply.statusCode) }, seconds);
    // The access-log line is built only when it will be written (LOG_LEVEL above info skips it).
    if (logger.isLevelEnabled('info')) {
      logger.info(
        { ...correlationFields(request as CorrelatedRequest), method: request.method, url: request.url, route, status: reply.statusCode, durationMs: Math.round(reply.elapsedTime * 10) / 10 },
        'request completed',
      );
    }
    done();
  });
}
