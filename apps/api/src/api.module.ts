import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, DiscoveryModule } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import type { Logger } from 'pino';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { EVENT_STORE, type EventStore } from '@app/event-store';
import { AuditTrailModule } from '@app/audit-trail';
import { AuthModule } from '@app/auth';
import { PlatformModule } from '@app/platform';
import { ReadModelsModule } from '@app/read-models';
import { attachStreamStateCache, StreamStateCache, ApplicationModule } from '@app/application';
import { NotificationsModule } from '@app/notifications';
import { AdminController } from './admin/admin.controller';
import { AuditTrailController } from './audit/audit-trail.controller';
import { AuditVerificationController } from './audit/audit-verification.controller';
import { NotificationsController } from './admin/notifications.controller';
import { DecisionsController } from './decisions/decisions.controller';
import { HealthController } from './health/health.controller';
import { IdempotencyGuard } from './http/idempotency';
import { NominationsController } from './nominations/nominations.controller';
import { ReferenceDataController } from './reference-data/reference-data.controller';
import { InboxController } from './reading/inbox.controller';
import { ReportsController } from './reading/reports.controller';
import { DevelopmentSignInController, developmentSignInEnabled, SignInController } from './console/sign-in.controller';
import { ProblemDetailsFilter } from './http/problem-details.filter';
import { RouteCatalogue } from './http/route-catalogue';
import { ReplayAccess } from './http/replay-access';

@Module({})
export class ApiModule {
  static forRoot(config: AppConfig, logger: Logger): DynamicModule {
    return {
      module: ApiModule,
      imports: [PlatformModule.forRoot(config, logger), CqrsModule.forRoot(), DiscoveryModule, AuthModule, ApplicationModule, ReadModelsModule, AuditTrailModule, NotificationsModule.forApi(config)],
      controllers: [
        HealthController, NominationsController, DecisionsController, InboxController, ReportsController, ReferenceDataController, AdminController,
        NotificationsController, SignInController, AuditVerificationController, AuditTrailController,
        // Not merely refused in production: the routes are not registered at all.
        ...(developmentSignInEnabled(config) ? [DevelopmentSignInController] : []),
      ],
      providers: [
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        // Not an APP_GUARD: createApiApp adds it after the auth and rate-limit guards.
        IdempotencyGuard,
        RouteCatalogue,
        ReplayAccess,
        {
          // Commands in this process start from the stream state it last read or wrote (STREAM_CACHE_*).
          provide: StreamStateCache,
          inject: [EVENT_STORE, APP_CONFIG],
          useFactory: (store: EventStore, appConfig: AppConfig) => {
            const cache = new StreamStateCache({ maxStreams: appConfig.streamCacheStreams, maxBytes: appConfig.streamCacheMegabytes * 1_048_576 });
            attachStreamStateCache(store, cache);
            return cache;
          },
        },
      ],
    };
  }
}
