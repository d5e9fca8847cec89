/*
 * Per-event authentication codes.
 *
 * The SHA-256 chain (hash-chain.ts) is public arithmetic: anyone who can write to the database can
 * recompute it after changing an event. The MAC is computed by the service, outside the database, under
 * a key the database never holds, so a changed, forged or moved event cannot carry a valid one.
 *
 * Two versions, told apart by the stored form:
 *
 * - Version 2 (every event written now), `v2.<keyId>.<base64url HMAC-SHA-256>`: over a small fixed
 *   record, the canonical JSON of {hash, id, recordedAt, revision, stream, type}. `hash` is the event's
 *   chain hash, which covers its data, metadata, type and revision and the hash of the event before it,
 *   so the content is hashed once (for the chain) and the MAC adds a few dozen bytes; `recordedAt` is
 *   the instant the store recorded the event (ISO 8601 in milliseconds, UTC), which the service chooses
 *   itself before the write so that it can be covered. The key is derived apart from version 1's.
 * - Version 1 (events written before the instant was covered), `<keyId>.<base64url HMAC-SHA-256>`: over
 *   the canonical JSON of {data, id, metadata, revision, stream, type}. It does not cover when the event
 *   was recorded: for such an event only a seal of leaf version 2 does (libs/audit/src/seal.ts). Old
 *   events keep verifying under it; nothing writes it any more, except a copy between stores, which
 *   carries each event's stored MAC over unchanged (store-copy.ts).
 *
 * Either binds the event to its place in its stream (stream id, revision) and to its content: moving an
 * event to another revision or stream, swapping two events or changing one byte invalidates it. Neither
 * binds the global position, which neither store knows before the write (PostgreSQL derives it from the
 * writing transaction, KurrentDB from the commit); the order of the whole log is committed to by the
 * signed seals instead. A downgrade is no way round: a version-2 event given a version-1 code needs the
 * version-1 code of its content, which takes the key as well.
 *
 * Stored in the `mac` column (PostgreSQL) or the `$mac` metadata key (KurrentDB). The key id names which
 * key of the ring made it, so keys rotate without breaking old events.
 */

/** What a version-2 MAC is computed over (what the service knows before the write). */
export interface MacContent {
  readonly streamId: string;
  readonly revision: number;
  readonly id: string;
  readonly type: string;
  /** The event's chain hash (hex). */
  readonly hash: string;
  /** When the store records the event: Date.toISOString() of a millisecond instant. */
  readonly recordedAt: string;
}

/** Everything a stored MAC of either version may be checked against. `dataJson`, `metadataJson`: canonicalJson() text. */
export interface MacCheckContent extends MacContent {
  readonly dataJson: string;
  readonly metadataJson: string;
}

/** The content of a version-1 MAC. */
export type MacV1Content = Pick<MacCheckContent, 'streamId' | 'revision' | 'id' | 'type' | 'dataJson' | 'metadataJson'>;

export type MacCheck = 'valid' | 'missing' | 'unknown_key' | 'invalid';

export type MacVersion = 1 | 2;

/** The prefix of a version-2 stored MAC. A version-1 one starts with its key id, which never contains a dot. */
export const MAC_V2_PREFIX = 'v2.';

/** Which version a stored MAC is (undefined: none stored). */
export function macVersionOf(stored: string | undefined): MacVersion | undefined {
  if (stored === undefined || stored === '') return undefined;
  return stored.startsWith(MAC_V2_PREFIX) ? 2 : 1;
}

/**
 * The service's side of event authentication: it holds the keys, the stores only ask it for codes.
 * Implemented by the audit key ring (libs/audit); the stores depend on this interface only.
 */
export interface EventAuthenticator {
  /** The stored form `v2.<keyId>.<code>` for the event, under the current key. */
  mac(content: MacContent): string;
  /** Checks a stored MAC of either version with whichever key of the ring its key id names. */
  check(content: MacCheckContent, stored: string | undefined): MacCheck;
}

/** The exact text a version-2 MAC is over: canonical JSON (keys sorted) of the fixed record. */
export function macInput(content: MacContent): string {
  return (
    `{"hash":${JSON.stringify(content.hash)},"id":${JSON.stringify(content.id.toLowerCase())},"recordedAt":${JSON.stringify(content.recordedAt)},` +
    `"revision":${content.revision},"stream":${JSON.stringify(content.streamId)},"type":${JSON.stringify(content.type)}}`
  );
}

/**
 * The exact text a version-1 MAC is over: canonical JSON with keys sorted, built from the already
 * canonical data and metadata text so nothing is serialised twice.
 */
export function macInputV1(content: MacV1Content): string {
  return (
    `{"data":${content.dataJson},"id":${JSON.stringify(content.id.toLowerCase())},"metadata":${content.metadataJson},` +
    `"revision":${content.revision},"stream":${JSON.stringify(content.streamId)},"type":${JSON.stringify(content.type)}}`
  );
}

/**
 * The instant as the MAC and the seal leaf name it. Stores record instants in milliseconds; anything
 * else read back (a value with microseconds, out of range, infinity) is given a text that no MAC
 * made by the service can match.
 */
export function instantText(at: Date): string {
  const ms = at.getTime();
  return Number.isFinite(ms) ? at.toISOString() : `invalid:${String(ms)}`;
}

/**
 * PostgreSQL's `extract(epoch FROM recorded_at)::text` (exact numeric seconds) as instantText: the
 * ISO form for a whole millisecond, the stored value itself otherwise, so a change of a microsecond
 * shows too.
 */
export function instantFromEpochText(text: string): string {
  const match = /^(-?\d+)(?:\.(\d{1,6}))?$/.exec(text);
  if (match === null) return `stored:${text}`;
  const fraction = (match[2] ?? '').padEnd(6, '0');
  if (fraction.slice(3) !== '000') return `stored:${text}`;
  const seconds = Number(match[1]);
  const ms = seconds * 1000 + (match[1]!.startsWith('-') ? -1 : 1) * Number(fraction.slice(0, 3));
  const at = new Date(ms);
  return Number.isFinite(at.getTime()) && Number.isSafeInteger(ms) ? at.toISOString() : `stored:${text}`;
}
