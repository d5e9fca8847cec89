import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';

/** Paths that are never the console's, even when a browser asks for HTML (Swagger UI, probes). */
const NOT_CONSOLE = /^\/(docs|docs-json|health|metrics|assets)(\/|$|\?)/;

export interface ConsoleFiles {
  readonly root: string;
  readonly indexHtml: Buffer;
}

export function findConsoleFiles(dir: string): ConsoleFiles | undefined {
  const root = resolve(dir);
  const index = join(root, 'index.html');
  if (!existsSync(index)) return undefined;
  return { root, indexHtml: readFileSync(index) };
}

/**
 * Serves the built console. Hashed files under /assets/ never change, so they are cached for a year as
 * immutable; index.html is revalidated every time, so a deployment reaches every open browser.
 *
 * The console's pages share paths with the API (an e-mail links to /nominations/{id}, which is also the
 * JSON resource). A browser navigating there asks for text/html, which no API route produces, so a GET
 * that accepts HTML gets the console and every other request reaches the API untouched.
 */
export async function serveConsole(fastify: FastifyInstance, files: ConsoleFiles | undefined, logger: Logger): Promise<void> {
  if (files === undefined) {
    logger.info('console not built (no index.html in CONSOLE_DIR): only the API is served');
    return;
  }
  await fastify.register(fastifyStatic, {
    root: join(files.root, 'assets'),
    prefix: '/assets/',
    // One route per file found now: an unknown /assets/ path falls through to the API's 404 problem.
    wildcard: false,
    index: false,
    immutable: true,
    maxAge: 365 * 24 * 3600 * 1000,
    cacheControl: true,
    etag: true,
    lastModified: false,
  });
  fastify.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (!wantsConsolePage(request)) return;
    await reply
      .code(200)
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .header('vary', 'Accept')
      .send(files.indexHtml);
    return reply;
  });
  logger.info({ dir: files.root }, 'console served at /');
}

function wantsConsolePage(request: FastifyRequest): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  if (NOT_CONSOLE.test(request.url)) return false;
  const accept = request.headers.accept;
  return typeof accept === 'string' && /(^|,)\s*text\/html/i.test(accept);
}
