import type { FastifyInstance } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * The headers helmet sets for `options`, computed once. With static directives (no nonces) they do
 * not depend on the request, so running helmet's middleware (directive parsing, header names) on
 * every request, as @fastify/helmet does, only costs time.
 */
export function securityHeaders(options: Readonly<HelmetOptions>): Readonly<Record<string, string>> {
  const csp = options.contentSecurityPolicy;
  const directives = typeof csp === 'object' && csp !== null ? Object.values(csp.directives ?? {}) : [];
  if (directives.some((value) => typeof value === 'function' || (Array.isArray(value) && value.some((v) => typeof v === 'function')))) {
    throw new Error('securityHeaders: a Content-Security-Policy directive is computed per request (a nonce); use helmet per request');
  }
  const headers: Record<string, string> = {};
  const response = {
    setHeader(name: string, value: string | number | readonly string[]): void {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader(name: string): void {
      delete headers[name.toLowerCase()];
    },
  };
  let done = false;
  let failure: unknown;
  helmet(options)({} as never, response as never, (error?: unknown) => {
    done = true;
    failure = error;
  });
  // helmet's middleware is synchronous for static options; anything else would need the request.
  if (!done || failure !== undefined) throw new Error(`helmet did not produce static headers: ${String(failure ?? 'it did not finish')}`);
  return Object.freeze(headers);
}

/** Every answer (errors and unknown routes included) carries the security headers, set before any other hook runs. */
export function installSecurityHeaders(fastify: FastifyInstance, options: Readonly<HelmetOptions>): void {
  const headers = securityHeaders(options);
  fastify.addHook('onRequest', (_request, reply, done) => {
    void reply.headers(headers);
    done();
  });
}
