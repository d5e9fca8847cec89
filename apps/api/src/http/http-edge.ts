import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AuthError, type Actor } from '@app/auth';
import { answerFor } from './error-table';
import { problem, type ProblemBody } from './problem';
import { urlIssue } from './json-body';

/*
 * What happens to a request before Nest routes it: answers Fastify and Node give on their own
 * (bad URL encoding, an over-long path parameter, oversized headers) become problem+json like every
 * other error; authentication runs before a body is read; an unknown method on a known path is 405.
 */

export function sendProblem(reply: FastifyReply, body: ProblemBody, headers: Readonly<Record<string, string>> = {}): FastifyReply {
  return reply.status(body.status).headers(headers).header('cache-control', 'no-store')
    .header('content-type', 'application/problem+json; charset=utf-8').send(body);
}

/** Fastify's `frameworkErrors`: errors raised before a route is found. */
export function frameworkErrors(error: Error & { code?: string }, _request: FastifyRequest, reply: FastifyReply): void {
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    void sendProblem(reply, problem('uri_too_long', 'A path parameter is longer than allowed.'));
    return;
  }
  if (error.code === 'FST_ERR_BAD_URL') {
    void sendProblem(reply, problem('validation_failed', 'The URL is not validly encoded.', {
      errors: [{ field: 'url', message: 'a path component is not valid percent-encoding' }],
    }));
    return;
  }
  void sendProblem(reply, problem('internal_error', 'An unexpected error occurred; it has been logged.'));
}

/**
 * Node's `clientError`: a request the HTTP parser refused (headers too large, garbage). There is no
 * request object yet, so the answer is written on the socket, as problem+json.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const code = error.code === 'HPE_HEADER_OVERFLOW' ? 'headers_too_large' : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 'request_timeout' : 'malformed_request';
  const detail = code === 'headers_too_large' ? 'The request headers are larger than allowed.'
    : code === 'request_timeout' ? 'The request took too long to arrive.' : 'The request is not valid HTTP.';
  const { status } = answerFor(code);
  const body = JSON.stringify({ ...problem(code, detail), title: STATUS_CODES[status] ?? 'Error' });
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: application/problem+json; charset=utf-8\r\n`
      + `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  }
  socket.destroy(error);
}

interface KnownRoute {
  readonly pattern: RegExp;
  readonly methods: Set<string>;
}

/**
 * Remembers every route's path pattern and methods (Fastify's onRoute), so that a request with a
 * method a known path does not serve is told 405 with `Allow`, rather than 404 as if the path did not exist.
 */
export class RouteMethods {
  private readonly routes = new Map<string, KnownRoute>();

  install(fastify: FastifyInstance): void {
    fastify.addHook('onRoute', (route) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      let known = this.routes.get(route.url);
      if (known === undefined) {
        const source = route.url
          .split('/')
          .map((part) => (part.startsWith(':') ? '[^/]+' : part === '*' ? '.*' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
          .join('/');
        known = { pattern: new RegExp(`^${source}/?$`), methods: new Set() };
        this.routes.set(route.url, known);
      }
      for (const method of methods) known.methods.add(method.toUpperCase());
    });
  }

  /** The methods the path serves, or undefined when no route has that path. */
  allowed(url: string): string[] | undefined {
    const path = url.split('?')[0] ?? url;
    const methods = new Set<string>();
    for (const route of this.routes.values()) if (route.pattern.test(path)) for (const m of route.methods) methods.add(m);
    if (methods.size === 0) return undefined;
    if (methods.has('GET')) methods.add('HEAD');
    return [...methods].sort();
  }
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface EdgeOptions {
  /** Verifies the bearer token and the staff directory; the same check AuthGuard makes. */
  readonly authenticate: (authorization: string | string[] | undefined) => Promise<Actor>;
  readonly routeMethods: RouteMethods;
  /** Whether a route (method and Fastify pattern) is @Public(): those read their body unauthenticated. */
  readonly isPublic: (method: string, path: string) => boolean;
}

export function installEdge(fastify: FastifyInstance, options: EdgeOptions): void {
  // preParsing: after every onRequest hook (helmet's headers are on the reply by then), before the body is read.
  fastify.addHook('preParsing', async (request, reply, payload) => {
    const issue = urlIssue(request.url);
    if (issue !== undefined) {
      return sendProblem(reply, problem('validation_failed', 'The request is not valid.', { errors: [{ field: 'url', message: issue }] }));
    }
    if (request.routeOptions.url === undefined) {
      const allowed = options.routeMethods.allowed(request.url);
      if (allowed !== undefined && !allowed.includes(request.method)) {
        return sendProblem(reply, problem('method_not_allowed', `${request.method} is not allowed here; use ${allowed.join(', ')}.`), {
          allow: allowed.join(', '),
        });
      }
      return payload;
    }
    // Every non-public route taking a body needs a token; checking it now, before the body is read and parsed,
    // means an anonymous megabyte costs nothing. AuthGuard reuses the actor found here.
    if (!BODY_METHODS.has(request.method) || options.isPublic(request.method, request.routeOptions.url)) return payload;
    try {
      (request as { actor?: Actor }).actor = await options.authenticate(request.headers.authorization);
    } catch (error) {
      if (error instanceof AuthError) {
        return sendProblem(reply, problem(error.code, error.message, error.details ?? {}), error.headers);
      }
      throw error;
    }
    return payload;
  });

  // Answers carry names, units and decisions of public officials: no shared cache may keep them.
  fastify.addHook('onSend', async (request, reply, payload) => {
    if (reply.getHeader('cache-control') === undefined && !request.url.startsWith('/docs/')) {
      void reply.header('cache-control', 'no-store');
    }
    return payload;
  });
}
