import { Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import type { AppConfig } from '@app/config';
import { AuditTrailProjectionModule } from '@app/audit-trail';
import { ConsumerHostModule, PlatformModule } from '@app/platform';
import { ReadModelsModule } from '@app/read-models';
import { WorkflowModule } from '@app/workflow';
import { AuditSealerRunner } from './audit-sealer.runner';
import { IdempotencyPurgeRunner } from './idempotency-purge.runner';

@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig, logger: Logger): DynamicModule {
    return {
      module: WorkerModule,
      imports: [PlatformModule.forRoot(config, logger), WorkflowModule, ReadModelsModule, AuditTrailProjectionModule, ConsumerHostModule],
      providers: [IdempotencyPurgeRunner, AuditSealerRunner],
    };
  }
}
