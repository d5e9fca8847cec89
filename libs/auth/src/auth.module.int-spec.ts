import { Controller, Get, Global, Module, Post } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { APP_CONFIG, loadConfig } from '@app/config';
import { createTestDatabase, type TestDatabase } from '@app/database/testing';
import { PG_POOL, REDIS, ROOT_LOGGER } from '@app/platform';
import type { Actor } from './actor';
import { CurrentActor, Public, Roles } from './auth.decorators';
import { AuthModule } from './auth.module';
import { signDevelopmentToken } from './development-token';
import { createGuardedApp } from './testing/guarded-app';

const PREFIX = `auth-module-int-${process.pid}-${Date.now().toString(36)}`;
const config = loadConfig({
  NODE_ENV: 'test',
  AUTH_JWT_SECRET: 'auth-module-int-spec-secret-0123456789abcdef',
  WRITE_RATE_LIMIT_PER_MINUTE: '2',
  QUEUE_PREFIX: PREFIX,
});
const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
// The staff directory check reads the real staff table of a fresh database.
const database: Promise<TestDatabase> = createTestDatabase({ max: 2 });

/** Stands in for PlatformModule: the globals AuthModule needs, without an event store. */
@Global()
@Module({
  providers: [
    { provide: APP_CONFIG, useValue: config },
    { provide: REDIS, useValue: redis },
    { provide: PG_POOL, useFactory: async () => (await database).pool },
    { provide: ROOT_LOGGER, useValue: pino({ level: 'silent' }) },
  ],
  exports: [APP_CONFIG, REDIS, PG_POOL, ROOT_LOGGER],
})
class FakePlatformModule {}

@Controller('nominations')
class NominationsProbe {
  @Post()
  @Roles('proposer')
  create(@CurrentActor() actor: Actor): { createdBy: string } {
    return { createdBy: actor.id };
  }

  @Get('health')
  @Public()
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }
}

@Module({ imports: [FakePlatformModule, AuthModule], controllers: [NominationsProbe] })
class ProbeAppModule {}

describe('AuthModule', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await createGuardedApp([], [], [ProbeAppModule]);
  });

  afterAll(async () => {
    await app.close();
    const keys = await redis.keys(`${PREFIX}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
    await (await database).drop();
  });

  it('wires authentication, roles and the write limit from configuration, in that order', async () => {
    const token = await signDevelopmentToken({ sub: 'p-03814', name: 'Lò Thị B', roles: ['proposer'], unit: '03814' }, config);
    const headers = { authorization: `Bearer ${token}` };

    expect((await app.inject({ method: 'GET', url: '/nominations/health' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: '/nominations' })).statusCode).toBe(401);
    const auditor = await signDevelopmentToken({ sub: 'a-14', name: 'Auditor', roles: ['auditor'], unit: '14' }, config);
    expect((await app.inject({ method: 'POST', url: '/nominations', headers: { authorization: `Bearer ${auditor}` } })).statusCode).toBe(403);

    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await app.inject({ method: 'POST', url: '/nominations', headers })).statusCode);
    expect(statuses).toEqual([201, 201, 429]);
    expect(await redis.keys(`${PREFIX}:*`)).toEqual([`${PREFIX}:write-rate:p-03814`]);
  });
});
