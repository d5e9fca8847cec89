/** The first complete answer to a request that carried an Idempotency-Key. */
export interface StoredResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  /** The body as first sent (JSON); null when there was none. */
  readonly body: unknown;
}

export type IdempotencyReservation =
  /** The key was free: this request now holds it. */
  | { readonly status: 'reserved' }
  /** The key is taken, by an earlier attempt that may not have finished (then `response` is absent). */
  | { readonly status: 'taken'; readonly requestHash: string; readonly response?: StoredResponse };

/** Idempotency-Key answers, per actor and key. */
export interface IdempotencyRecords {
  /** Takes the key for a request with this hash, unless it is already taken. */
  reserve(actorId: string, key: string, requestHash: string): Promise<IdempotencyReservation>;
  /** Stores the answer of the request that holds the key. */
  complete(actorId: string, key: string, response: StoredResponse): Promise<void>;
  /** Frees a key whose request failed before completing; a completed answer is kept. */
  release(actorId: string, key: string): Promise<void>;
  /** Deletes keys taken more than `days` days ago; returns how many. */
  purgeOlderThan(days: number): Promise<number>;
}

export const IDEMPOTENCY_RECORDS = Symbol('IDEMPOTENCY_RECORDS');
