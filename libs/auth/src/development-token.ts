import { SignJWT } from 'jose';
import type { AppConfig } from '@app/config';
import type { CodeSet, Role } from './actor';

export interface DevelopmentTokenClaims {
  readonly sub: string;
  readonly name: string;
  readonly roles: readonly Role[];
  readonly unit: string;
  readonly email?: string;
  readonly codeSet?: CodeSet;
}

export interface DevelopmentTokenOptions {
  /** Lifetime: seconds, or `<n>s|m|h|d` such as '8h'. Default 8 hours, a working day. */
  readonly expiresIn?: number | string;
  /** When the token is issued (its `iat`); tests move it to the past to get expired tokens. */
  readonly now?: Date;
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

export function lifetimeSeconds(expiresIn: number | string): number {
  if (typeof expiresIn === 'number') {
    if (!Number.isInteger(expiresIn) || expiresIn <= 0) throw new RangeError(`token lifetime must be a positive whole number of seconds, got ${expiresIn}`);
    return expiresIn;
  }
  const match = /^(\d+)\s*([smhd])$/.exec(expiresIn.trim());
  if (match === null || Number(match[1]) === 0) throw new RangeError(`token lifetime must look like 90s, 15m, 8h or 2d, got "${expiresIn}"`);
  return Number(match[1]) * UNIT_SECONDS[match[2]!]!;
}

/**
 * Signs an HS256 token with the configured shared secret, for development and tests. It never signs in
 * production: a token minted from configuration there would bypass the identity provider.
 */
export async function signDevelopmentToken(
  claims: DevelopmentTokenClaims,
  config: Pick<AppConfig, 'nodeEnv' | 'auth'>,
  options: DevelopmentTokenOptions = {},
): Promise<string> {
  if (config.nodeEnv === 'production') throw new Error('development tokens are never signed when NODE_ENV=production');
  if (config.auth.jwtSecret === undefined) throw new Error('no AUTH_JWT_SECRET is configured to sign a development token with');
  const issuedAt = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const { sub, ...rest } = claims;
  return new SignJWT({ ...rest })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(sub)
    .setIssuer(config.auth.issuer)
    .setAudience(config.auth.audience)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + lifetimeSeconds(options.expiresIn ?? '8h'))
    .sign(new TextEncoder().encode(config.auth.jwtSecret));
}
