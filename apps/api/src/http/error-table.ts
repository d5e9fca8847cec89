import type { AuditErrorCode } from '@app/audit';
import type { AuthErrorCode } from '@app/auth';
import type { EventStoreErrorCode } from '@app/event-store';
import type { NominationErrorCode } from '@app/nomination';
import type { ReadModelErrorCode } from '@app/read-models';
import type { ApplicationErrorCode } from '@app/application';

/** Codes the api gives on its own: the HTTP edge, Fastify's and Node's refusals, the audit routes, failures. */
export const HTTP_ERROR_CODES = [
  'json_too_deep',
  'malformed_request',
  'uri_too_long',
  'headers_too_large',
  'request_timeout',
  'payload_too_large',
  'unsupported_media_type',
  'method_not_allowed',
  'nothing_to_seal',
  'internal_error',
  'service_unavailable',
] as const;
export type HttpErrorCode = (typeof HTTP_ERROR_CODES)[number];

/** Every code an error can carry anywhere in the service. */
export type ErrorCode =
  | NominationErrorCode
  | EventStoreErrorCode
  | AuthErrorCode
  | ApplicationErrorCode
  | ReadModelErrorCode
  | AuditErrorCode
  | HttpErrorCode;

export interface ErrorAnswer {
  readonly status: number;
  /** What the code means to a client; the OpenAPI document lists it under its status. */
  readonly meaning: string;
  /** The problem's `code` when it is not the error's own: internal distinctions a client need not make. */
  readonly answeredAs?: ErrorCode;
}

/**
 * The one table from error codes to HTTP answers. Typed over every lib's code union, so a code added
 * to a lib does not compile until it has its answer here. The problem filter, the HTTP edge, the
 * OpenAPI problem schema (`code` as an enum) and every route's documented error responses are all
 * derived from it. Within a status, the first code listed is what a framework exception of that
 * status (Nest's HttpException) becomes.
 */
export const ERROR_TABLE: { readonly [Code in ErrorCode]: ErrorAnswer } = {
  validation_failed: { status: 400, meaning: 'the body, the query, a header or a field is not valid (unknown fields included); nothing was written' },
  json_too_deep: { status: 400, meaning: 'the JSON body nests deeper than allowed' },
  malformed_request: { status: 400, meaning: 'the request is not valid HTTP' },
  invalid_append: { status: 400, meaning: 'the event store refused the append as malformed' },
  unauthenticated: { status: 401, meaning: 'missing, expired or invalid bearer token' },
  forbidden: { status: 403, meaning: 'the role, the unit or the stage does not allow this caller' },
  not_found: { status: 404, meaning: 'no such resource within the caller\'s jurisdiction' },
  stream_not_found: { status: 404, meaning: 'no such stream', answeredAs: 'not_found' },
  method_not_allowed: { status: 405, meaning: 'the path does not serve this method; see Allow' },
  request_timeout: { status: 408, meaning: 'the request took too long to arrive' },
  invalid_transition: { status: 409, meaning: 'the current status does not allow this command; nothing was written' },
  revision_conflict: { status: 409, meaning: 'someone else changed it at the same moment; reload it and try again' },
  council_vote_required: { status: 409, meaning: 'the award needs a passed council vote at this stage first' },
  supplement_limit_reached: { status: 409, meaning: 'the stage has returned the nomination as often as the rule set allows' },
  decision_number_taken: { status: 409, meaning: 'the issuing unit already gave this number to a decision or a revocation this year' },
  stream_truncated: { status: 409, meaning: 'the history was deleted or truncated inside the event store; nothing was written until an administrator restores it' },
  nomination_too_many_events: { status: 409, meaning: 'the nomination holds the most recorded changes allowed' },
  seal_refused: { status: 409, meaning: 'an event since the latest seal does not verify; nothing was signed' },
  seal_broken: { status: 409, meaning: 'the latest stored seal does not check (rewritten, or a seal before it removed); firstBroken names what is wrong' },
  nothing_to_seal: { status: 409, meaning: 'the log holds no event yet' },
  stale_revision: { status: 412, meaning: 'revision_conflict: If-Match does not name the current revision; nothing was written', answeredAs: 'revision_conflict' },
  payload_too_large: { status: 413, meaning: 'the body is larger than the configured limit' },
  nomination_too_large: { status: 413, meaning: 'the change would take the nomination\'s recorded data past its limit' },
  uri_too_long: { status: 414, meaning: 'a path parameter is longer than allowed' },
  unsupported_media_type: { status: 415, meaning: 'the body is not sent as application/json' },
  idempotency_key_reused: { status: 422, meaning: 'the Idempotency-Key was used for a different request' },
  rate_limited: { status: 429, meaning: 'too many requests; see Retry-After' },
  headers_too_large: { status: 431, meaning: 'the request headers are larger than allowed' },
  internal_error: { status: 500, meaning: 'an unexpected failure; it was logged, and nothing half-done was kept' },
  event_undecodable: { status: 500, meaning: 'a stored event cannot be read by this version', answeredAs: 'internal_error' },
  service_unavailable: { status: 503, meaning: 'a storage service does not answer; see Retry-After' },
  event_store_unavailable: { status: 503, meaning: 'the event store does not answer; see Retry-After' },
  event_store_failure: { status: 503, meaning: 'the event store refuses this service; an operator must act' },
  rate_limit_unavailable: { status: 503, meaning: 'requests cannot be counted against the limit right now; see Retry-After' },
  read_model_behind: { status: 503, meaning: 'the read models did not reach minPosition within 5 s; retry' },
};

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERROR_TABLE, code);
}

/** The status and the public `code` of a problem raised with `code`. */
export function answerFor(code: ErrorCode): { readonly status: number; readonly code: ErrorCode } {
  const answer = ERROR_TABLE[code];
  return { status: answer.status, code: answer.answeredAs ?? code };
}

const ENTRIES = Object.entries(ERROR_TABLE) as [ErrorCode, ErrorAnswer][];

/** Every `code` a problem can carry, in table order: the codes that answer as themselves. */
export const PROBLEM_CODES: readonly ErrorCode[] = ENTRIES.filter(([, a]) => a.answeredAs === undefined).map(([code]) => code);

/** The public codes a problem of `status` can carry, each with its meaning. */
export function problemsOfStatus(status: number): readonly { readonly code: ErrorCode; readonly meaning: string }[] {
  return ENTRIES.filter(([, a]) => a.status === status && a.answeredAs === undefined).map(([code, a]) => ({ code, meaning: a.meaning }))
    .concat(ENTRIES.filter(([, a]) => a.status === status && a.answeredAs !== undefined && ERROR_TABLE[a.answeredAs].status !== status)
      .map(([, a]) => ({ code: a.answeredAs!, meaning: a.meaning })));
}

/** What a framework exception of `status` becomes: the first code of that status, else internal_error. */
export function codeForStatus(status: number): ErrorCode {
  return ENTRIES.find(([, a]) => a.status === status && a.answeredAs === undefined)?.[0] ?? 'internal_error';
}
