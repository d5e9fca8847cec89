/*
 * The per-event checks of whole-log verification that need no other event: canonicalising data and
 * metadata, the chain link (given the previous event's stored hash), the MAC, and the seal leaves.
 * They are most of the work, and independent from event to event, so verification runs them in worker
 * threads (content-check-pool.ts) while the main thread reads the log in order and does the rest
 * (revisions, positions, running roots, seals), which is cheap and must be sequential.
 *
 * One self-contained function (contentCheckKit) does it, in every thread alike: nothing in its body
 * refers to anything outside it, it gets what it needs as arguments (node:crypto and the other
 * self-contained functions: canonicalJsonKit, instantFromEpochText, macInput, macInputV1, leafText,
 * leafTextV2), so the workers run its very source. The key ring's own MAC check (audit-key-ring.ts)
 * is this kit's too, so the main thread and the workers check MACs with the same code.
 *
 * HMAC-SHA-256 is computed here from its definition (RFC 2104: H(K⊕opad ‖ H(K⊕ipad ‖ m)), the 32-byte
 * key padded to the 64-byte block) with node's one-shot hash: the same code as createHmac, without
 * an object per event (about half the time for the short version-2 record).
 */
import * as crypto from 'node:crypto';
import { canonicalJsonKit, GENESIS_HASH, instantFromEpochText, macInput, macInputV1, type CanonicalTextRow } from '@app/event-store';
import { leafText, leafTextV2 } from './seal';

/** A key of the ring as the kit takes it: its id and both MAC keys (32 bytes each). */
export interface MacKeyMaterial {
  readonly keyId: string;
  readonly v1: Uint8Array;
  readonly v2: Uint8Array;
}

/**
 * Per event: bit 0 set when the chain hash matches; bits 1-2 the MAC check (index in MAC_CODES); in
 * packed checks, bit 3 when the chain link is left to the caller (the stream's previous event is not in
 * the batch: `suffixes` has what to hash after its hash), bit 4 when the MAC is of version 2.
 */
export const HASH_OK = 1;
export const HASH_BY_CALLER = 8;
export const MAC_V2 = 16;
export const MAC_CODES = ['valid', 'missing', 'unknown_key', 'invalid'] as const;

/** checkPacked()'s answer: RowChecks, with the fields the walk needs, parsed. */
export interface PackedChecks extends RowChecks {
  readonly positions: BigInt64Array;
  readonly revisions: Float64Array;
  readonly streams: string[];
  readonly hashes: string[];
  /** For each event with HASH_BY_CALLER, in order: the text hashed after the previous hash. */
  readonly suffixes: string[];
}

export interface RowChecks {
  /** One byte per row: HASH_OK | (index in MAC_CODES) << 1. */
  readonly status: Uint8Array;
  /** 32 bytes per row: version-1 leaves of the rows at or before `untilV1` (zeros after), or null when none. */
  readonly v1: Uint8Array | null;
  /** The same for version-2 leaves and `untilV2`. */
  readonly v2: Uint8Array | null;
}

interface KitDeps {
  readonly canonicalJsonText: (text: string) => string;
  readonly instantFromEpochText: (text: string) => string;
  readonly macInput: typeof macInput;
  readonly macInputV1: typeof macInputV1;
  readonly leafText: typeof leafText;
  readonly leafTextV2: typeof leafTextV2;
}

