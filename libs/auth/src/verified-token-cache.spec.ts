import { SignJWT } from 'jose';
import { Unauthenticated } from './auth.errors';
import { TokenVerifier, type AuthConfig } from './token-verifier';
import { VerifiedTokenCache } from './verified-token-cache';

const SECRET = 'spec-secret-that-is-long-enough-for-hs256-0123456789';
const shared: AuthConfig = { jwtSecret: SECRET, issuer: 'spec-issuer', audience: 'spec-audience', jwksUrl: undefined };
const T0 = Date.parse('2026-03-02T01:00:00Z');

function sign(expiresAtMs: number, sub = 'u-120-officer'): Promise<string> {
  return new SignJWT({ name: 'Nguyễn Văn A', roles: ['officer'], unit: '120' })
    .setProtectedHeader({ alg: 'HS256' }).setIssuer(shared.issuer).setAudience(shared.audience).setSubject(sub)
    .setIssuedAt(Math.floor(T0 / 1000) - 60).setExpirationTime(Math.floor(expiresAtMs / 1000))
    .sign(new TextEncoder().encode(SECRET));
}

describe('VerifiedTokenCache', () => {
  it('returns a verified payload until the token expires, and never at or after exp', () => {
    const cache = new VerifiedTokenCache({ maxAgeMs: 3_600_000 });
    const payload = { sub: 'u', exp: (T0 + 10_000) / 1000 };
    cache.set('token', payload, T0);

    expect(cache.get('token', T0 + 9_999)).toBe(payload);
    expect(cache.get('token', T0 + 10_000)).toBeUndefined();
  });

  it('forgets an entry after its maximum age even when the token lives longer', () => {
    const cache = new VerifiedTokenCache({ maxAgeMs: 5_000 });
    cache.set('token', { exp: (T0 + 3_600_000) / 1000 }, T0);

    expect(cache.get('token', T0 + 4_999)).toBeDefined();
    expect(cache.get('token', T0 + 5_000)).toBeUndefined();
  });

  it('keeps no token without exp, and none already expired', () => {
    const cache = new VerifiedTokenCache();
    cache.set('no-exp', { sub: 'u' }, T0);
    cache.set('expired', { exp: T0 / 1000 - 1 }, T0);
    expect(cache.size).toBe(0);
  });

  it('holds at most maxEntries, dropping the least recently used', () => {
    const cache = new VerifiedTokenCache({ maxEntries: 2 });
    const exp = (T0 + 60_000) / 1000;
    cache.set('a', { sub: 'a', exp }, T0);
    cache.set('b', { sub: 'b', exp }, T0);
    cache.get('a', T0);
    cache.set('c', { sub: 'c', exp }, T0);

    expect(cache.size).toBe(2);
    expect(cache.get('b', T0)).toBeUndefined();
    expect(cache.get('a', T0)?.sub).toBe('a');
    expect(cache.get('c', T0)?.sub).toBe('c');
  });
});

describe('TokenVerifier with its cache', () => {
  it('refuses a token once it has expired, though it was verified and cached before', async () => {
    let now = T0;
    const verifier = new TokenVerifier(shared, { now: () => new Date(now), clockToleranceSeconds: 0, cache: { maxAgeMs: 3_600_000 } });
    const token = await sign(T0 + 60_000);

    await expect(verifier.verify(token)).resolves.toMatchObject({ id: 'u-120-officer' });
    now = T0 + 59_000;
    await expect(verifier.verify(token)).resolves.toMatchObject({ id: 'u-120-officer' });
    now = T0 + 60_000;
    const refusal = await verifier.verify(token).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(Unauthenticated);
    expect(refusal).toMatchObject({ reason: 'expired' });
  });

  it('still refuses a forged token that differs from a cached one', async () => {
    const verifier = new TokenVerifier(shared, { now: () => new Date(T0) });
    const token = await sign(T0 + 60_000);
    await verifier.verify(token);
    const [header, payload, signature] = token.split('.');
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), roles: ['admin'] })).toString('base64url')}.${signature}`;

    await expect(verifier.verify(forged)).rejects.toMatchObject({ reason: 'bad_signature' });
  });

  it('answers a token it has verified from the cache, and a new token by verifying it', async () => {
    class CountingCache extends VerifiedTokenCache {
      hits = 0;
      override get(token: string, now: number) {
        const payload = super.get(token, now);
        if (payload !== undefined) this.hits++;
        return payload;
      }
    }
    const cache = new CountingCache();
    const verifier = new TokenVerifier(shared, { now: () => new Date(T0), cache });
    const [first, second] = [await sign(T0 + 60_000, 'u-1'), await sign(T0 + 60_000, 'u-2')];

    expect((await verifier.verify(first)).id).toBe('u-1');
    expect((await verifier.verify(first)).id).toBe('u-1');
    expect((await verifier.verify(second)).id).toBe('u-2');

    expect(cache.hits).toBe(1);
    expect(cache.size).toBe(2);
  });
});
