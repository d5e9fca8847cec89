import { Controller, Get, Res } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '@app/auth';
import { ReadinessChecks } from '@app/platform';
import { DependencyCheckDto, LivenessDto, PublicReadinessDto } from './health.dto';

@ApiTags('operations')
@ApiExtraModels(DependencyCheckDto)
@Public()
@Controller()
export class HealthController {
  constructor(private readonly readiness: ReadinessChecks) {}

  @Get('health/live')
  // No token: load balancers and orchestrators call these.
  @ApiOperation({ summary: 'Liveness: the process is running', security: [] })
  @ApiOkResponse({ description: 'The process is running.', type: LivenessDto })
  live(): LivenessDto {
    return { status: 'ok' };
  }

  /** Public: only up or down. Which dependency failed, and why, is on the internal port (METRICS_PORT). */
  @Get('health/ready')
  @ApiOperation({ summary: 'Readiness: every dependency answers (details only on the internal METRICS_PORT)', security: [] })
  @ApiOkResponse({ description: 'Database, Redis and the event store all answer.', type: PublicReadinessDto })
  @ApiServiceUnavailableResponse({ description: 'At least one dependency does not answer; which one, and why, is on the internal port.', type: PublicReadinessDto })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<PublicReadinessDto> {
    const results = await this.readiness.check();
    const up = results.every((r) => r.up);
    void reply.status(up ? 200 : 503);
    return { status: up ? 'up' : 'down' };
  }
}
