import { Global, Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { AUDIT_KEY_RING, AUDIT_SERVICES, createAuditServices, loadAuditKeyRing, type AuditKeyRing } from '@app/audit';
import { ConfigModule, type AppConfig } from '@app/config';
import { createPool } from '@app/database';
import { EVENT_STORE, type EventStore } from '@app/event-store';
import { Metrics } from '@app/observability';
import { createEventStore } from './event-store.factory';
import { ReadinessChecks } from './health.indicators';
import { PG_POOL, REDIS, ROOT_LOGGER } from './platform.tokens';

/**
 * The process-wide resources of an api or worker process: configuration, the PostgreSQL pool, the
 * event store chosen by configuration, Redis, the root logger and the metrics registry.
 */
@Global()
@Module({})
export class PlatformModule implements OnApplicationShutdown {
  static forRoot(config: AppConfig, logger: Logger): DynamicModule {
    return {
      module: PlatformModule,
      imports: [ConfigModule.forRoot(config)],
      providers: [
        { provide: ROOT_LOGGER, useValue: logger },
        { provide: Metrics, useValue: new Metrics() },
        {
          provide: PG_POOL,
          // An idle client losing its connection (database restart) must not crash the process.
          useFactory: () => createPool(config.databaseUrl, {
            max: config.databasePoolMax,
            onIdleClientError: (error) => logger.warn({ err: error }, 'idle PostgreSQL client failed'),
          }),
        },
        // Read (or, in development, generated) once at start: the event store MACs every append with it.
        { provide: AUDIT_KEY_RING, useFactory: () => loadAuditKeyRing(config) },
        {
          provide: EVENT_STORE,
          inject: [PG_POOL, AUDIT_KEY_RING],
          useFactory: (pool: Pool, keys: AuditKeyRing) => createEventStore(config, pool, logger, keys),
        },
        {
          provide: AUDIT_SERVICES,
          inject: [PG_POOL, EVENT_STORE, AUDIT_KEY_RING],
          useFactory: (pool: Pool, store: EventStore, keys: AuditKeyRing) => createAuditServices(pool, store, keys),
        },
        {
          provide: REDIS,
          useFactory: () => {
            const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null, lazyConnect: false });
            redis.on('error', (error) => logger.warn({ err: error }, 'Redis connection error'));
            return redis;
          },
        },
        {
          provide: ReadinessChecks,
          inject: [PG_POOL, REDIS, EVENT_STORE],
          useFactory: (pool: Pool, redis: Redis, eventStore: EventStore) => new ReadinessChecks({ pool, redis, eventStore }),
        },
      ],
      exports: [ConfigModule, ROOT_LOGGER, Metrics, PG_POOL, AUDIT_KEY_RING, AUDIT_SERVICES, EVENT_STORE, REDIS, ReadinessChecks],
    };
  }

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.eventStore.close().catch(() => undefined);
    this.redis.disconnect();
    await this.pool.end().catch(() => undefined);
  }
}
