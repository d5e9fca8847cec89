import {
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  hkdfSync,
  randomBytes,
  sign,
  timingSafeEqual,
  verify,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isAuditKey, type AppConfig } from '@app/config';
import { MAC_V2_PREFIX, macInput, macInputV1, type EventAuthenticator, type MacCheck, type MacCheckContent, type MacContent } from '@app/event-store';

/** An Ed25519 public key as an OKP JWK (RFC 8037), as GET /audit/keys publishes it. */
export interface PublicJwk {
  readonly kty: 'OKP';
  readonly crv: 'Ed25519';
  readonly x: string;
  readonly kid: string;
  readonly alg: 'EdDSA';
  readonly use: 'sig';
}

/** One key of the ring: a secret from which both the event MAC key and the seal signing key derive. */
export interface AuditKey {
  /** RFC 7638 thumbprint of the public JWK: the same secret always has the same id. */
  readonly keyId: string;
  readonly current: boolean;
  readonly publicJwk: PublicJwk;
}

interface KeyMaterial extends AuditKey {
  // Buffers rather than KeyObjects: createHmac is several times faster with one, per event.
  readonly macKey: Buffer;
  /** Version 2's key (event-mac.ts), derived apart from version 1's. */
  readonly macKeyV2: Buffer;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

// PKCS#8 wrapping of a raw 32-byte Ed25519 seed (RFC 8410): the fixed prefix, then the seed.
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const MAC_INFO = 'nomination-approvals audit event MAC v1';
const MAC_V2_INFO = 'nomination-approvals audit event MAC v2';
const SEAL_INFO = 'nomination-approvals audit seal Ed25519 v1';

function derive(secret: Buffer, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), info, 32));
}

function keyMaterial(secretText: string, current: boolean): KeyMaterial {
  const secret = Buffer.from(secretText, 'base64url');
  const privateKey = createPrivateKey({
    key: Buffer.concat([ED25519_PKCS8_PREFIX, derive(secret, SEAL_INFO)]),
    format: 'der',
    type: 'pkcs8',
  });
  const publicKey = createPublicKey(privateKey);
  const { x } = publicKey.export({ format: 'jwk' }) as JsonWebKey & { x: string };
  // RFC 7638: SHA-256 over the required members in lexicographic order, no whitespace.
  const keyId = createHash('sha256').update(`{"crv":"Ed25519","kty":"OKP","x":"${x}"}`).digest('base64url');
  return {
    keyId,
    current,
    publicJwk: { kty: 'OKP', crv: 'Ed25519', x, kid: keyId, alg: 'EdDSA', use: 'sig' },
    macKey: derive(secret, MAC_INFO),
    macKeyV2: derive(secret, MAC_V2_INFO),
    privateKey,
    publicKey,
  };
}

/**
 * The service's audit keys. The first is current: it MACs new events and signs new seals; the others
 * are retired and only check what they once made, so rotating means putting a new key first and
 * keeping the old one behind it. Neither half ever reaches the database: the MACs and signatures do,
 * the keys do not.
 */
export class AuditKeyRing implements EventAuthenticator {
  private readonly byId: ReadonlyMap<string, KeyMaterial>;
  private readonly currentKey: KeyMaterial;

  constructor(secrets: readonly string[]) {
    if (secrets.length === 0) throw new Error('An audit key ring needs at least one key');
    const keys = secrets.map((secret, i) => {
      if (!isAuditKey(secret)) throw new Error(`Audit signing key ${i + 1} is not base64url of at least 32 bytes`);
      return keyMaterial(secret, i === 0);
    });
    this.currentKey = keys[0]!;
    this.byId = new Map(keys.map((key) => [key.keyId, key]));
  }

  /** Every key, current first; what GET /audit/keys publishes. */
  get keys(): readonly AuditKey[] {
    return [...this.byId.values()].map(({ keyId, current, publicJwk }) => ({ keyId, current, publicJwk }));
  }

  get currentKeyId(): string {
    return this.currentKey.keyId;
  }

