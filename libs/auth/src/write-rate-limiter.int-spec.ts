import { createServer, type AddressInfo, type Socket } from 'node:net';
import { jest } from '@jest/globals';
import { Controller, Delete, Get, Patch, Post } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Redis } from 'ioredis';
import { Public } from './auth.decorators';
import { AuthGuard } from './auth.guard';
import { signDevelopmentToken } from './development-token';
import { TokenVerifier, type AuthConfig, type AuthLogger } from './token-verifier';
import { Authenticator } from './authenticator';
import { WriteRateLimitGuard } from './write-rate-limit.guard';
import { WriteRateLimiter } from './write-rate-limiter';
import { createGuardedApp } from './testing/guarded-app';

// The real local Redis; every key of this run lives under its own prefix and is deleted afterwards.
const REDIS_URL = 'redis://127.0.0.1:6379/0';
const PREFIX = `auth-int-${process.pid}-${Date.now().toString(36)}`;
// Where a test is not about Redis timing out: on a loaded machine the real Redis may take longer than the
// 250 ms default to answer (the script's first load especially), and the limiter would then fail open.
const PATIENT = { redisTimeoutMs: 10_000 } as const;

class RecordingLogger implements AuthLogger {
  readonly warnings: { fields: object; message: string }[] = [];
  debug(): void {}
  warn(fields: object, message: string): void {
    this.warnings.push({ fields, message });
  }
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('WriteRateLimiter (Redis)', () => {
  let redis: Redis;
  let test = 0;
  const prefix = (): string => `${PREFIX}:limiter-${(test += 1)}`;

  beforeAll(() => {
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  });

  afterAll(async () => {
    const keys = await redis.keys(`${PREFIX}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('counts per user in a fixed window and refuses beyond the limit with the time left', async () => {
    const limiter = new WriteRateLimiter(redis, { limitPerMinute: 3, keyPrefix: prefix(), ...PATIENT });
    const decisions = [];
    for (let i = 0; i < 4; i += 1) decisions.push(await limiter.hit('u1'));
    expect(decisions.map((d) => [d.allowed, d.count])).toEqual([[true, 1], [true, 2], [true, 3], [false, 4]]);
    expect(decisions[3]!.retryAfterSeconds).toBeGreaterThanOrEqual(59);
    expect(decisions[3]!.retryAfterSeconds).toBeLessThanOrEqual(60);
    expect(await limiter.hit('u2')).toMatchObject({ allowed: true, count: 1 });

    const ttl = await redis.pttl(limiter.keyFor('u1'));
    expect(ttl).toBeGreaterThan(55_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('reserves the budget in blocks: a burst costs Redis a few round trips, and Redis counts no more than was reserved', async () => {
    const limiter = new WriteRateLimiter(redis, { limitPerMinute: 600, keyPrefix: prefix(), ...PATIENT });
    const evalsha = jest.spyOn(redis, 'evalsha');
    try {
      const decisions = await Promise.all(Array.from({ length: 100 }, () => limiter.hit('u1')));
      expect(decisions.every((d) => d.allowed)).toBe(true);
      // Every request got its own place in the window's count.
      expect(new Set(decisions.map((d) => d.count)).size).toBe(100);
      expect(evalsha.mock.calls.length).toBeLessThanOrEqual(6);
      const counted = Number(await redis.get(limiter.keyFor('u1')));
      expect(counted).toBeGreaterThanOrEqual(100);
      expect(counted).toBeLessThanOrEqual(100 + 37 + 37);
    } finally {
      evalsha.mockRestore();
    }
  });

  it('never lets more than the limit through in a window, across processes reserving at the same time', async () => {
    const keyPrefix = prefix();
    // Two api processes: two limiters with their own leases on one Redis.
    const processes = [new WriteRateLimiter(redis, { limitPerMinute: 200, keyPrefix, ...PATIENT }), new WriteRateLimiter(redis, { limitPerMinute: 200, keyPrefix, ...PATIENT })];
    const decisions = await Promise.all(Array.from({ length: 300 }, (_, i) => processes[i % 2]!.hit('u1')));
    // Until both are refused, each spends what it reserved: exactly the limit, never more.
    const more = await Promise.all(Array.from({ length: 40 }, (_, i) => processes[i % 2]!.hit('u1')));
    const allowed = [...decisions, ...more].filter((d) => d.allowed);
    expect(allowed).toHaveLength(200);
    expect(new Set(allowed.map((d) => d.count)).size).toBe(200);
    expect(Math.max(...allowed.map((d) => d.count))).toBe(200);
    expect(more.every((d) => !d.allowed && d.retryAfterSeconds >= 1)).toBe(true);
  });

  it('failing closed, counts every request in Redis itself, one round trip each', async () => {
    const limiter = new WriteRateLimiter(redis, { limitPerMinute: 600, keyPrefix: prefix(), failOpen: false, ...PATIENT });
    for (let i = 0; i < 5; i += 1) await limiter.hit('u1');
    expect(Number(await redis.get(limiter.keyFor('u1')))).toBe(5);
  });

  it('does not extend the window with later writes, and starts afresh once it ends', async () => {
    const limiter = new WriteRateLimiter(redis, { limitPerMinute: 2, keyPrefix: prefix(), windowMs: 400, ...PATIENT });
    await limiter.hit('u1');
    const firstTtl = await redis.pttl(limiter.keyFor('u1'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await limiter.hit('u1');
    expect(await redis.pttl(limiter.keyFor('u1'))).toBeLessThan(firstTtl);
    expect((await limiter.hit('u1')).allowed).toBe(false);
    await waitFor(async () => (await redis.exists(limiter.keyFor('u1'))) === 0);
    expect(await limiter.hit('u1')).toMatchObject({ allowed: true, count: 1 });
  });

  it('gives a counter that lost its expiry a fresh window instead of blocking forever', async () => {
    const limiter = new WriteRateLimiter(redis, { limitPerMinute: 1, keyPrefix: prefix(), ...PATIENT });
    await redis.set(limiter.keyFor('u1'), '7');
    expect(await limiter.hit('u1')).toMatchObject({ allowed: false, count: 8, retryAfterSeconds: 60 });
    expect(await redis.pttl(limiter.keyFor('u1'))).toBeGreaterThan(0);
  });

  it('loads the script again when Redis has forgotten it (NOSCRIPT)', async () => {
    const limiter = new WriteRateLimiter(redis, { limitPerMinute: 5, keyPrefix: prefix(), ...PATIENT });
    const evalsha = jest.spyOn(redis, 'evalsha').mockRejectedValueOnce(new Error('NOSCRIPT No matching script. Please use EVAL.'));
    try {
      expect(await limiter.hit('u1')).toMatchObject({ allowed: true, count: 1 });
    } finally {
      evalsha.mockRestore();
    }
  });

  it('fails open, warning once, when Redis accepts connections but never answers', async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const hung = new Redis({ host: '127.0.0.1', port: (silent.address() as AddressInfo).port, maxRetriesPerRequest: null });
    hung.on('error', () => undefined);
    const logger = new RecordingLogger();
    const limiter = new WriteRateLimiter(hung, { limitPerMinute: 1, keyPrefix: prefix(), logger, redisTimeoutMs: 100 });
    try {
      const started = Date.now();
      const decisions = [await limiter.hit('u1'), await limiter.hit('u1'), await limiter.hit('u1')];
      expect(decisions.every((d) => d.allowed)).toBe(true);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(logger.warnings).toHaveLength(1);
      expect(logger.warnings[0]!.message).toBe('rate limit unavailable (Redis); letting requests through');
    } finally {
      hung.disconnect();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('fails open when Redis refuses the command outright', async () => {
    const refusing = new Redis('redis://127.0.0.1:1/0', { enableOfflineQueue: false, lazyConnect: true, retryStrategy: () => null });
    refusing.on('error', () => undefined);
    const logger = new RecordingLogger();
    try {
      const decision = await new WriteRateLimiter(refusing, { limitPerMinute: 1, keyPrefix: prefix(), logger }).hit('u1');
      expect(decision).toMatchObject({ allowed: true, count: 0 });
      expect(logger.warnings).toHaveLength(1);
    } finally {
      refusing.disconnect();
    }
  });
});

@Controller('nominations')
class NominationsProbe {
  @Post()
  create(): { ok: true } {
    return { ok: true };
  }

  @Patch('n1')
  change(): { ok: true } {
    return { ok: true };
  }

  @Delete('n1')
  remove(): { ok: true } {
    return { ok: true };
  }

  @Get()
  list(): { items: [] } {
    return { items: [] };
  }

  @Post('public-webhook')
  @Public()
  webhook(): { ok: true } {
    return { ok: true };
  }
}

describe('WriteRateLimitGuard behind AuthGuard', () => {
  const auth: AuthConfig = { jwtSecret: 'rate-int-spec-secret-long-enough-0123456789', issuer: 'spec', audience: 'spec', jwksUrl: undefined };
  let app: NestFastifyApplication;
  let redis: Redis;
  const headersFor = async (sub: string) => ({
    authorization: `Bearer ${await signDevelopmentToken({ sub, name: 'Lò Văn D', roles: ['proposer'], unit: '03814' }, { nodeEnv: 'test', auth })}`,
  });

  beforeAll(async () => {
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    // Registered exactly as AuthModule does, so the order of the two global guards is what is tested.
    app = await createGuardedApp([NominationsProbe], [
      { provide: Authenticator, useValue: new Authenticator(new TokenVerifier(auth), undefined) },
      { provide: WriteRateLimiter, useValue: new WriteRateLimiter(redis, { limitPerMinute: 3, keyPrefix: `${PREFIX}:guard`, ...PATIENT }) },
      { provide: APP_GUARD, useClass: AuthGuard },
      { provide: APP_GUARD, useClass: WriteRateLimitGuard },
    ]);
  });

  afterAll(async () => {
    await app.close();
    const keys = await redis.keys(`${PREFIX}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('counts POST, PATCH and DELETE per user, answers 429 with Retry-After, and never counts reads', async () => {
    const headers = await headersFor('writer-1');
    const statuses: number[] = [];
    for (const method of ['POST', 'GET', 'PATCH', 'GET', 'DELETE', 'POST'] as const) {
      const url = method === 'POST' || method === 'GET' ? '/nominations' : '/nominations/n1';
      statuses.push((await app.inject({ method, url, headers })).statusCode);
    }
    expect(statuses).toEqual([201, 200, 200, 200, 200, 429]);

    const refused = await app.inject({ method: 'POST', url: '/nominations', headers });
    expect(refused.statusCode).toBe(429);
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.json()).toMatchObject({ code: 'rate_limited', limitPerMinute: 3, retryAfterSeconds: retryAfter });

    expect((await app.inject({ method: 'GET', url: '/nominations', headers })).statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: '/nominations', headers: await headersFor('writer-2') })).statusCode).toBe(201);
  });

  it('authenticates before counting: an anonymous write is a 401 and public writes are not counted', async () => {
    expect((await app.inject({ method: 'POST', url: '/nominations' })).statusCode).toBe(401);
    for (let i = 0; i < 5; i += 1) {
      expect((await app.inject({ method: 'POST', url: '/nominations/public-webhook' })).statusCode).toBe(201);
    }
    expect(await redis.keys(`${PREFIX}:guard:*`)).toEqual(
      expect.arrayContaining([`${PREFIX}:guard:write-rate:writer-1`, `${PREFIX}:guard:write-rate:writer-2`]),
    );
    expect(await redis.keys(`${PREFIX}:guard:*`)).toHaveLength(2);
  });
});
