/*
 * Per-event authentication codes.
 *
 * The SHA-256 chain (hash-chain.ts) is public arithmetic: anyone who can write to the database can
 * recompute it after changing an event. The MAC is computed by the service, outside the database, under
 * a key the database never holds, so a changed, forged or moved event cannot carry a valid one.
 *
 * A MAC binds the event to its place in its stream (stream id, revision) and to its content (id, type,
 * data, metadata): moving an event to another revision or stream, swapping two events or changing one
 * byte invalidates it. It does not bind the global position, which neither store knows before the
 * write (PostgreSQL derives it from the writing transaction, KurrentDB from the commit); the order of
 * the whole log is committed to by the signed seals instead.
 *
 * Stored form: `<keyId>.<base64url HMAC-SHA-256>`, in the `mac` column (PostgreSQL) or the `$mac`
 * metadata key (KurrentDB). The key id names which key of the ring made it, so keys rotate without
 * breaking old events.
 */

/** What a MAC is computed over. `dataJson` and `metadataJson` are canonicalJson() text. */
export interface MacContent {
  readonly streamId: string;
  readonly revision: number;
  readonly id: string;
  readonly type: string;
  readonly dataJson: string;
  readonly metadataJson: string;
}

export type MacCheck = 'valid' | 'missing' | 'unknown_key' | 'invalid';

/**
 * The service's side of event authentication: it holds the keys, the stores only ask it for codes.
 * Implemented by the audit key ring (libs/audit); the stores depend on this interface only.
 */
export interface EventAuthenticator {
  /** The stored form `<keyId>.<code>` for the event, under the current key. */
  mac(content: MacContent): string;
  /** Checks a stored MAC with whichever key of the ring its key id names. */
  check(content: MacContent, stored: string | undefined): MacCheck;
}

/**
 * The exact text that is MACed: canonical JSON with keys sorted, built from the already canonical
 * data and metadata text so nothing is serialised twice.
 */
export function macInput(content: MacContent): string {
  return (
    `{"data":${content.dataJson},"id":${JSON.stringify(content.id.toLowerCase())},"metadata":${content.metadataJson},` +
    `"revision":${content.revision},"stream":${JSON.stringify(content.streamId)},"type":${JSON.stringify(content.type)}}`
  );
}
