import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { REDIS, ROOT_LOGGER } from '@app/platform';
import { AuthGuard } from './auth.guard';
import { TokenVerifier } from './token-verifier';
import { WriteRateLimitGuard } from './write-rate-limit.guard';
import { WriteRateLimiter } from './write-rate-limiter';

/**
 * Authentication, roles and write throttling for every route of the importing app. Needs APP_CONFIG,
 * REDIS and ROOT_LOGGER, i.e. PlatformModule.forRoot(...) imported first.
 */
@Module({
  providers: [
    {
      provide: TokenVerifier,
      inject: [APP_CONFIG, ROOT_LOGGER],
      useFactory: (config: AppConfig, logger: Logger) =>
        new TokenVerifier(config.auth, { logger: logger.child({ component: 'auth' }) }),
    },
    {
      provide: WriteRateLimiter,
      inject: [REDIS, APP_CONFIG, ROOT_LOGGER],
      useFactory: (redis: Redis, config: AppConfig, logger: Logger) =>
        new WriteRateLimiter(redis, {
          limitPerMinute: config.writeRateLimitPerMinute,
          keyPrefix: config.queuePrefix,
          logger: logger.child({ component: 'write-rate-limit' }),
        }),
    },
    // Global guards run in the order they are listed: the rate limit needs the actor AuthGuard attaches.
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: APP_GUARD, useClass: WriteRateLimitGuard },
  ],
  exports: [TokenVerifier, WriteRateLimiter],
})
export class AuthModule {}
