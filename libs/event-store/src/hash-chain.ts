import { hash as oneShotHash } from 'node:crypto';

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
  return chainHashOfText(previousHash, event.revision, event.type, canonicalJson(event.data), canonicalJson(event.metadata));
}

/**
 * chainHash() from already canonical data and metadata text (the keys of the hashed object sort as
 * data < metadata < revision < type). One call into the hash: this runs for every event appended,
 * sealed and verified.
 */
export function chainHashOfText(previousHash: string, revision: number, type: string, dataJson: string, metadataJson: string): string {
  return oneShotHash('sha256', `${previousHash}{"data":${dataJson},"metadata":${metadataJson},"revision":${revision},"type":${JSON.stringify(type)}}`, 'hex');
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

/*
 * canonicalJsonText(text) === canonicalJson(JSON.parse(text)), without building the values.
 *
 * The log's readers get data and metadata as JSON text (PostgreSQL's jsonb output: keys ordered by
 * length, a space after `:` and `,`) and the service parses that text; the chain hash and the MAC are
 * over its canonical form. Verifying the whole log re-derives that form for every event, so this does
 * it straight from the text: structure and numbers are re-written, object members re-sorted, and string
 * tokens copied as they are, which is exact when the text holds no backslash, no control character and
 * no surrogate (JSON.stringify then writes a string as its characters between quotes, and the member
 * order of undecoded keys is that of decoded ones). Any other text, and anything unexpected (invalid
 * JSON, a repeated key), goes the long way, through JSON.parse and canonicalJson, so the answer is the
 * same for every input: what is verified is exactly what a reader of the text gets.
 */
// eslint-disable-next-line no-control-regex
const NOT_VERBATIM = /[\u0000-\u001f\\\ud800-\udfff]/;
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

class NotVerbatim extends Error {}
const BAIL = new NotVerbatim();

class CanonicalScanner {
  private at = 0;
  constructor(private readonly text: string) {}

  document(): string {
    const out = this.value();
    this.space();
    if (this.at !== this.text.length) throw BAIL;
    return out;
  }

  private space(): void {
    const text = this.text;
    let at = this.at;
    for (;;) {
      const c = text.charCodeAt(at);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) at++;
      else break;
    }
    this.at = at;
  }

  /** A string token's characters between its quotes (the text holds no backslash, so no escape). */
  private stringBody(): string {
    const end = this.text.indexOf('"', this.at + 1);
    if (end < 0) throw BAIL;
    const body = this.text.slice(this.at + 1, end);
    this.at = end + 1;
    return body;
  }

  private value(): string {
    this.space();
    const text = this.text;
    const c = text.charCodeAt(this.at);
    if (c === 0x22) return `"${this.stringBody()}"`;
    if (c === 0x7b) return this.object();
    if (c === 0x5b) return this.array();
    if (c === 0x74 && text.startsWith('true', this.at)) {
      this.at += 4;
      return 'true';
    }
    if (c === 0x66 && text.startsWith('false', this.at)) {
      this.at += 5;
      return 'false';
    }
    if (c === 0x6e && text.startsWith('null', this.at)) {
      this.at += 4;
      return 'null';
    }
    const start = this.at;
    let at = start;
    for (;;) {
      const d = text.charCodeAt(at);
      // - + . 0-9 E e
      if (d === 0x2d || d === 0x2b || d === 0x2e || (d >= 0x30 && d <= 0x39) || d === 0x45 || d === 0x65) at++;
      else break;
    }
    const token = text.slice(start, at);
    if (!JSON_NUMBER.test(token)) throw BAIL;
    this.at = at;
    return JSON.stringify(Number(token));
  }

  private array(): string {
    this.at++;
    this.space();
    if (this.text.charCodeAt(this.at) === 0x5d) {
      this.at++;
      return '[]';
    }
    let out = '[';
    for (;;) {
      out += this.value();
      this.space();
      const c = this.text.charCodeAt(this.at++);
      if (c === 0x5d) return `${out}]`;
      if (c !== 0x2c) throw BAIL;
      out += ',';
    }
  }

  private object(): string {
    this.at++;
    this.space();
    if (this.text.charCodeAt(this.at) === 0x7d) {
      this.at++;
      return '{}';
    }
    const keys: string[] = [];
    const values: string[] = [];
    let sorted = true;
    for (;;) {
      this.space();
      if (this.text.charCodeAt(this.at) !== 0x22) throw BAIL;
      const key = this.stringBody();
      this.space();
      if (this.text.charCodeAt(this.at++) !== 0x3a) throw BAIL;
      const n = keys.length;
      if (n > 0) {
        const last = keys[n - 1]!;
        if (key === last) throw BAIL;
        if (key < last) sorted = false;
      }
      keys.push(key);
      values.push(this.value());
      this.space();
      const c = this.text.charCodeAt(this.at++);
      if (c === 0x7d) break;
      if (c !== 0x2c) throw BAIL;
    }
    let order: number[] | undefined;
    if (!sorted) {
      order = keys.map((_, i) => i).sort((a, b) => (keys[a]! < keys[b]! ? -1 : keys[a]! > keys[b]! ? 1 : 0));
      for (let i = 1; i < order.length; i++) if (keys[order[i]!] === keys[order[i - 1]!]) throw BAIL;
    }
    let out = '{';
    for (let i = 0; i < keys.length; i++) {
      const j = order === undefined ? i : order[i]!;
      out += `${i === 0 ? '' : ','}"${keys[j]}":${values[j]}`;
    }
    return `${out}}`;
  }
}

/** canonicalJson(JSON.parse(text)), faster: see above. Throws as JSON.parse does on invalid JSON. */
export function canonicalJsonText(text: string): string {
  if (!NOT_VERBATIM.test(text)) {
    try {
      return new CanonicalScanner(text).document();
    } catch (error) {
      if (!(error instanceof NotVerbatim)) throw error;
    }
  }
  return canonicalJson(JSON.parse(text));
}
