import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import type { Logger } from 'pino';
import { Authenticator } from '@app/auth';
import type { AppConfig } from '@app/config';
import { correlationIdFrom, Metrics, NestJsonLogger } from '@app/observability';
import { ApiModule } from './api.module';
import { installRequestContext } from './http/request-context';
import { NullBodyPipe } from './http/null-body.pipe';
import { CompiledValidationPipe } from './http/compiled-validation.pipe';
import { VALIDATION_PIPE_OPTIONS } from './http/validation-options';
import { IdempotencyGuard, IdempotentReplayFilter, installIdempotencyRecording } from './http/idempotency';
import { IDEMPOTENCY_RECORDS, type IdempotencyRecords } from '@app/records';
import { buildOpenApiDocument } from './openapi/openapi-document';
import { findConsoleFiles, serveConsole } from './console/console-static';
import { clientErrorHandler, frameworkErrors, installEdge, RouteMethods } from './http/http-edge';
import { installJsonBodyParser } from './http/json-body';
import { installSecurityHeaders } from './http/security-headers';
import { RouteCatalogue } from './http/route-catalogue';

/** Builds the HTTP application (used by main.ts and, in-process, by the end-to-end tests). */
export async function createApiApp(config: AppConfig, logger: Logger): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.bodyLimitBytes,
    genReqId: (request: { headers: Record<string, string | string[] | undefined> }) => correlationIdFrom(request.headers['x-request-id']),
    requestIdHeader: false,
    // X-Forwarded-For is believed only from the configured proxies (TRUST_PROXY); by default never.
    trustProxy: config.trustProxy === false ? false : [...config.trustProxy],
    routerOptions: { maxParamLength: config.maxParamLength },
    frameworkErrors,
    clientErrorHandler,
  });
  const app = await NestFactory.create<NestFastifyApplication>(ApiModule.forRoot(config, logger), adapter, {
    logger: new NestJsonLogger(logger.child({ component: 'nest' })),
    bufferLogs: false,
    // Only JSON bodies: Fastify's own parser (with the body limit) stays; form and text bodies get 415.
    bodyParser: false,
  });
  const fastify = app.getHttpAdapter().getInstance();
  fastify.removeContentTypeParser('text/plain');
  installJsonBodyParser(fastify, { maxDepth: config.jsonMaxDepth, bodyLimit: config.bodyLimitBytes });
  installRequestContext(fastify, logger, app.get(Metrics));
  installIdempotencyRecording(fastify, app.get<IdempotencyRecords>(IDEMPOTENCY_RECORDS), logger.child({ component: 'idempotency' }));
  // After the global guards of the modules (authentication, roles, rate limits): a stored answer is
  // replayed only to a caller who may make the request now. Its replay leaves through its own filter.
  app.useGlobalGuards(app.get(IdempotencyGuard));
  app.useGlobalFilters(new IdempotentReplayFilter());
  await serveConsole(fastify, findConsoleFiles(config.consoleDir), logger);
  const routeMethods = new RouteMethods();
  routeMethods.install(fastify);
  const authenticator = app.get(Authenticator);
  const catalogue = app.get(RouteCatalogue);
  installEdge(fastify, {
    authenticate: (authorization) => authenticator.authenticate(authorization),
    routeMethods,
    isPublic: (method, path) => catalogue.isPublic(method, path),
  });
  installSecurityHeaders(fastify, {
    // The api serves JSON, the Swagger UI and the console's static files, all from this origin.
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        baseUri: ["'self'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
        objectSrc: ["'none'"],
        imgSrc: ["'self'", 'data:'],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        fontSrc: ["'self'", 'data:'],
        // The console signs in with PKCE: it fetches the provider's discovery document and token endpoint.
        connectSrc: ["'self'", ...(config.auth.oidc === undefined ? [] : [new URL(config.auth.oidc.issuer).origin])],
      },
    },
    referrerPolicy: { policy: 'no-referrer' },
    frameguard: { action: 'deny' },
    // HSTS only means something behind TLS, which a proxy terminates; it sends it.
    strictTransportSecurity: false,
  });
  app.useGlobalPipes(
    new NullBodyPipe(),
    new CompiledValidationPipe(VALIDATION_PIPE_OPTIONS),
  );
  app.enableShutdownHooks();

  const document = buildOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });

  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}
