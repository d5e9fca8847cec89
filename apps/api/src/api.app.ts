import { ValidationPipe } from '@nestjs/common';
import type { ValidationError } from 'class-validator';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import type { Logger } from 'pino';
import type { AppConfig } from '@app/config';
import { correlationIdFrom, Metrics, NestJsonLogger } from '@app/observability';
import { ApiModule } from './api.module';
import { installRequestContext } from './http/request-context';
import { NullBodyPipe } from './http/null-body.pipe';
import { ProblemError } from './http/problem';
import { buildOpenApiDocument } from './openapi/openapi-document';
import { findConsoleFiles, serveConsole } from './console/console-static';

/** Builds the HTTP application (used by main.ts and, in-process, by the end-to-end tests). */
export async function createApiApp(config: AppConfig, logger: Logger): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.bodyLimitBytes,
    genReqId: (request: { headers: Record<string, string | string[] | undefined> }) => correlationIdFrom(request.headers['x-request-id']),
    requestIdHeader: false,
    trustProxy: true,
  });
  const app = await NestFactory.create<NestFastifyApplication>(ApiModule.forRoot(config, logger), adapter, {
    logger: new NestJsonLogger(logger.child({ component: 'nest' })),
    bufferLogs: false,
    // Only JSON bodies: Fastify's own parser (with the body limit) stays; form and text bodies get 415.
    bodyParser: false,
  });
  app.getHttpAdapter().getInstance().removeContentTypeParser('text/plain');
  installRequestContext(app.getHttpAdapter().getInstance(), logger, app.get(Metrics));
  await serveConsole(app.getHttpAdapter().getInstance(), findConsoleFiles(config.consoleDir), logger);
  app.useGlobalPipes(
    new NullBodyPipe(),
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      transform: true,
      validationError: { target: false, value: false },
      exceptionFactory: (errors) =>
        new ProblemError(400, 'validation_failed', 'The request is not valid.', {
          errors: errors.flatMap((e) => flattenValidationError(e, '')),
        }),
    }),
  );
  app.enableShutdownHooks();

  const document = buildOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });

  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

function flattenValidationError(error: ValidationError, prefix: string): { field: string; message: string }[] {
  const field = prefix ? `${prefix}.${error.property}` : error.property;
  const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
  return [...own, ...(error.children ?? []).flatMap((child) => flattenValidationError(child, field))];
}
