import { ArgumentsHost, Catch, HttpException, Inject, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { EventStoreError } from '@app/event-store';
import { correlationFields, type CorrelatedRequest } from '@app/observability';
import { ROOT_LOGGER } from '@app/platform';
import { answerFor, codeForStatus, isErrorCode, type ErrorCode } from './error-table';
import { problem, ProblemError, type ProblemBody } from './problem';

/** pg / network error codes meaning "the database is not there right now". */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH',
  '57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006', '53300',
]);

function isUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return true;
  const message = (error as { message?: unknown }).message;
  return typeof message === 'string' && /Connection terminated|timeout exceeded when trying to connect|connect ECONNREFUSED|Client has encountered a connection error/i.test(message);
}

interface TypedError {
  readonly code: ErrorCode;
  readonly message: string;
  readonly details?: unknown;
  readonly errors?: unknown;
  readonly headers?: unknown;
}

/** An error of a lib (domain, auth, storage, application) whose code the error table answers. */
function isTypedError(error: unknown): error is TypedError {
  return error instanceof Error && isErrorCode((error as { code?: unknown }).code);
}

/**
 * The one place errors become HTTP answers. Every failure leaves as application/problem+json; unknown
 * errors are logged in full and answered with a bare 500 that leaks nothing.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  constructor(@Inject(ROOT_LOGGER) private readonly logger: Logger) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    const headers: Record<string, string> = {};
    let body: ProblemBody;

    if (error instanceof ProblemError) {
      body = problem(error.code, error.message, error.extra);
      Object.assign(headers, error.headers);
    } else if (isTypedError(error)) {
      const extra: Record<string, unknown> = {};
      if (Array.isArray(error.errors)) extra['errors'] = error.errors;
      if (error.details !== undefined && typeof error.details === 'object' && error.details !== null) {
        const { errors: _errors, ...rest } = error.details as Record<string, unknown>;
        if (Object.keys(rest).length > 0) extra['details'] = rest;
      }
      const status = answerFor(error.code).status;
      // A 500 of the table (a stored event this version cannot read) says nothing more than any other 500.
      body = status >= 500 && status < 503 ? problem(error.code, 'An unexpected error occurred; it has been logged.') : problem(error.code, error.message, extra);
      const typed: TypedError = error;
      if (typeof typed.headers === 'object' && typed.headers !== null) Object.assign(headers, typed.headers);
      if (error instanceof EventStoreError && error.code === 'event_store_unavailable') headers['retry-after'] = '5';
      if (status >= 500 && status < 503) {
        this.logger.error({ ...correlationFields(request as CorrelatedRequest), err: error, method: request.method, url: request.url }, 'unhandled error');
      } else if (error instanceof EventStoreError && (error.code === 'event_store_failure' || error.code === 'stream_truncated')) {
        this.logger.error({ ...correlationFields(request as CorrelatedRequest), err: error, method: request.method, url: request.url }, 'event store refused the operation');
      }
    } else if (error instanceof HttpException) {
      body = this.fromHttpException(error);
    } else if (isFastifyError(error)) {
      body = this.fromFastifyError(error);
    } else if (isUnavailable(error)) {
      this.logger.warn({ ...correlationFields(request as CorrelatedRequest), err: error }, 'dependency unavailable');
      body = problem('service_unavailable', 'A storage service is unavailable; try again shortly.');
      headers['retry-after'] = '5';
    } else {
      this.logger.error({ ...correlationFields(request as CorrelatedRequest), err: error, method: request.method, url: request.url }, 'unhandled error');
      body = problem('internal_error', 'An unexpected error occurred; it has been logged.');
    }

    void reply.status(body.status).headers(headers).header('content-type', 'application/problem+json; charset=utf-8').send(body);
  }

  private fromHttpException(error: HttpException): ProblemBody {
    const status = error.getStatus();
    const response = error.getResponse();
    const message = typeof response === 'object' && response !== null ? (response as { message?: unknown }).message : response;
    if (status === 400) {
      const messages = Array.isArray(message) ? message.map(String) : [String(message ?? error.message)];
      return problem('validation_failed', 'The request is not valid.', {
        errors: messages.map((m) => ({ field: m.split(' ')[0] ?? '', message: m })),
      });
    }
    const code = codeForStatus(status);
    if (answerFor(code).status !== status) this.logger.error({ err: error }, 'framework exception of a status the error table does not answer');
    return problem(code, answerFor(code).status === status && typeof message === 'string' ? message : error.message);
  }

  private fromFastifyError(error: FastifyLikeError): ProblemBody {
    const status = error.statusCode;
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return problem('payload_too_large', 'The request body is larger than allowed.');
    }
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return problem('unsupported_media_type', 'Send JSON with Content-Type: application/json.');
    }
    if (status >= 400 && status < 500) {
      return problem('validation_failed', 'The request body is not valid JSON.', {
        errors: [{ field: 'body', message: error.message }],
      });
    }
    return problem('internal_error', 'An unexpected error occurred; it has been logged.');
  }
}

interface FastifyLikeError {
  readonly code: string;
  readonly statusCode: number;
  readonly message: string;
}

function isFastifyError(error: unknown): error is FastifyLikeError {
  return error instanceof Error
    && typeof (error as { statusCode?: unknown }).statusCode === 'number'
    && typeof (error as { code?: unknown }).code === 'string'
    && (error as unknown as { code: string }).code.startsWith('FST_');
}
