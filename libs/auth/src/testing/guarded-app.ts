import { Catch, type ArgumentsHost, type ExceptionFilter, type Provider, type Type } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import type { FastifyReply } from 'fastify';
import type { CorrelatedRequest } from '@app/observability';
import { AuthError, type AuthErrorCode } from '../auth.errors';

/** The statuses the api's error table gives these codes (a lib knows no HTTP; this stands in for the api in specs). */
const STATUS: Readonly<Record<AuthErrorCode, number>> = { unauthenticated: 401, forbidden: 403, rate_limited: 429, rate_limit_unavailable: 503 };

/** The mapping the api's problem filter applies to AuthError, reduced to what these specs assert. */
@Catch(AuthError)
class AuthErrorFilter implements ExceptionFilter {
  catch(error: AuthError, host: ArgumentsHost): void {
    const status = STATUS[error.code];
    void host.switchToHttp().getResponse<FastifyReply>().status(status).headers(error.headers)
      .send({ status, code: error.code, detail: error.message, ...error.details });
  }
}

/** A Fastify app with the given controllers and guard providers, inside a correlation context like the api's. */
export async function createGuardedApp(controllers: Type[], providers: Provider[], imports: Type[] = []): Promise<NestFastifyApplication> {
  const moduleRef = await Test.createTestingModule({
    imports,
    controllers,
    providers: [...providers, { provide: APP_FILTER, useClass: AuthErrorFilter }],
  }).compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { logger: false });
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', (request, _reply, done) => {
    (request as CorrelatedRequest).correlation = { correlationId: String(request.id), scope: 'request' };
    done();
  });
  await app.init();
  await fastify.ready();
  return app;
}
