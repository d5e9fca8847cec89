import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey, type JWTVerifyOptions } from 'jose';
import type { AppConfig } from '@app/config';
import type { Actor } from './actor';
import { actorFromClaims } from './actor-claims';
import { Unauthenticated, type UnauthenticatedReason } from './auth.errors';
import { VerifiedTokenCache, type VerifiedTokenCacheOptions } from './verified-token-cache';

export type AuthConfig = AppConfig['auth'];

/** The slice of a pino logger auth writes to; any pino Logger satisfies it. */
export interface AuthLogger {
  debug(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export interface TokenVerifierOptions {
  readonly logger?: AuthLogger;
  /** Seconds of clock skew tolerated on exp/nbf between the IdP and this host. */
  readonly clockToleranceSeconds?: number;
  /** How long one JWKS fetch may take before the request is refused. */
  readonly jwksTimeoutMs?: number;
  /** Reuse of recent verifications (see VerifiedTokenCache): its options, a cache, or `false` to verify every request. */
  readonly cache?: VerifiedTokenCacheOptions | VerifiedTokenCache | false;
  /** The clock tokens are judged by (tests move it). */
  readonly now?: () => Date;
  /**
   * The oldest token accepted, counted from `iat`, and the longest lifetime (`exp - iat`, or `exp - now`
   * without `iat`) a token may claim. Default 12 hours (AUTH_MAX_TOKEN_AGE): a stolen token, or one
   * minted with a year's lifetime, stops working by the end of the day.
   */
  readonly maxTokenAgeSeconds?: number;
}

/**
 * Pinned per mode. Keeping the families apart is what stops algorithm confusion: with a key set
 * configured an HS256 token (perhaps "signed" with the public key as HMAC secret) can never verify,
 * and with a shared secret no asymmetric or `none` token is even considered.
 */
export const SHARED_SECRET_ALGORITHMS = ['HS256'] as const;
export const KEY_SET_ALGORITHMS = ['RS256', 'ES256'] as const;

// Far above any real token; refusing early keeps a hostile header from costing a base64 decode of megabytes.
const MAX_TOKEN_LENGTH = 8192;
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

type Verify = (token: string, now: Date) => Promise<JWTPayload>;

/** Turns a bearer token into an Actor, or throws Unauthenticated. */
export class TokenVerifier {
  private readonly verifyJwt: Verify;
  private readonly logger: AuthLogger | undefined;
  private readonly cache: VerifiedTokenCache | undefined;
  private readonly now: () => Date;
  private readonly maxAgeSeconds: number;
  private readonly toleranceSeconds: number;

  constructor(config: AuthConfig, options: TokenVerifierOptions = {}) {
    this.logger = options.logger;
    this.cache = options.cache === false ? undefined
      : options.cache instanceof VerifiedTokenCache ? options.cache : new VerifiedTokenCache(options.cache);
    this.now = options.now ?? (() => new Date());
    this.maxAgeSeconds = options.maxTokenAgeSeconds ?? 12 * 3600;
    this.toleranceSeconds = options.clockToleranceSeconds ?? 30;
    const common: JWTVerifyOptions = {
      issuer: config.issuer,
      audience: config.audience,
      requiredClaims: ['exp', 'sub'],
      clockTolerance: options.clockToleranceSeconds ?? 30,
    };
    if (config.jwksUrl !== undefined) {
      const keySet = keySetResolver(config.jwksUrl, options.jwksTimeoutMs ?? 5000);
      const verifyOptions = { ...common, algorithms: [...KEY_SET_ALGORITHMS] };
      this.verifyJwt = async (token, now) => (await jwtVerify(token, keySet, { ...verifyOptions, currentDate: now })).payload;
    } else if (config.jwtSecret !== undefined) {
      // Imported once: given raw bytes, jose would import the HMAC key again on every request.
      const secret = crypto.subtle.importKey(
        'raw', new TextEncoder().encode(config.jwtSecret), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify'],
      );
      secret.catch(() => undefined);
      const verifyOptions = { ...common, algorithms: [...SHARED_SECRET_ALGORITHMS] };
      this.verifyJwt = async (token, now) => (await jwtVerify(token, await secret, { ...verifyOptions, currentDate: now })).payload;
    } else {
      throw new Error('auth configuration has neither a JWT secret nor a JWKS URL');
    }
  }

  /** Accepts the raw `Authorization` header value(s) of a request. */
  async authenticate(authorization: string | string[] | undefined): Promise<Actor> {
    if (authorization === undefined || authorization === '') throw this.refuse('missing_credentials');
    // Two Authorization headers are ambiguous about who is calling; refuse rather than pick one.
    if (Array.isArray(authorization)) throw this.refuse('malformed_authorization');
    if (authorization.length > MAX_TOKEN_LENGTH + 16) throw this.refuse('malformed_authorization');
    const match = BEARER.exec(authorization);
    if (match === null) throw this.refuse('malformed_authorization');
    return this.verify(match[1]!);
  }

  async verify(token: string): Promise<Actor> {
    if (token.length === 0 || token.length > MAX_TOKEN_LENGTH) throw this.refuse('malformed_token');
    const now = this.now();
    let payload = this.cache?.get(token, now.getTime());
    try {
      if (payload === undefined) {
        payload = await this.verifyJwt(token, now);
        this.cache?.set(token, payload, now.getTime());
      }
    } catch (error) {
      const { reason, claim } = classify(error);
      if (error instanceof KeySetUnavailable) {
        // Not the caller's fault: every request fails until the IdP answers, so operators must see it.
        this.logger?.warn({ err: error.cause }, 'JWKS could not be fetched; refusing bearer tokens');
      } else if (!(error instanceof errors.JOSEError)) {
        this.logger?.warn({ err: error }, 'unexpected error while verifying a bearer token');
      }
      throw this.refuse(reason, claim, error);
    }
    const age = this.ageProblem(payload);
    if (age !== undefined) throw this.refuse(age.reason, age.claim);
    const result = actorFromClaims(payload);
    if ('invalidClaim' in result) throw this.refuse('invalid_claims', result.invalidClaim);
    return result.actor;
  }

  /** `iat` in the future, a token older than the maximum age, or one claiming a longer lifetime. */
  private ageProblem(payload: JWTPayload): { reason: UnauthenticatedReason; claim: string } | undefined {
    const now = this.now().getTime() / 1000;
    const { iat, exp } = payload;
    if (iat !== undefined) {
      if (typeof iat !== 'number' || !Number.isFinite(iat)) return { reason: 'claim_rejected', claim: 'iat' };
      if (iat > now + this.toleranceSeconds) return { reason: 'claim_rejected', claim: 'iat' };
      if (now - iat > this.maxAgeSeconds + this.toleranceSeconds) return { reason: 'expired', claim: 'iat' };
    }
    const lifetimeFrom = typeof iat === 'number' ? iat : now;
    if (typeof exp === 'number' && exp - lifetimeFrom > this.maxAgeSeconds + this.toleranceSeconds) {
      return { reason: 'claim_rejected', claim: 'exp' };
    }
    return undefined;
  }

  private refuse(reason: UnauthenticatedReason, claim?: string, cause?: unknown): Unauthenticated {
    // The token itself is never logged: it is a credential until it expires.
    const joseCode = cause instanceof errors.JOSEError ? cause.code : undefined;
    this.logger?.debug({ reason, ...(claim ? { claim } : {}), ...(joseCode ? { joseCode } : {}) }, 'bearer token refused');
    return new Unauthenticated(reason, claim);
  }
}

/** Marks a failure to obtain the key set, as opposed to a token naming a key the set lacks. */
class KeySetUnavailable extends Error {}

function keySetResolver(url: string, timeoutMs: number): JWTVerifyGetKey {
  const keySet = createRemoteJWKSet(new URL(url), { timeoutDuration: timeoutMs });
  return async (header, token) => {
    try {
      return await keySet(header, token);
    } catch (error) {
      if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) throw error;
      throw new KeySetUnavailable('the JSON Web Key Set could not be obtained', { cause: error });
    }
  };
}

function classify(error: unknown): { reason: UnauthenticatedReason; claim?: string } {
  if (error instanceof KeySetUnavailable) return { reason: 'key_set_unavailable' };
  if (error instanceof errors.JWTExpired) return { reason: 'expired', claim: 'exp' };
  if (error instanceof errors.JWTClaimValidationFailed) return { reason: 'claim_rejected', claim: error.claim };
  if (error instanceof errors.JOSEAlgNotAllowed) return { reason: 'algorithm_not_allowed' };
  if (error instanceof errors.JWSSignatureVerificationFailed) return { reason: 'bad_signature' };
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
    return { reason: 'no_matching_key' };
  }
  return { reason: 'malformed_token' };
}
