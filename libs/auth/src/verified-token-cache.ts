import { createHash } from 'node:crypto';
import type { JWTPayload } from 'jose';

export interface VerifiedTokenCacheOptions {
  /** Most tokens kept; the least recently used goes first (default 10,000). */
  readonly maxEntries?: number;
  /**
   * Longest a verification is reused (default 30 s), whatever the token's own expiry: bounds how long a
   * key withdrawn from the key set keeps working for a token already seen.
   */
  readonly maxAgeMs?: number;
}

interface Entry {
  readonly payload: JWTPayload;
  /** The earlier of the token's `exp` and the end of its time in the cache, in ms. */
  readonly until: number;
}

/**
 * Signatures and claims of tokens verified recently, so a client sending the same bearer token on every
 * request costs one verification per token and not one per request. Keyed by the token's SHA-256: the
 * credential itself is never kept. An entry is never used at or after the token's `exp` (no clock
 * tolerance either) nor longer than `maxAgeMs`. It holds only what the signature proves: whatever is
 * checked about the person behind the token (an account deactivated since) is checked on every request,
 * after this cache, by the verifier's caller.
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly maxAgeMs: number;

  constructor(options: VerifiedTokenCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? 10_000;
    this.maxAgeMs = options.maxAgeMs ?? 30_000;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The payload verified earlier for this token, if it may still be used at `now` (ms). */
  get(token: string, now: number): JWTPayload | undefined {
    const key = keyOf(token);
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.entries.delete(key);
    if (now >= entry.until) return undefined;
    this.entries.set(key, entry); // most recently used last
    return entry.payload;
  }

  /** Remembers a verified token's payload; one without `exp` is not kept. */
  set(token: string, payload: JWTPayload, now: number): void {
    if (typeof payload.exp !== 'number' || !this.maxEntries) return;
    const until = Math.min(payload.exp * 1000, now + this.maxAgeMs);
    if (until <= now) return;
    const key = keyOf(token);
    this.entries.delete(key);
    this.entries.set(key, { payload, until });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }
}

function keyOf(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
