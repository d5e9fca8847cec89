/**
 * Typed domain errors. The `code` strings are the HTTP contract's problem codes (API.md); the api maps
 * each code to its status once, in its error table.
 */

export const DOMAIN_ERROR_CODES = [
  'validation_failed',
  'forbidden',
  'not_found',
  'invalid_transition',
  'council_vote_required',
  'supplement_limit_reached',
] as const;
export type DomainErrorCode = (typeof DOMAIN_ERROR_CODES)[number];

/** Every code an error of this lib carries: the domain's refusals and the codec's unreadable event. */
export const NOMINATION_ERROR_CODES = [...DOMAIN_ERROR_CODES, 'event_undecodable'] as const;
export type NominationErrorCode = (typeof NOMINATION_ERROR_CODES)[number];

/** One problem with one input field, in the shape of problem+json `errors[]`. */
export interface FieldIssue {
  readonly field: string;
  readonly message: string;
}

export abstract class DomainError extends Error {
  abstract readonly code: DomainErrorCode;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(message: string, details?: Readonly<Record<string, unknown>>) {
    super(message);
    this.name = new.target.name;
    this.details = details;
  }
}

export class ValidationFailedError extends DomainError {
  readonly code = 'validation_failed' as const;
  readonly errors: readonly FieldIssue[];

  constructor(message: string, errors: readonly FieldIssue[] = [], details?: Readonly<Record<string, unknown>>) {
    super(message, { ...details, errors });
    this.errors = errors;
  }
}

/** The proposing unit (or an ancestor it needs) is not in the directory for that code set. */
export class UnknownUnitError extends ValidationFailedError {
  constructor(readonly codeSet: string, readonly unitCode: string, field = 'proposingUnit') {
    super(`Unit ${unitCode} does not exist in code set ${codeSet}`, [{ field, message: `unknown unit ${unitCode} in ${codeSet}` }], {
      reason: 'unknown_unit',
      codeSet,
      unit: unitCode,
    });
  }
}

/** The award exists in the catalogue but has no deciding level under this rule set. */
export class AwardNotOfferedError extends ValidationFailedError {
  constructor(readonly ruleSet: string, readonly awardCode: string) {
    super(`Award ${awardCode} is not offered under rule set ${ruleSet}`, [{ field: 'awardCode', message: `not offered under ${ruleSet}` }], {
      reason: 'award_not_offered',
      ruleSet,
      awardCode,
    });
  }
}

/**
 * No unit on the route from the proposing unit upward is at a level that may decide the award (a
 * commune's Giấy khen proposed at a district, Lao động tiên tiến proposed at the province). Refused at
 * creation: the nomination is never sent to some other level instead.
 */
export class NoUnitAtLevelError extends ValidationFailedError {
  constructor(readonly codeSet: string, readonly unitCode: string, readonly levels: readonly string[], award?: { readonly ruleSet: string; readonly awardCode: string }) {
    super(
      `No unit from ${unitCode} upward in ${codeSet} may decide ${award?.awardCode ?? 'this award'}: it is decided at ${levels.join(' or ')} level only`,
      [{ field: 'proposingUnit', message: `${award?.awardCode ?? 'the award'} is decided at ${levels.join(' or ')} level; no such unit from ${unitCode} upward` }],
      { reason: 'no_deciding_unit', codeSet, unit: unitCode, decidingLevels: levels, ...(award ? { ruleSet: award.ruleSet, awardCode: award.awardCode } : {}) },
    );
  }
}

export class ForbiddenError extends DomainError {
  readonly code = 'forbidden' as const;
}

export class NotFoundError extends DomainError {
  readonly code = 'not_found' as const;
}

export class InvalidTransitionError extends DomainError {
  readonly code = 'invalid_transition' as const;
}

export class CouncilVoteRequiredError extends DomainError {
  readonly code = 'council_vote_required' as const;
}

export class SupplementLimitReachedError extends DomainError {
  readonly code = 'supplement_limit_reached' as const;
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}
