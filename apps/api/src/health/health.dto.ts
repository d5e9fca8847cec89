import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

// OpenAPI descriptions of the health answers (never instantiated).

export class LivenessDto {
  @ApiProperty({ enum: ['ok'], example: 'ok' }) readonly status: 'ok';
}

export class DependencyCheckDto {
  @ApiProperty({ enum: ['up', 'down', 'stuck'], example: 'up', description: '`stuck`: only for `projections`.' }) readonly status: 'up' | 'down' | 'stuck';
  @ApiPropertyOptional({ example: 'no answer within 2000 ms', description: 'Why the dependency is down.' }) readonly detail?: string;
}

/** The internal port's readiness answer (METRICS_PORT), with each dependency's detail. */
export class ReadinessDto {
  @ApiProperty({ enum: ['ready', 'degraded', 'not_ready'], example: 'ready' }) readonly status: 'ready' | 'degraded' | 'not_ready';

  @ApiProperty({
    type: 'object',
    additionalProperties: { $ref: '#/components/schemas/DependencyCheckDto' },
    description: 'One entry per dependency: `database`, `redis`, `eventStore`; and `projections` (the read models) when those answer.',
    example: { database: { status: 'up' }, redis: { status: 'up' }, eventStore: { status: 'down', detail: 'no answer within 2000 ms' } },
  })
  readonly checks: Record<string, DependencyCheckDto>;
}

/** The public readiness answer: up or down, nothing about which dependency or why. */
export class PublicReadinessDto {
  @ApiProperty({ enum: ['up', 'down'], example: 'up' }) readonly status: 'up' | 'down';
}
