import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { actorOf, Unauthenticated } from '@app/auth';
import type { CommandEnvelope } from '@app/application';
import type { CommandRequest } from './idempotency';
import { ProblemError } from './problem';

const USER_AGENT_MAX = 300;

// Weak tags are accepted because proxies weaken ETags on compression; the revision is what matters.
const ENTITY_TAG = /^(?:W\/)?"(\d{1,15})"$/;

/**
 * The revision an `If-Match` header pins the command to; undefined when absent or `*` (any revision).
 * A header that names no single revision is refused rather than ignored, so a typo never turns an
 * optimistic write into a blind one.
 */
export function expectedRevisionFrom(header: string | string[] | undefined): number | undefined {
  if (header === undefined) return undefined;
  const value = (Array.isArray(header) ? header.join(',') : header).trim();
  if (value === '*') return undefined;
  const match = ENTITY_TAG.exec(value);
  if (match === null) {
    throw new ProblemError('validation_failed', 'If-Match must be one entity tag such as "3", or *.', {
      errors: [{ field: 'If-Match', message: 'must be one entity tag such as "3", or *' }],
    });
  }
  return Number(match[1]);
}

export function commandEnvelopeOf(request: FastifyRequest): CommandEnvelope {
  const actor = actorOf(request);
  if (actor === undefined) throw new Unauthenticated('missing_credentials');
  const userAgent = request.headers['user-agent'];
  const expectedRevision = expectedRevisionFrom(request.headers['if-match']);
  return {
    actor,
    // Set by IdempotencyGuard: derived from the Idempotency-Key, so a retry reuses it.
    commandId: (request as CommandRequest).commandId ?? randomUUID(),
    correlationId: request.id,
    ...(expectedRevision === undefined ? {} : { expectedRevision }),
    // Only a real address reaches the audit trail; with TRUST_PROXY this is the proxies' verdict.
    ...(typeof request.ip === 'string' && isIP(request.ip) !== 0 ? { clientIp: request.ip } : {}),
    ...(userAgent ? { userAgent: userAgent.slice(0, USER_AGENT_MAX) } : {}),
    receivedAt: (request as { receivedAt?: Date }).receivedAt ?? new Date(),
    ...((request as CommandRequest).requestFingerprint !== undefined ? { requestFingerprint: (request as CommandRequest).requestFingerprint! } : {}),
  };
}

/**
 * The command envelope of the current request. Parameters resolve inside the interceptor chain, so
 * the idempotency guard (the last guard) has already fixed the command id.
 */
export const Envelope = createParamDecorator(
  (_data: unknown, context: ExecutionContext): CommandEnvelope => commandEnvelopeOf(context.switchToHttp().getRequest<FastifyRequest>()),
);