/** Self-contained (see above). */
export function contentCheckKit(nodeCrypto: typeof crypto, deps: KitDeps) {
  const { hash, timingSafeEqual } = nodeCrypto;
  const V2 = 'v2.';
  const GENESIS = '0'.repeat(64);
  const scratch = { buffer: Buffer.allocUnsafe(1 << 16) };
  const outer = Buffer.allocUnsafe(96);

  interface Pads {
    readonly inner: Buffer;
    readonly outer: Buffer;
  }
  function pads(key: Uint8Array): Pads {
    const inner = Buffer.alloc(64, 0x36);
    const outerPad = Buffer.alloc(64, 0x5c);
    for (let i = 0; i < key.length; i++) {
      inner[i]! ^= key[i]!;
      outerPad[i]! ^= key[i]!;
    }
    return { inner, outer: outerPad };
  }

  type Table = Map<string, { v1: Pads; v2: Pads }>;

  function keyTable(keys: readonly MacKeyMaterial[]): Table {
    return new Map(keys.map((k) => [k.keyId, { v1: pads(k.v1), v2: pads(k.v2) }]));
  }

  /** HMAC-SHA-256 of `text`'s UTF-8 (RFC 2104). */
  function hmac(key: Pads, text: string): Buffer {
    let buffer = scratch.buffer;
    if (64 + text.length * 3 > buffer.length) buffer = scratch.buffer = Buffer.allocUnsafe(64 + text.length * 3);
    key.inner.copy(buffer, 0);
    const n = buffer.write(text, 64, 'utf8');
    const innerHash = hash('sha256', buffer.subarray(0, 64 + n), 'buffer');
    key.outer.copy(outer, 0);
    innerHash.copy(outer, 64);
    return hash('sha256', outer, 'buffer');
  }

  interface MacFields {
    readonly streamId: string;
    readonly revision: number;
    readonly id: string;
    readonly type: string;
    readonly hash: string;
    readonly recordedAt: string;
    readonly dataJson: string;
    readonly metadataJson: string;
  }

  /** The index in MAC_CODES: 0 valid, 1 missing, 2 unknown key, 3 invalid. */
  function checkMac(table: Table, content: MacFields, stored: string | undefined): number {
    if (stored === undefined || stored === '') return 1;
    const v2 = stored.startsWith(V2);
    const rest = v2 ? stored.slice(V2.length) : stored;
    const dot = rest.indexOf('.');
    const key = dot < 0 ? undefined : table.get(rest.slice(0, dot));
    if (key === undefined) return 2;
    const expected = v2 ? hmac(key.v2, deps.macInput(content)) : hmac(key.v1, deps.macInputV1(content));
    const given = Buffer.from(rest.slice(dot + 1), 'base64url');
    return given.length === expected.length && timingSafeEqual(given, expected) ? 0 : 3;
  }

  /** The stored form of a version-2 MAC under `key` (`v2.<keyId>.<code>`). */
  function macV2(keyId: string, key: Pads, content: MacFields): string {
    return `${V2}${keyId}.${hmac(key, deps.macInput(content)).toString('base64url')}`;
  }

  function macV1(keyId: string, key: Pads, content: MacFields): string {
    return `${keyId}.${hmac(key, deps.macInputV1(content)).toString('base64url')}`;
  }

  /** Whether decimal position `a` (no leading zeros) is at or before `b`. */
  function atOrBefore(a: string, b: string | null): boolean {
    if (b === null) return false;
    return a.length < b.length || (a.length === b.length && a <= b);
  }

  /**
   * Checks rows (CanonicalTextRow) given each one's previous stored hash in its stream (GENESIS for
   * none), and makes the leaves of the versions asked for, up to the positions given.
   */
  function checkRows(table: Table, rows: readonly CanonicalTextRow[], previous: readonly (string | null)[], untilV1: string | null, untilV2: string | null): RowChecks {
    const n = rows.length;
    const status = new Uint8Array(n);
    const v1 = untilV1 === null ? null : new Uint8Array(n * 32);
    const v2 = untilV2 === null ? null : new Uint8Array(n * 32);
    for (let i = 0; i < n; i++) {
      const [position, id, streamId, revisionText, type, data, metadata, storedHash, mac, epoch] = rows[i]!;
      const revision = Number(revisionText);
      const dataJson = deps.canonicalJsonText(data);
      const metadataJson = deps.canonicalJsonText(metadata);
      const recordedAt = deps.instantFromEpochText(epoch);
      const chained = hash(
        'sha256',
        `${previous[i] ?? GENESIS}{"data":${dataJson},"metadata":${metadataJson},"revision":${revision},"type":${JSON.stringify(type)}}`,
        'hex',
      );
      const content = { streamId, revision, id, type, hash: storedHash, recordedAt, dataJson, metadataJson };
      status[i] = (chained === storedHash ? 1 : 0) | (checkMac(table, content, mac) << 1);
      const leafEvent = { position, id, streamId, revision, type, hash: storedHash, mac, recordedAt };
      if (v1 !== null && atOrBefore(position, untilV1)) v1.set(hash('sha256', deps.leafText(leafEvent), 'buffer'), i * 32);
      if (v2 !== null && atOrBefore(position, untilV2)) v2.set(hash('sha256', deps.leafTextV2(leafEvent), 'buffer'), i * 32);
    }
    return { status, v1, v2 };
  }

  /** A JSON string field of a packed row (see CanonicalPackedBatch). */
  function unquote(field: string): string {
    return field.indexOf('\\') < 0 && field.length >= 2 && field.charCodeAt(0) === 34 ? field.slice(1, -1) : (JSON.parse(field) as string);
  }

  /**
   * checkRows() over a packed batch (CanonicalPackedBatch), with the chain link checked here when the
   * stream's previous event is in the batch and left to the caller otherwise (HASH_BY_CALLER).
   */
  function checkPacked(table: Table, base64: string, count: number, untilV1: string | null, untilV2: string | null): PackedChecks {
    const text = Buffer.from(base64, 'base64').toString('utf8');
    const status = new Uint8Array(count);
    const positions = new BigInt64Array(count);
    const revisions = new Float64Array(count);
    const streams = new Array<string>(count);
    const hashes = new Array<string>(count);
    const suffixes: string[] = [];
    const v1 = untilV1 === null ? null : new Uint8Array(count * 32);
    const v2 = untilV2 === null ? null : new Uint8Array(count * 32);
    const heads = new Map<string, string>();
    let at = 0;
    for (let i = 0; i < count; i++) {
      let end = text.indexOf('\n', at);
      if (end < 0) end = text.length;
      const fields = text.slice(at, end).split('\t');
      at = end + 1;
      if (fields.length !== 10) throw new Error(`packed row ${i} has ${fields.length} fields`);
      const position = fields[0]!;
      const id = fields[1]!;
      const streamId = unquote(fields[2]!);
      const revision = Number(fields[3]);
      const type = unquote(fields[4]!);
      const storedHash = unquote(fields[7]!);
      const mac = unquote(fields[8]!);
      const dataJson = deps.canonicalJsonText(fields[5]!);
      const metadataJson = deps.canonicalJsonText(fields[6]!);
      const recordedAt = deps.instantFromEpochText(fields[9]!);
      positions[i] = BigInt(position);
      revisions[i] = revision;
      streams[i] = streamId;
      hashes[i] = storedHash;
      const suffix = `{"data":${dataJson},"metadata":${metadataJson},"revision":${revision},"type":${JSON.stringify(type)}}`;
      const previous = heads.get(streamId);
      heads.set(streamId, storedHash);
      let flags: number;
      if (previous === undefined) {
        suffixes.push(suffix);
        flags = 8;
      } else {
        flags = hash('sha256', previous + suffix, 'hex') === storedHash ? 1 : 0;
      }
      const content = { streamId, revision, id, type, hash: storedHash, recordedAt, dataJson, metadataJson };
      status[i] = flags | (checkMac(table, content, mac) << 1) | (mac.startsWith(V2) ? 16 : 0);
      const leafEvent = { position, id, streamId, revision, type, hash: storedHash, mac, recordedAt };
      if (v1 !== null && atOrBefore(position, untilV1)) v1.set(hash('sha256', deps.leafText(leafEvent), 'buffer'), i * 32);
      if (v2 !== null && atOrBefore(position, untilV2)) v2.set(hash('sha256', deps.leafTextV2(leafEvent), 'buffer'), i * 32);
    }
    return { status, positions, revisions, streams, hashes, suffixes, v1, v2 };
  }

  return { keyTable, checkMac, macV1, macV2, checkRows, checkPacked };
}

