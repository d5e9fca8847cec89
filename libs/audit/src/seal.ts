/*
 * Seals: signed heads of the whole log, modelled on Certificate Transparency's signed tree heads
 * (RFC 9162) with a running hash in place of the Merkle tree.
 *
 * `root` commits to every event up to `position`, in log order: root_0 is GENESIS_ROOT and
 * root_n = SHA-256(0x01 || root_{n-1} || leaf_n), leaf_n = SHA-256(0x00 || leafText(event n)). The
 * leaf names the event's position, stream, revision, id, type, chain hash and MAC, and the chain hash
 * covers its data and metadata, so a changed, removed, inserted or reordered event gives another root.
 *
 * Leaf versions. A seal with `version: 2` (every seal made now) has leaves that also name when each
 * event was recorded (`recordedAt`), so it covers the instants of every event up to its position,
 * those of version-1 events too, whose MAC does not (event-mac.ts). Its root is a running hash of
 * version-2 leaves from the first event of the log: the first seal of version 2 is made by walking the
 * whole log, the later ones carry its root on. A seal without `version` is of version 1 (made before):
 * its leaves are as they always were, and it verifies exactly as it always did.
 * A running hash rather than a Merkle tree because every check here replays a prefix of the log
 * anyway (no inclusion proofs are asked for), and the state carried from one seal to the next is then
 * the previous seal's own signed root: the sealer trusts nothing it did not sign.
 *
 * `previous` is the SHA-256 of the previous seal (signature included), so the seals form a chain and a
 * removed seal is noticed at the next one. `headsDigest` is the SHA-256 of the canonical JSON of the
 * streams that changed since the previous seal ({streamId: [revision, hash]}, stored beside the seal),
 * which lets one stream be checked without replaying the log.
 *
 * The signature is Ed25519 (base64url) over the canonical JSON of the seal without `signature`.
 */
import { createHash, hash as oneShotHash } from 'node:crypto';
import { canonicalJson, type CanonicalEvent } from '@app/event-store';

export const SEAL_STREAM = 'audit-seals';
export const SEAL_EVENT_TYPE = 'LogSealed';
export const GENESIS_ROOT = '0'.repeat(64);

export interface Seal {
  /** The leaf version: 2 (leaves name the recorded instant); absent in seals of version 1. */
  readonly version?: 2;
  /** 1 for the first seal, then consecutive. */
  readonly sequence: number;
  /** Log position of the last event sealed (decimal string: KurrentDB positions exceed 2^53). */
  readonly position: string;
  readonly eventCount: number;
  readonly root: string;
  readonly previous: string;
  readonly headsDigest: string;
  readonly sealedAt: string;
  readonly keyId: string;
  readonly signature: string;
}

export type SealBody = Omit<Seal, 'signature'>;

/** Streams changed since the previous seal: their newest revision and chain hash at the seal. */
export type SealHeads = Record<string, readonly [revision: number, hash: string]>;

export function sealSigningText(seal: SealBody | Seal): string {
  const { signature: _signature, ...body } = seal as Seal;
  return canonicalJson(body);
}

/** What the next seal's `previous` names. */
export function sealDigest(seal: Seal): string {
  return createHash('sha256').update(canonicalJson(seal)).digest('hex');
}

export function headsDigest(heads: SealHeads): string {
  return createHash('sha256').update(canonicalJson(heads)).digest('hex');
}

/** A seal's leaf version. */
export type SealVersion = 1 | 2;

export function sealVersion(seal: Pick<Seal, 'version'>): SealVersion {
  return seal.version === 2 ? 2 : 1;
}

type LeafEvent = Pick<CanonicalEvent, 'position' | 'streamId' | 'revision' | 'id' | 'type' | 'hash' | 'mac'>;

/** SHA-256 of the event's version-1 leaf text, with the 0x00 prefix that keeps leaves and nodes apart. */
export function leafHash(event: LeafEvent): Buffer {
  const text =
    `\u0000{"hash":${JSON.stringify(event.hash)},"id":${JSON.stringify(event.id.toLowerCase())},"mac":${JSON.stringify(event.mac ?? '')},` +
    `"position":"${event.position}","revision":${event.revision},"stream":${JSON.stringify(event.streamId)},"type":${JSON.stringify(event.type)}}`;
  return oneShotHash('sha256', text, 'buffer');
}

/** The version-2 leaf: the version-1 text with `recordedAt` (event-mac.ts instantText), keys sorted. */
export function leafHashV2(event: LeafEvent & Pick<CanonicalEvent, 'recordedAt'>): Buffer {
  const text =
    `\u0000{"hash":${JSON.stringify(event.hash)},"id":${JSON.stringify(event.id.toLowerCase())},"mac":${JSON.stringify(event.mac ?? '')},` +
    `"position":"${event.position}","recordedAt":${JSON.stringify(event.recordedAt)},"revision":${event.revision},` +
    `"stream":${JSON.stringify(event.streamId)},"type":${JSON.stringify(event.type)}}`;
  return oneShotHash('sha256', text, 'buffer');
}

/** The leaf of `version`. */
export function leafOf(version: SealVersion, event: LeafEvent & Pick<CanonicalEvent, 'recordedAt'>): Buffer {
  return version === 2 ? leafHashV2(event) : leafHash(event);
}

const NODE = Buffer.alloc(65, 1);

export function extendRoot(root: Buffer, leaf: Buffer): Buffer {
  // 0x01 ‖ root ‖ leaf in one buffer (reused: the hash is taken before the next call), one call into the hash.
  root.copy(NODE, 1);
  leaf.copy(NODE, 33);
  return oneShotHash('sha256', NODE, 'buffer');
}

const HEX64 = /^[0-9a-f]{64}$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** Whether a parsed JSON value has the shape of a seal (nothing about its signature yet). */
export function isSeal(value: unknown): value is Seal {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const seal = value as Record<string, unknown>;
  const keys = Object.keys(seal).sort().join(',');
  return (
    (keys === 'eventCount,headsDigest,keyId,position,previous,root,sealedAt,sequence,signature' ||
      (keys === 'eventCount,headsDigest,keyId,position,previous,root,sealedAt,sequence,signature,version' && seal['version'] === 2)) &&
    Number.isSafeInteger(seal['sequence']) && (seal['sequence'] as number) >= 1 &&
    typeof seal['position'] === 'string' && /^\d{1,20}$/.test(seal['position']) &&
    Number.isSafeInteger(seal['eventCount']) && (seal['eventCount'] as number) >= 0 &&
    typeof seal['root'] === 'string' && HEX64.test(seal['root']) &&
    typeof seal['previous'] === 'string' && HEX64.test(seal['previous']) &&
    typeof seal['headsDigest'] === 'string' && HEX64.test(seal['headsDigest']) &&
    typeof seal['sealedAt'] === 'string' && !Number.isNaN(Date.parse(seal['sealedAt'])) &&
    typeof seal['keyId'] === 'string' && BASE64URL.test(seal['keyId']) && seal['keyId'].length <= 100 &&
    typeof seal['signature'] === 'string' && BASE64URL.test(seal['signature']) && seal['signature'].length <= 200
  );
}
