import { Controller, Get, Header, HttpCode, Res } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '@app/auth';
import { Metrics } from '@app/observability';
import { ReadinessChecks } from '@app/platform';

@ApiTags('operations')
@Public()
@Controller()
export class HealthController {
  constructor(
    private readonly readiness: ReadinessChecks,
    private readonly metrics: Metrics,
  ) {}

  @Get('health/live')
  @ApiOkResponse({ description: 'The process is running.' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('health/ready')
  @ApiOkResponse({ description: 'Database, Redis and the event store all answer.' })
  @ApiServiceUnavailableResponse({ description: 'At least one dependency does not answer; `checks` says which.' })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<{ status: string; checks: Record<string, unknown> }> {
    const results = await this.readiness.check();
    const up = results.every((r) => r.up);
    void reply.status(up ? 200 : 503);
    return {
      status: up ? 'ready' : 'not_ready',
      checks: Object.fromEntries(results.map((r) => [r.name, r.up ? { status: 'up' } : { status: 'down', detail: r.detail }])),
    };
  }

  @Get('metrics')
  @HttpCode(200)
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiExcludeEndpoint()
  async metricsText(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