  hasKey(keyId: string): boolean {
    return this.byId.has(keyId);
  }

  /** A version-2 MAC (event-mac.ts) under the current key: `v2.<keyId>.<code>`. */
  mac(content: MacContent): string {
    return `${MAC_V2_PREFIX}${this.currentKey.keyId}.${createHmac('sha256', this.currentKey.macKeyV2).update(macInput(content)).digest('base64url')}`;
  }

  /** A version-1 MAC (`<keyId>.<code>`), as events were signed before version 2: for tests and benches of old logs. */
  macV1(content: MacCheckContent): string {
    return `${this.currentKey.keyId}.${createHmac('sha256', this.currentKey.macKey).update(macInputV1(content)).digest('base64url')}`;
  }

  check(content: MacCheckContent, stored: string | undefined): MacCheck {
    if (stored === undefined || stored === '') return 'missing';
    const v2 = stored.startsWith(MAC_V2_PREFIX);
    const rest = v2 ? stored.slice(MAC_V2_PREFIX.length) : stored;
    const dot = rest.indexOf('.');
    const key = dot < 0 ? undefined : this.byId.get(rest.slice(0, dot));
    if (key === undefined) return 'unknown_key';
    const expected = v2
      ? createHmac('sha256', key.macKeyV2).update(macInput(content)).digest()
      : createHmac('sha256', key.macKey).update(macInputV1(content)).digest();
    const given = Buffer.from(rest.slice(dot + 1), 'base64url');
    return given.length === expected.length && timingSafeEqual(given, expected) ? 'valid' : 'invalid';
  }

  /** Ed25519 signature (base64url) over `text`'s UTF-8, with the current key. */
  sign(text: string): { keyId: string; signature: string } {
    return { keyId: this.currentKey.keyId, signature: sign(null, Buffer.from(text, 'utf8'), this.currentKey.privateKey).toString('base64url') };
  }

  /** Whether `signature` is `keyId`'s Ed25519 signature over `text`; false for a key not in the ring. */
  verify(text: string, keyId: string, signature: string): boolean {
    const key = this.byId.get(keyId);
    if (key === undefined) return false;
    try {
      return verify(null, Buffer.from(text, 'utf8'), key.publicKey, Buffer.from(signature, 'base64url'));
    } catch {
      return false;
    }
  }
}

/** A fresh secret in the form the ring takes: 32 random bytes, base64url. */
export function generateAuditKey(): string {
  return randomBytes(32).toString('base64url');
}

function keysInFile(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/**
 * The ring from configuration: AUDIT_SIGNING_KEY, or AUDIT_SIGNING_KEY_FILE, or (outside production
 * only; loadConfig refuses production without a key) the development key file, generated on first
 * use with mode 0600 and reused after, so a developer's seals stay verifiable across restarts.
 */
export function loadAuditKeyRing(config: AppConfig): AuditKeyRing {
  const { signingKeys, signingKeyFile, developmentKeyFile } = config.audit;
  if (signingKeys !== undefined) return new AuditKeyRing(signingKeys);
  if (signingKeyFile !== undefined) {
    const keys = keysInFile(signingKeyFile);
    if (keys.length === 0) throw new Error(`AUDIT_SIGNING_KEY_FILE ${signingKeyFile} holds no key`);
    return new AuditKeyRing(keys);
  }
  if (config.nodeEnv === 'production') throw new Error('No audit signing key configured (AUDIT_SIGNING_KEY)');
  mkdirSync(path.dirname(developmentKeyFile), { recursive: true });
  // Written whole under a private name, then linked into place: of several processes starting
  // together exactly one link succeeds, and nobody ever reads a half-written file.
  const draft = `${developmentKeyFile}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(draft, `# Development audit signing key, generated ${new Date().toISOString()}. Never use in production.\n${generateAuditKey()}\n`, {
    mode: 0o600,
  });
  try {
    linkSync(draft, developmentKeyFile);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(draft);
  }
  return new AuditKeyRing(keysInFile(developmentKeyFile));
}
