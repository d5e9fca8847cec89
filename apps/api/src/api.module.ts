import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, DiscoveryModule } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import type { Logger } from 'pino';
import type { AppConfig } from '@app/config';
import { AuditTrailModule } from '@app/audit-trail';
import { AuthModule } from '@app/auth';
import { PlatformModule } from '@app/platform';
import { ReadModelsModule } from '@app/read-models';
import { WorkflowModule } from '@app/workflow';
import { NotificationsModule } from '@app/notifications';
import { AdminController } from './admin/admin.controller';
import { AuditTrailController } from './audit/audit-trail.controller';
import { AuditVerificationController } from './audit/audit-verification.controller';
import { NotificationsController } from './admin/notifications.controller';
import { DecisionsController } from './decisions/decisions.controller';
import { HealthController } from './health/health.controller';
import { IdempotencyInterceptor } from './http/idempotency.interceptor';
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
      imports: [PlatformModule.forRoot(config, logger), CqrsModule.forRoot(), DiscoveryModule, AuthModule, WorkflowModule, ReadModelsModule, AuditTrailModule, NotificationsModule.forApi(config)],
      controllers: [
        HealthController, NominationsController, DecisionsController, InboxController, ReportsController, ReferenceDataController, AdminController,
        NotificationsController, SignInController, AuditVerificationController, AuditTrailController,
        // Not merely refused in production: the routes are not registered at all.
        ...(developmentSignInEnabled(config) ? [DevelopmentSignInController] : []),
      ],
      providers: [
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
        RouteCatalogue,
        ReplayAccess,
      ],
    };
  }
}
