import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from 'pino';
import { Metrics, processGroupMetrics } from '@app/observability';
import { ReadinessChecks } from '@app/platform';
import { ProjectionStatus } from '@app/read-models';
import { problem, type ProblemBody } from '../http/problem';

/**
 * The internal listener (METRICS_PORT): Prometheus metrics and readiness with each dependency's
 * detail. Route names, error texts and counts say a lot about the deployment, so they are not on the
 * public port; this one is for the scraper and the orchestrator, inside the network.
 */
export class OpsServer {
  private constructor(private readonly server: Server) {}

  static async start(app: NestFastifyApplication, port: number, host: string, logger: Logger): Promise<OpsServer> {
    const metrics = app.get(Metrics);
    const readiness = app.get(ReadinessChecks);
    const projections = app.get(ProjectionStatus);
    const server = createServer((request, response) => {
      handle(request, response, metrics, readiness, projections).catch((error: unknown) => {
        logger.error({ err: error }, 'ops listener failed to answer');
        if (!response.headersSent) sendProblem(response, problem('internal_error', 'An unexpected error occurred; it has been logged.'));
        else response.end();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    return new OpsServer(server);
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

async function handle(
  request: IncomingMessage,
  response: ServerResponse,
  metrics: Metrics,
  readiness: ReadinessChecks,
  projections: ProjectionStatus,
): Promise<void> {
  const path = (request.url ?? '/').split('?')[0];
  if (request.method !== 'GET') {
    sendProblem(response, problem('method_not_allowed', `${request.method ?? 'This method'} is not allowed here; use GET.`), { allow: 'GET' });
    return;
  }
  if (path === '/metrics') {
    // With API_PROCESSES > 1 every process shares this port too; each answers for the whole group.
    const text = await processGroupMetrics(metrics.registry);
    response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'cache-control': 'no-store' }).end(text);
    return;
  }
  if (path === '/health/ready') {
    const results = await readiness.check();
    const up = results.every((r) => r.up);
    const checks: Record<string, unknown> = Object.fromEntries(results.map((r) => [r.name, r.up ? { status: 'up' } : { status: 'down', detail: r.detail }]));
    // A stuck read model (oldest unprocessed event older than PROJECTION_STUCK_SECONDS: the worker is
    // down or failing) degrades readiness but keeps 200: commands work, reads are stale.
    let degraded = false;
    if (up) {
      const states = await projections.states().catch(() => undefined);
      const stuck = states === undefined ? [] : states.filter((s) => s.stuck);
      degraded = states === undefined || stuck.length > 0;
      checks['projections'] = states === undefined
        ? { status: 'down', detail: 'projection checkpoints could not be read' }
        : stuck.length === 0
          ? { status: 'up' }
          : { status: 'stuck', detail: stuck.map((s) => `${s.name}: ${s.behindEvents} events, ${Math.round(s.behindSeconds)} s behind`).join('; ') };
    }
    const body = { status: up ? (degraded ? 'degraded' : 'ready') : 'not_ready', checks };
    response.writeHead(up ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
    return;
  }
  if (path === '/health/live') {
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    return;
  }
  sendProblem(response, problem('not_found', 'This listener serves /metrics, /health/ready and /health/live.'));
}

/** The ops listener's refusals are problem+json too, like every other answer of the process. */
function sendProblem(response: ServerResponse, body: ProblemBody, headers: Readonly<Record<string, string>> = {}): void {
  response.writeHead(body.status, { ...headers, 'content-type': 'application/problem+json; charset=utf-8', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}
