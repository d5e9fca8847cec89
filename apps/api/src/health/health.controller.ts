import { Controller, Get, Header, HttpCode, Res } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiExtraModels, ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '@app/auth';
import { Metrics, processGroupMetrics } from '@app/observability';
import { ReadinessChecks } from '@app/platform';
import { DependencyCheckDto, LivenessDto, ReadinessDto } from './health.dto';

@ApiTags('operations')
@ApiExtraModels(DependencyCheckDto)
@Public()
@Controller()
export class HealthController {
  constructor(
    private readonly readiness: ReadinessChecks,
    private readonly metrics: Metrics,
  ) {}

  @Get('health/live')
  // No token: load balancers and orchestrators call these.
  @ApiOperation({ summary: 'Liveness: the process is running', security: [] })
  @ApiOkResponse({ description: 'The process is running.', type: LivenessDto })
  live(): LivenessDto {
    return { status: 'ok' };
  }

  @Get('health/ready')
  @ApiOperation({ summary: 'Readiness: every dependency answers', security: [] })
  @ApiOkResponse({ description: 'Database, Redis and the event store all answer.', type: ReadinessDto })
  @ApiServiceUnavailableResponse({ description: 'At least one dependency does not answer; `checks` says which.', type: ReadinessDto })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<ReadinessDto> {
    const results = await this.readiness.check();
    const up = results.every((r) => r.up);
    void reply.status(up ? 200 : 503);
    return {
      status: up ? 'ready' : 'not_ready',
      checks: Object.fromEntries(results.map((r) => [r.name, r.up ? { status: 'up' as const } : { status: 'down' as const, ...(r.detail !== undefined ? { detail: r.detail } : {}) }])),
    };
  }

  @Get('metrics')
  @HttpCode(200)
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiExcludeEndpoint()
  async metricsText(): Promise<string> {
    return processGroupMetrics(this.metrics.registry);
  }
}
