import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { STATUS_BY_CODE } from './problem-details.filter';

export class ProblemFieldErrorDto {
  @ApiProperty({ example: 'nominee.gender' })
  readonly field: string;

  @ApiProperty({ example: 'gender must be one of the following values: female, male' })
  readonly message: string;
}

/**
 * Every `code` a problem can carry: the stable codes of the domain, auth and storage errors the filter
 * maps (its table, so a code added there is documented here), and those it gives HTTP-level failures.
 */
export const PROBLEM_CODES: readonly string[] = [
  ...new Set([
    ...Object.keys(STATUS_BY_CODE).filter((code) => code !== 'stream_not_found'),
    'payload_too_large', 'unsupported_media_type', 'method_not_allowed', 'http_error', 'internal_error',
  ]),
];

export class OffendingNominationDto {
  @ApiProperty({ format: 'uuid', example: 'c3f1a7e2-5b2d-4e7a-9d0b-1f0e6c2a9b11' })
  readonly nominationId: string;

  @ApiProperty({ example: 'not_approved', description: 'Why it cannot be decided: not_approved, other_unit, on_another_decision, ...' })
  readonly reason: string;
}

/** What some codes add about the failure; which members appear depends on the code. */
export class ProblemDetailsExtraDto {
  @ApiPropertyOptional({ example: 'unknown_unit', description: 'The refusal\'s finer reason (validation_failed).' }) readonly reason?: string;
  @ApiPropertyOptional({ example: 'gso-2004' }) readonly codeSet?: string;
  @ApiPropertyOptional({ example: '03814' }) readonly unit?: string;
  @ApiPropertyOptional({ example: 'district' }) readonly level?: string;
  @ApiPropertyOptional({ example: 'vn-2017' }) readonly ruleSet?: string;
  @ApiPropertyOptional({ example: 'GIAY_KHEN_HUYEN' }) readonly awardCode?: string;
  @ApiPropertyOptional({ type: [OffendingNominationDto], description: 'invalid_transition of POST /decisions: the nominations that cannot be decided.' })
  readonly offending?: OffendingNominationDto[];
  @ApiPropertyOptional({ example: '125/QĐ-UBND', description: 'decision_number_taken.' }) readonly number?: string;
  @ApiPropertyOptional({ example: '120', description: 'decision_number_taken.' }) readonly issuingUnit?: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'decision_number_taken: the decision that has the number.' }) readonly decisionId?: string;
  @ApiPropertyOptional({ type: [String], example: ['officer'], description: 'forbidden: roles that may do this.' }) readonly requiredRoles?: string[];
  @ApiPropertyOptional({ example: 12, description: 'rate_limited.' }) readonly retryAfterSeconds?: number;
  @ApiPropertyOptional({ example: 60, description: 'rate_limited.' }) readonly limitPerMinute?: number;
}

/** RFC 9457 problem details, as ProblemDetailsFilter sends them (OpenAPI only). */
export class ProblemDetailsDto {
  @ApiProperty({ example: 'https://nomination-approvals.local/problems/validation-failed' })
  readonly type: string;

  @ApiProperty({ example: 'Bad Request' })
  readonly title: string;

  @ApiProperty({ example: 400 })
  readonly status: number;

  @ApiProperty({ example: 'The request is not valid.' })
  readonly detail: string;

  @ApiProperty({ enum: PROBLEM_CODES, example: 'validation_failed', description: 'Stable: clients switch on it.' })
  readonly code: string;

  @ApiPropertyOptional({ type: [ProblemFieldErrorDto], description: 'validation_failed: one entry per refused field.' })
  readonly errors?: ProblemFieldErrorDto[];

  @ApiPropertyOptional({ type: ProblemDetailsExtraDto })
  readonly details?: ProblemDetailsExtraDto;
}

const MEANINGS: Record<number, string> = {
  400: 'validation_failed: malformed body, query, header or unknown field.',
  401: 'unauthenticated: missing, expired or invalid bearer token.',
  403: 'forbidden: the role or the stage does not allow this caller.',
  404: 'not_found: no such resource within the caller\'s jurisdiction.',
  409: 'invalid_transition, revision_conflict, council_vote_required, supplement_limit_reached, decision_number_taken, ' +
    'stream_truncated (the history was deleted or truncated inside the event store; nothing was written), ' +
    'seal_refused (an event since the latest seal does not verify; nothing was signed) or nothing_to_seal.',
  412: 'revision_conflict: If-Match does not name the current revision; nothing was written.',
  422: 'idempotency_key_reused: the Idempotency-Key was used for a different request.',
  429: 'rate_limited: too many writes; see Retry-After.',
  503: 'read_model_behind: the read models did not reach minPosition within 5 s; retry.',
};

/** Answers any route may give, whatever it declares (added to every operation by openapi-document.ts). */
export const EVERY_ROUTE_PROBLEMS: Readonly<Record<number, string>> = {
  500: 'internal_error: an unexpected failure; it was logged, and nothing half-done was kept.',
  503: 'service_unavailable, event_store_unavailable: a storage service does not answer; see Retry-After.',
};

/** Answers any route with a request body may give. */
export const BODY_ROUTE_PROBLEMS: Readonly<Record<number, string>> = {
  400: 'validation_failed: the body is not valid JSON or not valid for this route.',
  413: 'payload_too_large: the body is larger than the configured limit.',
  415: 'unsupported_media_type: the body is not sent as application/json.',
};

const READ_STATUSES = [400, 401, 403, 404, 429] as const;
const WRITE_STATUSES = [400, 401, 403, 404, 409, 412, 422, 429] as const;

/** Documents the problem+json answers a route may give; `statuses` defaults to every write outcome. */
export function ApiProblemResponses(statuses: readonly number[] = WRITE_STATUSES): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(ProblemDetailsDto),
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: MEANINGS[status] ?? 'Problem details.',
        content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemDetailsDto) } } },
      }),
    ),
  );
}

export const ApiReadProblemResponses = (): MethodDecorator & ClassDecorator => ApiProblemResponses(READ_STATUSES);
