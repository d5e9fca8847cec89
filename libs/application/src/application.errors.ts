/**
 * The codes this lib's own errors carry (the api's error table gives each its HTTP answer). The
 * decision refusals reuse the domain's codes (invalid_transition, forbidden, not_found...).
 */
export const APPLICATION_ERROR_CODES = [
  /** If-Match named a revision that is no longer the stream's latest (StaleRevision). */
  'stale_revision',
  /** Someone else's write won the race (ConcurrentChange). */
  'revision_conflict',
  'idempotency_key_reused',
  'nomination_too_many_events',
  'nomination_too_large',
  'decision_number_taken',
] as const;
export type ApplicationErrorCode = (typeof APPLICATION_ERROR_CODES)[number];
