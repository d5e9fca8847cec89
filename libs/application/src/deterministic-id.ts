import { hash } from 'node:crypto';

/**
 * A UUID (version 8, RFC 9562 "custom") derived from its inputs by SHA-256. The same command retried
 * with the same Idempotency-Key yields the same command id and the same event ids, so the event store
 * recognises the retry and writes nothing new.
 */
export function deterministicUuid(...parts: readonly string[]): string {
  // One-shot: this runs for every command and every event it appends.
  const digest = hash('sha256', parts.join('\u0000'), 'buffer');
  digest[6] = (digest[6]! & 0x0f) | 0x80;
  digest[8] = (digest[8]! & 0x3f) | 0x80;
  const hex = digest.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
