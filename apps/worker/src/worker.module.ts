import { Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import type { AppConfig } from '@app/config';
import { AuditTrailProjectionModule } from '@app/audit-trail';
import { NotificationsModule, type NotificationClock } from '@app/notifications';
import { ConsumerHostModule, PlatformModule } from '@app/platform';
import { ReadModelsModule } from '@app/read-models';
import { ApplicationModule } from '@app/application';
import { AuditSealerRunner } from './audit-sealer.runner';
import { IdempotencyPurgeRunner } from './idempotency-purge.runner';
import { WorkerMetricsServer } from './worker-metrics.server';

export interface WorkerOptions {
  /** The time reminders and digests go by (tests move it); the system clock otherwise. */
  readonly clock?: NotificationClock;
}

@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig, logger: Logger, options: WorkerOptions = {}): DynamicModule {
    return {
      module: WorkerModule,
      imports: [PlatformModule.forRoot(config, logger), ApplicationModule, ReadModelsModule, AuditTrailProjectionModule, ConsumerHostModule, NotificationsModule.forWorker(config, options.clock)],
      providers: [IdempotencyPurgeRunner, AuditSealerRunner, WorkerMetricsServer],
    };
  }
}
