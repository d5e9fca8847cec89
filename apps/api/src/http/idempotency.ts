import { createHash } from 'node:crypto';
import { Catch, Inject, Injectable, type ArgumentsHost, type CanActivate, type ExceptionFilter, type ExecutionContext } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { canonicalJson } from '@app/event-store';
import { correlationFields, type CorrelatedRequest } from '@app/observability';
import { IDEMPOTENCY_RECORDS, type IdempotencyRecords, type StoredResponse } from '@app/records';
import { deterministicUuid } from '@app/application';
import { ProblemError } from './problem';
import { ReplayAccess } from './replay-access';

/** What a write request carries once the idempotency step has run. */
export interface CommandRequest extends FastifyRequest, CorrelatedRequest {
  actor?: { readonly id: string };
  /** Stable across retries with the same Idempotency-Key; seeds the event ids. Absent without a key. */
  commandId?: string;
  /** The request's fingerprint when it carries an Idempotency-Key; recorded with the command's events. */
  requestFingerprint?: string;
  /** The key this request holds, whose answer the onSend hook stores (or frees, when it failed). */
  idempotencyKey?: { readonly actorId: string; readonly key: string };
}

const WRITE_METHODS = new Set(['POST', 'PATCH', 'PUT']);
const REPLAYED_HEADERS = ['log-position', 'etag', 'location'] as const;

/** The stored first answer to a request, sent again instead of running the handler (see IdempotentReplayFilter). */
export class IdempotentReplay {
  constructor(readonly response: StoredResponse, readonly body: unknown) {}
}

/*
 * `Idempotency-Key` on POST/PATCH/PUT: the first complete response is stored durably; the same key with
 * the same request returns it again and writes nothing; the same key with another request is refused
 * (422). A key whose first attempt died midway runs again with the same command id, and the command
 * path recognises its own events in the stream, so that retry writes nothing twice either. Only
 * successful responses are stored: a refused command wrote nothing, so running it again is safe.
 *
 * No interceptor: an interceptor puts an rxjs pipeline around every request's handler, and most writes
 * carry no key at all. Instead a guard (registered after the auth and rate-limit guards, so a replay is
 * answered only to a caller who may still make the request) reserves the key, a replay leaves as an
 * exception its own filter answers, and Fastify's onSend hook stores the answer that was actually sent.
 */
@Injectable()
export class IdempotencyGuard implements CanActivate {
  constructor(
    @Inject(IDEMPOTENCY_RECORDS) private readonly records: IdempotencyRecords,
    private readonly replayAccess: ReplayAccess,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<CommandRequest>();
    if (!WRITE_METHODS.has(request.method)) return true;
    const header = request.headers['idempotency-key'];
    const actorId = request.actor?.id;
    // Without a key every request is a command of its own: commandEnvelopeOf gives it a fresh id.
    if (header === undefined || actorId === undefined) return true;
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
        throw new IdempotentReplay(reservation.response, await this.replayAccess.recheck(request, reservation.response.body));
      }
    }
    // Reserved now, or held by an earlier attempt that never answered: this one runs and answers.
    request.idempotencyKey = { actorId, key };
    return true;
  }
}

@Catch(IdempotentReplay)
export class IdempotentReplayFilter implements ExceptionFilter {
  catch(replay: IdempotentReplay, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    void reply.status(replay.response.statusCode).headers({ ...replay.response.headers, 'idempotent-replayed': 'true' }).send(replay.body);
  }
}

/**
 * Stores the answer of a request that holds an Idempotency-Key as it is sent (status, the headers a
 * client needs again, the body), or frees the key when the request failed. If the answer cannot be
 * stored, the key is freed too and the answer still goes out: a retry then runs the command again,
 * which finds its own events in the stream and writes nothing twice.
 */
export function installIdempotencyRecording(fastify: FastifyInstance, records: IdempotencyRecords, logger: Logger): void {
  fastify.addHook('onSend', async (request: CommandRequest, reply, payload) => {
    const held = request.idempotencyKey;
    if (held === undefined) return payload;
    request.idempotencyKey = undefined;
    const { actorId, key } = held;
    if (reply.statusCode < 200 || reply.statusCode >= 300) {
      await records.release(actorId, key).catch(() => undefined);
      return payload;
    }
    try {
      const headers: Record<string, string> = {};
      for (const name of REPLAYED_HEADERS) {
        const value = reply.getHeader(name);
        if (value !== undefined) headers[name] = String(value);
      }
      const text = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : '';
      await records.complete(actorId, key, { statusCode: reply.statusCode, headers, body: text === '' ? null : JSON.parse(text) });
    } catch (error) {
      logger.warn({ ...correlationFields(request), err: error, method: request.method, url: request.url }, 'could not store the Idempotency-Key answer; the key is freed');
      await records.release(actorId, key).catch(() => undefined);
    }
    return payload;
  });
}
