import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { REDIS, ROOT_LOGGER } from '@app/platform';
import { RecordsModule, STAFF_RECORDS, type StaffRecords } from '@app/records';
import { AuthGuard } from './auth.guard';
import { Authenticator } from './authenticator';
import { StaffAccess, staffLookupOf } from './staff-access';
import { TokenVerifier } from './token-verifier';
import { WriteRateLimitGuard } from './write-rate-limit.guard';
import { WriteRateLimiter } from './write-rate-limiter';

/**
 * Authentication (token, then the staff directory), roles and rate limits for every route of the
 * importing app. Needs APP_CONFIG, PG_POOL, REDIS and ROOT_LOGGER, i.e. PlatformModule.forRoot(...) first.
 */
@Module({
  imports: [RecordsModule],
  providers: [
    {
      provide: TokenVerifier,
      inject: [APP_CONFIG, ROOT_LOGGER],
      useFactory: (config: AppConfig, logger: Logger) =>
        new TokenVerifier(config.auth, { logger: logger.child({ component: 'auth' }), maxTokenAgeSeconds: config.authMaxTokenAgeSeconds }),
    },
    {
      provide: Authenticator,
      inject: [TokenVerifier, STAFF_RECORDS, APP_CONFIG],
      useFactory: (verifier: TokenVerifier, staff: StaffRecords, config: AppConfig) =>
        new Authenticator(verifier, new StaffAccess(staffLookupOf(staff), config.authStaffCacheSeconds * 1000)),
    },
    {
      provide: WriteRateLimiter,
      inject: [REDIS, APP_CONFIG, ROOT_LOGGER],
      useFactory: (redis: Redis, config: AppConfig, logger: Logger) =>
        new WriteRateLimiter(redis, {
          limitPerMinute: config.writeRateLimitPerMinute,
          readLimitPerMinute: config.readRateLimitPerMinute,
          failOpen: config.rateLimitFailOpen,
          keyPrefix: config.queuePrefix,
          logger: logger.child({ component: 'write-rate-limit' }),
        }),
    },
    // Global guards run in the order they are listed: the rate limit needs the actor AuthGuard attaches.
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: APP_GUARD, useClass: WriteRateLimitGuard },
  ],
  exports: [TokenVerifier, Authenticator, WriteRateLimiter],
})
export class AuthModule {}
