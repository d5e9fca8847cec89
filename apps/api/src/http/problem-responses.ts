import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { PROBLEM_CODES, problemsOfStatus } from './error-table';

export class ProblemFieldErrorDto {
  @ApiProperty({ example: 'nominee.gender' })
  readonly field: string;

  @ApiProperty({ example: 'gender must be one of the following values: female, male' })
  readonly message: string;
}

export class OffendingNominationDto {
  @ApiProperty({ format: 'uuid', example: 'c3f1a7e2-5b2d-4e7a-9d0b-1f0e6c2a9b11' })
  readonly nominationId: string;

  @ApiProperty({ example: 'not_approved', description: 'Why it cannot be decided: not_approved, other_unit, on_another_decision, ...' })
  readonly reason: string;
}

/** What some codes add about the failure; which members appear depends on the code. */
export class ProblemDetailsExtraDto {
  @ApiPropertyOptional({
    example: 'unknown_unit',
    description: 'The refusal\'s finer reason: for validation_failed e.g. unknown_unit, no_deciding_unit; for invalid_transition of a withdrawal or a rejection '
      + '`decision_in_progress` (a decision listing the nomination is being issued right now) or `on_issued_decision` (it is listed on an issued decision, named by `decisionId`).',
  }) readonly reason?: string;
  @ApiPropertyOptional({ example: 'gso-2004' }) readonly codeSet?: string;
  @ApiPropertyOptional({ example: '03814' }) readonly unit?: string;
  @ApiPropertyOptional({ example: 'district' }) readonly level?: string;
  @ApiPropertyOptional({ example: 'vn-2017' }) readonly ruleSet?: string;
  @ApiPropertyOptional({ example: 'GIAY_KHEN_HUYEN' }) readonly awardCode?: string;
  @ApiPropertyOptional({ type: [OffendingNominationDto], description: 'invalid_transition of POST /decisions: the nominations that cannot be decided.' })
  readonly offending?: OffendingNominationDto[];
  @ApiPropertyOptional({ example: '125/QĐ-UBND', description: 'decision_number_taken.' }) readonly number?: string;
  @ApiPropertyOptional({ example: '120', description: 'decision_number_taken.' }) readonly issuingUnit?: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'decision_number_taken: the decision that has the number (for a number a revocation took, the decision it revoked); invalid_transition with reason on_issued_decision: the issued decision listing the nomination.' })
  readonly decisionId?: string;
  @ApiPropertyOptional({ type: [String], example: ['officer'], description: 'forbidden: roles that may do this.' }) readonly requiredRoles?: string[];
  @ApiPropertyOptional({ example: 12, description: 'rate_limited.' }) readonly retryAfterSeconds?: number;
  @ApiPropertyOptional({ example: 60, description: 'rate_limited.' }) readonly limitPerMinute?: number;
  @ApiPropertyOptional({ example: 'approved_at_another_stage', description: 'forbidden with reason separation_of_duties: how the caller took part.' }) readonly conflict?: string;
  @ApiPropertyOptional({ example: 'draft', description: 'invalid_transition: the status the nomination is in.' }) readonly status?: string;
  @ApiPropertyOptional({ type: [String], example: ['in_review'], description: 'invalid_transition: the statuses that allow the command.' }) readonly allowed?: string[];
  @ApiPropertyOptional({ type: [String], example: ['district'], description: 'validation_failed with reason no_deciding_unit.' }) readonly decidingLevels?: string[];
  @ApiPropertyOptional({ format: 'uuid', description: 'The nomination a decision\'s effect was refused on.' }) readonly nominationId?: string;
  @ApiPropertyOptional({ type: [String], description: 'invalid_transition of a revocation: the nominations already revoked.' }) readonly nominationIds?: string[];
  @ApiPropertyOptional({ example: 500, description: 'nomination_too_many_events: the most events a nomination may hold.' }) readonly limit?: number;
  @ApiPropertyOptional({ example: 8388608, description: 'nomination_too_large: the most bytes of recorded data.' }) readonly limitBytes?: number;
  @ApiPropertyOptional({ type: [String], example: ['nominations'], description: 'read_model_behind: the read models still behind.' }) readonly projections?: string[];
  @ApiPropertyOptional({ example: '1234', description: 'read_model_behind: the position asked for.' }) readonly minPosition?: string;
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

  @ApiProperty({ enum: PROBLEM_CODES, example: 'validation_failed', description: 'Stable: clients switch on it. The codes and their statuses come from one table (apps/api/src/http/error-table.ts).' })
  readonly code: string;

  @ApiPropertyOptional({ type: [ProblemFieldErrorDto], description: 'validation_failed: one entry per refused field.' })
  readonly errors?: ProblemFieldErrorDto[];

  @ApiPropertyOptional({ type: ProblemDetailsExtraDto })
  readonly details?: ProblemDetailsExtraDto;
}

/** The description of a status's answer: every code the error table gives that status, with its meaning. */
function describe(status: number): string {
  return problemsOfStatus(status).map(({ code, meaning }) => `${code}: ${meaning}.`).join(' ');
}

/**
 * The documented answer of one status: problem+json whose `status` is that status and whose `code`
 * is one the error table gives it. Built from the table, so the document cannot drift from the filter.
 */
export function problemResponse(status: number): { description: string; content: Record<string, { schema: object }> } {
  return {
    description: describe(status),
    content: {
      'application/problem+json': {
        schema: {
          allOf: [
            { $ref: getSchemaPath(ProblemDetailsDto) },
            { type: 'object', properties: { status: { type: 'integer', enum: [status] }, code: { type: 'string', enum: problemsOfStatus(status).map((p) => p.code) } } },
          ],
        },
      },
    },
  };
}

/** A named example answer of a status: the problem body a client may meet, with what it means. */
export interface ProblemExample {
  readonly summary: string;
  readonly value: { readonly type: string; readonly title: string; readonly status: number; readonly detail: string; readonly code: string; readonly details?: object };
}

/**
 * Adds named examples (e.g. the reasons a 409 can carry) to one status's problem answer, applied after
 * the ApiProblemResponses that declares it: `note` is appended to that answer's description.
 */
export function ApiProblemExamples(status: number, note: string, examples: Readonly<Record<string, ProblemExample>>): MethodDecorator & ClassDecorator {
  const media = problemResponse(status).content['application/problem+json']!;
  return applyDecorators(
    ApiExtraModels(ProblemDetailsDto),
    ApiResponse({ status, description: note, content: { 'application/problem+json': { ...media, examples } } }),
  );
}

/** Answers any route may give, whatever it declares (added to every operation by openapi-document.ts). */
export const EVERY_ROUTE_STATUSES = [400, 500, 503] as const;

/** Answers any route with a path parameter may give (an over-long parameter). */
export const PATH_PARAMETER_STATUSES = [414] as const;

/** Answers any route that reads a body may give (POST, PUT, PATCH), whether or not it documents one. */
export const BODY_ROUTE_STATUSES = [400, 413, 415] as const;

const READ_STATUSES = [400, 401, 403, 404, 429] as const;
const WRITE_STATUSES = [400, 401, 403, 404, 409, 412, 422, 429] as const;

/** Documents the problem+json answers a route may give; `statuses` defaults to every write outcome. */
export function ApiProblemResponses(statuses: readonly number[] = WRITE_STATUSES): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(ProblemDetailsDto),
    ...statuses.map((status) => ApiResponse({ status, ...problemResponse(status) })),
  );
}

export const ApiReadProblemResponses = (): MethodDecorator & ClassDecorator => ApiProblemResponses(READ_STATUSES);
