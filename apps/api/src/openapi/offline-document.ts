import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { OpenAPIObject } from '@nestjs/swagger';
import { loadConfig } from '@app/config';
import { createRootLogger } from '@app/observability';
import { ApiModule } from '../api.module';
import { buildOpenApiDocument } from './openapi-document';

/**
 * The OpenAPI document without a database, Redis or a port: Nest's preview mode resolves the module
 * graph without running a provider factory, so nothing connects. Built with the development
 * configuration, so the development-only sign-in routes are described too (they say so themselves).
 */
export async function createOfflineOpenApiDocument(): Promise<OpenAPIObject> {
  const config = loadConfig({
    NODE_ENV: 'development',
    LOG_LEVEL: 'silent',
    // Never contacted in preview mode; unreachable on purpose, so a regression fails instead of connecting.
    DATABASE_URL: 'postgres://openapi@127.0.0.1:1/openapi',
    REDIS_URL: 'redis://127.0.0.1:1',
  });
  const app = await NestFactory.create(ApiModule.forRoot(config, createRootLogger({ level: 'silent', service: 'openapi' })), new FastifyAdapter(), {
    preview: true,
    logger: false,
    abortOnError: false,
  });
  try {
    return buildOpenApiDocument(app);
  } finally {
    await app.close();
  }
}
