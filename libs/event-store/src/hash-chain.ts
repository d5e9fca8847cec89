import { createHash } from 'node:crypto';

/** The hash that precedes the first event of every stream. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * Canonical JSON: object keys sorted by code point, no insignificant whitespace, strings NFC as
 * stored. Both adapters hash exactly this text, so a chain copied between stores verifies the same.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'bigint') return value.toString();
    if (value === undefined) return 'null';
    return JSON.stringify(value);
  }
  // Plain loops and string concatenation: this runs for every event appended, sealed and verified.
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + canonicalJson(value[i]);
    return `${out}]`;
  }
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  const record = value as Record<string, unknown>;
  // The default sort compares UTF-16 code units, exactly as a < b does.
  const keys = Object.keys(record).sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const item = record[key];
    if (item === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(key)}:${canonicalJson(item)}`;
    first = false;
  }
  return `${out}}`;
}

export interface HashedContent {
  readonly type: string;
  readonly data: unknown;
  readonly metadata: unknown;
  readonly revision: number;
}

/** SHA-256 (hex) over the previous hash followed by the event's canonical JSON. */
export function chainHash(previousHash: string, event: HashedContent): string {
  return createHash('sha256')
    .update(previousHash)
    .update(canonicalJson({ type: event.type, data: event.data, metadata: event.metadata, revision: event.revision }))
    .digest('hex');
}

export interface ChainVerification {
  readonly ok: boolean;
  readonly checked: number;
  /** The first revision whose stored hash or position in the chain does not match. */
  readonly firstBrokenRevision?: number;
}

/** Recomputes a stream's chain from its events in stored order. */
export function verifyChain(
  events: readonly (HashedContent & { readonly hash: string })[],
): ChainVerification {
  let previous = GENESIS_HASH;
  for (let i = 0; i < events.length; i++) {
    const event = events[i]!;
    if (event.revision !== i || chainHash(previous, event) !== event.hash) {
      return { ok: false, checked: i + 1, firstBrokenRevision: i };
    }
    previous = event.hash;
  }
  return { ok: true, checked: events.length };
}
