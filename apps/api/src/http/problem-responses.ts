import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiResponse, getSchemaPath } from '@nestjs/swagger';

export class ProblemFieldErrorDto {
  @ApiProperty({ example: 'nominee.gender' })
  readonly field: string;

  @ApiProperty({ example: 'gender must be one of the following values: female, male' })
  readonly message: string;
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

  @ApiProperty({
    example: 'validation_failed',
    description: 'Stable: validation_failed, unauthenticated, forbidden, not_found, invalid_transition, revision_conflict, ' +
      'council_vote_required, supplement_limit_reached, idempotency_key_reused, rate_limited.',
  })
  readonly code: string;

  @ApiPropertyOptional({ type: [ProblemFieldErrorDto] })
  readonly errors?: ProblemFieldErrorDto[];
}

const MEANINGS: Record<number, string> = {
  400: 'validation_failed: malformed body, query, header or unknown field.',
  401: 'unauthenticated: missing, expired or invalid bearer token.',
  403: 'forbidden: the role or the stage does not allow this caller.',
  404: 'not_found: no such resource within the caller\'s jurisdiction.',
  409: 'invalid_transition, revision_conflict, council_vote_required, supplement_limit_reached, decision_number_taken, ' +
    'or stream_truncated (the history was deleted or truncated inside the event store; nothing was written).',
  412: 'revision_conflict: If-Match does not name the current revision; nothing was written.',
  422: 'idempotency_key_reused: the Idempotency-Key was used for a different request.',
  429: 'rate_limited: too many writes; see Retry-After.',
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
