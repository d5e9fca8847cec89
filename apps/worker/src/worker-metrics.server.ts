import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { Metrics } from '@app/observability';
import { ROOT_LOGGER } from '@app/platform';

/**
 * The refusals this listener can give, with the api's statuses, titles and public codes for them
 * (apps/api/src/http/error-table.ts and problem.ts hold the table; test/worker-metrics-problems.e2e-spec.ts
 * checks that these bodies are exactly the api's).
 */
const ANSWERS = {
  not_found: { status: 404, title: 'Not Found' },
  method_not_allowed: { status: 405, title: 'Method Not Allowed' },
  internal_error: { status: 500, title: 'Internal Server Error' },
} as const;

export type WorkerProblemCode = keyof typeof ANSWERS;

/** The RFC 9457 problem+json body of a refusal, shaped as every answer of the api is. */
export function workerProblem(code: WorkerProblemCode, detail: string): { type: string; title: string; status: number; detail: string; code: string } {
  const { status, title } = ANSWERS[code];
  return { type: `https://nomination-approvals.local/problems/${code.replace(/_/g, '-')}`, title, status, detail, code };
}

function sendProblem(response: ServerResponse, code: WorkerProblemCode, detail: string, headers: Readonly<Record<string, string>> = {}): void {
  const body = workerProblem(code, detail);
  response.writeHead(body.status, { ...headers, 'content-type': 'application/problem+json; charset=utf-8', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}

/**
 * The listener's answers: GET /metrics (Prometheus text) and GET /health/live; anything else is a
 * problem+json refusal (404, 405 with Allow), and a failure a 500 problem, never an empty body.
 */
export function workerMetricsHandler(metrics: Pick<Metrics, 'registry'>, logger: Pick<Logger, 'error'>): RequestListener {
  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET') {
      sendProblem(response, 'method_not_allowed', `${request.method ?? 'This method'} is not allowed here; use GET.`, { allow: 'GET' });
      return;
    }
    if (path === '/metrics') {
      const text = await metrics.registry.metrics();
      response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'cache-control': 'no-store' }).end(text);
      return;
    }
    if (path === '/health/live') {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    sendProblem(response, 'not_found', 'This listener serves /metrics and /health/live.');
  };
  return (request, response) => {
    handle(request, response).catch((error: unknown) => {
      logger.error({ err: error }, 'worker metrics listener failed to answer');
      if (!response.headersSent) sendProblem(response, 'internal_error', 'An unexpected error occurred; it has been logged.');
      else response.end();
    });
  };
}

/**
 * The worker's own GET /metrics (Prometheus text) on WORKER_METRICS_PORT: the e-mails it sent and
 * failed, their latency, the queue depth, its consumers' batches. The worker serves nothing else over HTTP.
 */
@Injectable()
export class WorkerMetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private server: Server | undefined;

  constructor(
    private readonly metrics: Metrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const port = this.config.notifications.workerMetricsPort;
    if (port === 0) return;
    this.server = createServer(workerMetricsHandler(this.metrics, this.logger));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '0.0.0.0', () => resolve());
    });
    this.logger.info({ port }, 'worker metrics listening');
  }

  async onApplicationShutdown(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
