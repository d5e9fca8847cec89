import type { Role } from './actor';

export const AUTH_ERROR_CODES = ['unauthenticated', 'forbidden', 'rate_limited', 'rate_limit_unavailable'] as const;
export type AuthErrorCode = (typeof AUTH_ERROR_CODES)[number];

/**
 * Failures of authentication, authorisation and write throttling. The api turns them into
 * problem+json: the status its error table gives `code`, `message` as the detail, `details` as extra
 * members of the problem, and `headers` onto the response. Everything on these three is safe to show
 * a client; diagnostics meant only for logs live in other properties.
 */
export abstract class AuthError extends Error {
  abstract readonly code: AuthErrorCode;

  protected constructor(
    message: string,
    readonly details: Readonly<Record<string, unknown>> | undefined,
    readonly headers: Readonly<Record<string, string>>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Why a credential was refused. Logged and available to tests; never sent to the client. */
export type UnauthenticatedReason =
  | 'missing_credentials'
  | 'malformed_authorization'
  | 'malformed_token'
  | 'algorithm_not_allowed'
  | 'bad_signature'
  | 'expired'
  | 'claim_rejected'
  | 'invalid_claims'
  | 'no_matching_key'
  | 'key_set_unavailable'
  | 'staff_inactive';

export class Unauthenticated extends AuthError {
  readonly code = 'unauthenticated';

  constructor(
    readonly reason: UnauthenticatedReason,
    /** The claim that failed, for claim_rejected and invalid_claims. */
    readonly claim?: string,
  ) {
    // One detail for every reason: telling a caller which check failed helps an attacker more than a user.
    super('A valid bearer token is required.', undefined, {
      // RFC 6750 §3: a presented-but-bad token is "invalid_token"; no token at all gets the bare challenge.
      'www-authenticate': reason === 'missing_credentials'
        ? 'Bearer realm="nomination-approvals"'
        : 'Bearer realm="nomination-approvals", error="invalid_token"',
    });
  }
}

export class Forbidden extends AuthError {
  readonly code = 'forbidden';

  constructor(
    readonly requiredRoles: readonly Role[],
    readonly reason: 'role' | 'staff_unit_mismatch' | 'outside_admin_unit' = 'role',
    detail?: string,
  ) {
    super(
      detail ?? (reason === 'staff_unit_mismatch'
        ? 'Your token names a unit other than the staff directory\'s record for you; sign in again.'
        : `This action requires one of the roles: ${requiredRoles.join(', ')}.`),
      reason === 'role' ? { requiredRoles: [...requiredRoles] } : { reason },
      {},
    );
  }
}

export class RateLimited extends AuthError {
  readonly code = 'rate_limited';

  constructor(
    readonly retryAfterSeconds: number,
    readonly limitPerMinute: number,
    readonly kind: 'write' | 'read' = 'write',
  ) {
    super(
      `Too many ${kind}s: at most ${limitPerMinute} per minute. Retry in ${retryAfterSeconds} s.`,
      { retryAfterSeconds, limitPerMinute },
      { 'retry-after': String(retryAfterSeconds) },
    );
  }
}

/** The rate limiter could not count the request and is configured to fail closed (RATE_LIMIT_FAIL_OPEN=false). */
export class RateLimitUnavailable extends AuthError {
  readonly code = 'rate_limit_unavailable';

  constructor() {
    super('Requests cannot be counted against your limit right now; try again shortly.', undefined, { 'retry-after': '5' });
  }
}
