import { createHash, randomUUID } from 'node:crypto';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants.js';
import { Inject, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { from, lastValueFrom, type Observable } from 'rxjs';
import { canonicalJson } from '@app/event-store';
import { IDEMPOTENCY_RECORDS, type IdempotencyRecords } from '@app/records';
import { deterministicUuid } from '@app/workflow';
import { ProblemError } from './problem';
import { ReplayAccess } from './replay-access';

/** What a write request carries past this interceptor. */
export interface CommandRequest extends FastifyRequest {
  actor?: { readonly id: string };
  /** Stable across retries with the same Idempotency-Key; seeds the event ids. */
  commandId?: string;
  /** The request's fingerprint when it carries an Idempotency-Key; recorded with the command's events. */
  requestFingerprint?: string;
}

/** The status Nest is about to send: @HttpCode, or what the handler set, or the method's default. */
function statusOf(context: ExecutionContext, request: FastifyRequest, reply: FastifyReply): number {
  const declared: unknown = Reflect.getMetadata(HTTP_CODE_METADATA, context.getHandler());
  if (typeof declared === 'number') return declared;
  if (reply.statusCode !== 200) return reply.statusCode;
  return request.method === 'POST' ? 201 : 200;
}

const REPLAYED_HEADERS = ['log-position', 'etag', 'location'] as const;

/**
 * `Idempotency-Key` on POST/PATCH/PUT: the first complete response is stored durably; the same key with
 * the same request returns it again and writes nothing; the same key with another request is refused
 * (422). A key whose first attempt died midway runs again with the same command id, and the command
 * path recognises its own events in the stream, so that retry writes nothing twice either.
 * Only successful responses are stored: a refused command wrote nothing, so running it again is safe.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    @Inject(IDEMPOTENCY_RECORDS) private readonly records: IdempotencyRecords,
    private readonly replayAccess: ReplayAccess,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return from(this.handle(context, next));
  }

  private async handle(context: ExecutionContext, next: CallHandler): Promise<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<CommandRequest>();
    const reply = http.getResponse<FastifyReply>();
    if (!['POST', 'PATCH', 'PUT'].includes(request.method)) return lastValueFrom(next.handle(), { defaultValue: undefined });

    const header = request.headers['idempotency-key'];
    const actorId = request.actor?.id;
    if (header === undefined || actorId === undefined) {
      request.commandId = randomUUID();
      return lastValueFrom(next.handle(), { defaultValue: undefined });
    }
    const key = Array.isArray(header) ? header[0] ?? '' : header;
    if (key.length < 1 || key.length > 200) {
      throw new ProblemError('validation_failed', 'Idempotency-Key must be 1 to 200 characters.', {
        errors: [{ field: 'Idempotency-Key', message: 'must be 1 to 200 characters' }],
      });
    }
    const requestHash = createHash('sha256')
      .update(`${request.method} ${request.url}\n${canonicalJson(request.body ?? null)}`)
      .digest('hex');
    request.commandId = deterministicUuid('command', actorId, key);
    request.requestFingerprint = requestHash;

    const reservation = await this.records.reserve(actorId, key, requestHash);
    if (reservation.status === 'taken') {
      if (reservation.requestHash !== requestHash) {
        throw new ProblemError('idempotency_key_reused', 'This Idempotency-Key was already used for a different request.');
      }
      if (reservation.response !== undefined) {
        // The caller may have lost the jurisdiction since (moved unit, another code set): the stored
        // answer is shown only if what it names is still theirs to see (issue 12.12).
        const body = await this.replayAccess.recheck(request, reservation.response.body);
        void reply.status(reservation.response.statusCode).headers({ ...reservation.response.headers, 'idempotent-replayed': 'true' });
        return body;
      }
    }

    try {
      const body = await lastValueFrom(next.handle(), { defaultValue: undefined });
      const headers = Object.fromEntries(
        REPLAYED_HEADERS.flatMap((name) => {
          const value = reply.getHeader(name);
          return value === undefined ? [] : [[name, String(value)]];
        }),
      );
      await this.records.complete(actorId, key, { statusCode: statusOf(context, request, reply), headers, body: body ?? null });
      return body;
    } catch (error) {
      await this.records.release(actorId, key).catch(() => undefined);
      throw error;
    }
  }
}