export type ContentCheckKit = ReturnType<typeof contentCheckKit>;

/**
 * An event's status with the chain link settled: as the thread found it, or, for HASH_BY_CALLER,
 * SHA-256 over the previous stored hash of its stream (GENESIS for none) and its suffix.
 */
export function chainStatus(status: number, previousHash: string | undefined, suffix: string | undefined, storedHash: string): number {
  if ((status & HASH_BY_CALLER) === 0) return status;
  const ok = crypto.hash('sha256', (previousHash ?? GENESIS_HASH) + suffix!, 'hex') === storedHash;
  return ok ? status | HASH_OK : status & ~HASH_OK;
}

const { canonicalJsonText } = canonicalJsonKit();
const DEPS: KitDeps = { canonicalJsonText, instantFromEpochText, macInput, macInputV1, leafText, leafTextV2 };

/** The kit in this thread. */
export const contentCheck: ContentCheckKit = contentCheckKit(crypto, DEPS);

/** What a worker thread runs: the kit from its source, answering check jobs. */
export const CONTENT_CHECK_WORKER_SOURCE = `
'use strict';
// What a compiler may have put into the functions' source (esbuild, under tsx, names functions with it).
var __name = (target) => target;
const { parentPort, workerData } = require('node:worker_threads');
const nodeCrypto = require('node:crypto');
const { canonicalJsonText } = (${canonicalJsonKit.toString()})();
const deps = {
  canonicalJsonText,
  instantFromEpochText: ${instantFromEpochText.toString()},
  macInput: ${macInput.toString()},
  macInputV1: ${macInputV1.toString()},
  leafText: ${leafText.toString()},
  leafTextV2: ${leafTextV2.toString()},
};
const kit = (${contentCheckKit.toString()})(nodeCrypto, deps);
const table = kit.keyTable(workerData.keys);
parentPort.on('message', (job) => {
  try {
    const result = job.packed === undefined
      ? kit.checkRows(table, job.rows, job.previous, job.untilV1, job.untilV2)
      : kit.checkPacked(table, job.packed, job.count, job.untilV1, job.untilV2);
    const transfer = [result.status.buffer];
    if (result.positions !== undefined) transfer.push(result.positions.buffer, result.revisions.buffer);
    if (result.v1 !== null) transfer.push(result.v1.buffer);
    if (result.v2 !== null) transfer.push(result.v2.buffer);
    parentPort.postMessage({ id: job.id, result }, transfer);
  } catch (error) {
    parentPort.postMessage({ id: job.id, error: String(error && error.stack || error) });
  }
});
`;
