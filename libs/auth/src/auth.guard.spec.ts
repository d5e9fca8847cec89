import { Controller, Get, Post, Req } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { correlationOf, type CorrelatedRequest } from '@app/observability';
import type { Actor } from './actor';
import { CurrentActor, Public, Roles } from './auth.decorators';
import { AuthGuard } from './auth.guard';
import { Authenticator } from './authenticator';
import { signDevelopmentToken, type DevelopmentTokenClaims } from './development-token';
import { TokenVerifier, type AuthConfig } from './token-verifier';
import { createGuardedApp } from './testing/guarded-app';

const auth: AuthConfig = { jwtSecret: 'guard-spec-secret-long-enough-0123456789abcdef', issuer: 'spec', audience: 'spec', jwksUrl: undefined };

@Controller('probe')
@Roles('officer')
class ProbeController {
  @Get('me')
  me(@CurrentActor() actor: Actor, @Req() request: CorrelatedRequest): { actor: Actor; userId: string | undefined } {
    return { actor, userId: correlationOf(request)?.userId };
  }

  @Post('decisions')
  @Roles('decider', 'admin')
  decide(): { ok: true } {
    return { ok: true };
  }

  @Get('open')
  @Public()
  open(): { ok: true } {
    return { ok: true };
  }
}

@Controller('health')
@Public()
class OpenController {
  @Get()
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }
}

describe('AuthGuard', () => {
  let app: NestFastifyApplication;
  const bearer = async (claims: DevelopmentTokenClaims) =>
    ({ authorization: `Bearer ${await signDevelopmentToken(claims, { nodeEnv: 'test', auth })}` });
  const officer: DevelopmentTokenClaims = { sub: 'off-120', name: 'Nguyễn Văn A', roles: ['officer'], unit: '120' };

  beforeAll(async () => {
    app = await createGuardedApp([ProbeController, OpenController], [
      { provide: Authenticator, useValue: new Authenticator(new TokenVerifier(auth), undefined) },
      { provide: APP_GUARD, useClass: AuthGuard },
    ]);
  });

  afterAll(async () => {
    await app.close();
  });

  it('attaches the actor and tags the correlation context with the user id', async () => {
    const response = await app.inject({ method: 'GET', url: '/probe/me', headers: await bearer(officer) });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      actor: { id: 'off-120', name: 'Nguyễn Văn A', roles: ['officer'], unit: '120' },
      userId: 'off-120',
    });
  });

  it('answers 401 with a challenge and a generic detail without or with a bad token', async () => {
    const none = await app.inject({ method: 'GET', url: '/probe/me' });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer realm="nomination-approvals"');
    expect(none.json()).toEqual({ status: 401, code: 'unauthenticated', detail: 'A valid bearer token is required.' });

    const bad = await app.inject({ method: 'GET', url: '/probe/me', headers: { authorization: 'Bearer not.a.jwt' } });
    expect(bad.statusCode).toBe(401);
    expect(bad.headers['www-authenticate']).toContain('error="invalid_token"');
  });

  it('answers 403 naming the roles a route needs; the handler list replaces the controller list', async () => {
    const response = await app.inject({ method: 'POST', url: '/probe/decisions', headers: await bearer(officer) });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toEqual({
      status: 403, code: 'forbidden', detail: 'This action requires one of the roles: decider, admin.', requiredRoles: ['decider', 'admin'],
    });
    const decider = await app.inject({ method: 'POST', url: '/probe/decisions', headers: await bearer({ ...officer, roles: ['decider'] }) });
    expect(decider.statusCode).toBe(201);
    const auditorOnClass = await app.inject({ method: 'GET', url: '/probe/me', headers: await bearer({ ...officer, roles: ['auditor'] }) });
    expect(auditorOnClass.statusCode).toBe(403);
  });

  it('lets @Public() routes and controllers through without a token', async () => {
    expect((await app.inject({ method: 'GET', url: '/probe/open' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
  });
});
