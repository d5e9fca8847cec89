import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, UnsecuredJWT, type CryptoKey, type JWTPayload } from 'jose';
import type { AppConfig } from '@app/config';
import { Unauthenticated, type UnauthenticatedReason } from './auth.errors';
import { signDevelopmentToken, type DevelopmentTokenClaims } from './development-token';
import { TokenVerifier, type AuthConfig, type AuthLogger } from './token-verifier';

const SECRET = 'spec-secret-that-is-long-enough-for-hs256-0123456789';
const shared: AuthConfig = { jwtSecret: SECRET, issuer: 'spec-issuer', audience: 'spec-audience', jwksUrl: undefined };
const devConfig: Pick<AppConfig, 'nodeEnv' | 'auth'> = { nodeEnv: 'test', auth: shared };

const officer: DevelopmentTokenClaims = {
  sub: 'u-120-officer',
  name: 'Nguyễn Văn A',
  roles: ['officer', 'decider'],
  unit: '120',
  codeSet: 'gso-2004',
  email: 'officer@muongla.sonla.gov.vn',
};

class RecordingLogger implements AuthLogger {
  readonly lines: unknown[] = [];
  debug(fields: object, message: string): void {
    this.lines.push({ level: 'debug', fields, message });
  }
  warn(fields: object, message: string): void {
    this.lines.push({ level: 'warn', fields, message });
  }
}

async function refusal(verifier: TokenVerifier, token: string): Promise<Unauthenticated> {
  try {
    await verifier.verify(token);
  } catch (error) {
    if (error instanceof Unauthenticated) return error;
    throw error;
  }
  throw new Error('expected the token to be refused');
}

async function expectRefused(verifier: TokenVerifier, token: string, reason: UnauthenticatedReason, claim?: string): Promise<void> {
  const error = await refusal(verifier, token);
  expect({ reason: error.reason, claim: error.claim }).toEqual({ reason, claim });
  expect(error).toMatchObject({ code: 'unauthenticated', message: 'A valid bearer token is required.' });
  expect(error.message).not.toContain(token);
}

/** Signs arbitrary, possibly invalid, claims with the shared secret. */
function signShared(payload: JWTPayload, configure: (jwt: SignJWT) => SignJWT = (jwt) => jwt): Promise<string> {
  const jwt = new SignJWT(payload).setProtectedHeader({ alg: 'HS256' }).setIssuer(shared.issuer).setAudience(shared.audience)
    .setIssuedAt().setExpirationTime('1h');
  return configure(jwt).sign(new TextEncoder().encode(SECRET));
}

describe('TokenVerifier with a shared secret (HS256)', () => {
  const logger = new RecordingLogger();
  const verifier = new TokenVerifier(shared, { logger });

  it('turns a valid token into the Actor, with the name in NFC', async () => {
    const token = await signDevelopmentToken({ ...officer, name: officer.name.normalize('NFD') }, devConfig);
    const actor = await verifier.verify(token);
    expect(actor).toEqual({
      id: 'u-120-officer',
      name: 'Nguyễn Văn A'.normalize('NFC'),
      email: 'officer@muongla.sonla.gov.vn',
      roles: ['officer', 'decider'],
      unit: '120',
      codeSet: 'gso-2004',
    });
    expect(actor.name).not.toBe(officer.name.normalize('NFD'));
  });

  it('accepts a token without the optional claims and leaves them absent', async () => {
    const actor = await verifier.verify(await signDevelopmentToken({ sub: 'p1', name: 'Lò Thị B', roles: ['proposer'], unit: '03814' }, devConfig));
    expect(actor).toEqual({ id: 'p1', name: 'Lò Thị B', roles: ['proposer'], unit: '03814' });
    expect('email' in actor || 'codeSet' in actor).toBe(false);
  });

  it('refuses an expired token, but tolerates 30 s of clock skew', async () => {
    const now = Date.now();
    const expired = await signDevelopmentToken(officer, devConfig, { now: new Date(now - 2 * 3600_000), expiresIn: '1h' });
    await expectRefused(verifier, expired, 'expired', 'exp');
    const justExpired = await signDevelopmentToken(officer, devConfig, { now: new Date(now - 3610_000), expiresIn: '1h' });
    await expect(verifier.verify(justExpired)).resolves.toMatchObject({ id: officer.sub });
  });

  it('refuses a token without exp', async () => {
    const token = await new SignJWT({ name: 'A', roles: ['officer'], unit: '120' }).setProtectedHeader({ alg: 'HS256' })
      .setSubject('u1').setIssuer(shared.issuer).setAudience(shared.audience).sign(new TextEncoder().encode(SECRET));
    await expectRefused(verifier, token, 'claim_rejected', 'exp');
  });

  it('refuses a token from another issuer or for another audience', async () => {
    await expectRefused(verifier, await signDevelopmentToken(officer, { ...devConfig, auth: { ...shared, issuer: 'elsewhere' } }), 'claim_rejected', 'iss');
    await expectRefused(verifier, await signDevelopmentToken(officer, { ...devConfig, auth: { ...shared, audience: 'other-app' } }), 'claim_rejected', 'aud');
  });

  it('refuses an unsigned token (alg none)', async () => {
    const token = new UnsecuredJWT({ name: 'A', roles: ['admin'], unit: '14' }).setSubject('u1').setIssuer(shared.issuer)
      .setAudience(shared.audience).setExpirationTime('1h').encode();
    await expectRefused(verifier, token, 'algorithm_not_allowed');
  });

  it('refuses a token signed with another secret, or with a tampered signature or payload', async () => {
    const foreign = await signDevelopmentToken(officer, { ...devConfig, auth: { ...shared, jwtSecret: `${SECRET}-not-ours` } });
    await expectRefused(verifier, foreign, 'bad_signature');

    const [header, payload, signature] = (await signDevelopmentToken(officer, devConfig)).split('.') as [string, string, string];
    const flipped = signature[10] === 'A' ? 'B' : 'A';
    await expectRefused(verifier, `${header}.${payload}.${signature.slice(0, 10)}${flipped}${signature.slice(11)}`, 'bad_signature');

    const elevated = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), roles: ['admin'] })).toString('base64url');
    await expectRefused(verifier, `${header}.${elevated}.${signature}`, 'bad_signature');
  });

  it('refuses an RS256 token even when it is otherwise well-formed', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const token = await new SignJWT({ name: 'A', roles: ['officer'], unit: '120' }).setProtectedHeader({ alg: 'RS256' })
      .setSubject('u1').setIssuer(shared.issuer).setAudience(shared.audience).setExpirationTime('1h').sign(privateKey);
    await expectRefused(verifier, token, 'algorithm_not_allowed');
  });

  it.each<[string, JWTPayload, string]>([
    ['an unknown role', { sub: 'u1', name: 'A', roles: ['officer', 'chairman'], unit: '120' }, 'roles'],
    ['no roles', { sub: 'u1', name: 'A', roles: [], unit: '120' }, 'roles'],
    ['roles as a string', { sub: 'u1', name: 'A', roles: 'officer', unit: '120' }, 'roles'],
    ['a missing unit', { sub: 'u1', name: 'A', roles: ['officer'] }, 'unit'],
    ['a numeric unit', { sub: 'u1', name: 'A', roles: ['officer'], unit: 120 }, 'unit'],
    ['a six-digit unit', { sub: 'u1', name: 'A', roles: ['officer'], unit: '038080' }, 'unit'],
    ['a one-digit unit', { sub: 'u1', name: 'A', roles: ['officer'], unit: '1' }, 'unit'],
    ['an unknown code set', { sub: 'u1', name: 'A', roles: ['officer'], unit: '120', codeSet: 'gso-1999' }, 'codeSet'],
    ['a missing name', { sub: 'u1', roles: ['officer'], unit: '120' }, 'name'],
    ['a blank name', { sub: 'u1', name: '  ', roles: ['officer'], unit: '120' }, 'name'],
    ['a name with a line break', { sub: 'u1', name: 'A\nB', roles: ['officer'], unit: '120' }, 'name'],
    ['a non-string e-mail', { sub: 'u1', name: 'A', email: 42, roles: ['officer'], unit: '120' }, 'email'],
    ['an e-mail without @', { sub: 'u1', name: 'A', email: 'nobody', roles: ['officer'], unit: '120' }, 'email'],
    ['a 201-character sub', { sub: 'x'.repeat(201), name: 'A', roles: ['officer'], unit: '120' }, 'sub'],
  ])('refuses a token with %s', async (_case, payload, claim) => {
    await expectRefused(verifier, await signShared(payload), 'invalid_claims', claim);
  });

  it('refuses an empty sub before looking at the rest', async () => {
    await expectRefused(verifier, await signShared({ sub: '', name: 'A', roles: ['officer'], unit: '120' }), 'invalid_claims', 'sub');
  });

  it('reads only well-formed bearer headers', async () => {
    const token = await signDevelopmentToken(officer, devConfig);
    await expect(verifier.authenticate(`Bearer ${token}`)).resolves.toMatchObject({ id: officer.sub });
    await expect(verifier.authenticate(`bearer ${token}`)).resolves.toMatchObject({ id: officer.sub });
    const reasons = await Promise.all(
      [undefined, '', `Basic ${token}`, token, `Bearer ${token} extra`, [`Bearer ${token}`, `Bearer ${token}`], `Bearer ${'a'.repeat(9000)}`]
        .map((header) => verifier.authenticate(header).then(() => 'accepted', (error: Unauthenticated) => error.reason)),
    );
    expect(reasons).toEqual([
      'missing_credentials', 'missing_credentials', 'malformed_authorization', 'malformed_authorization',
      'malformed_authorization', 'malformed_authorization', 'malformed_authorization',
    ]);
  });

  it('challenges with WWW-Authenticate and never writes the token to the log', async () => {
    const token = await signDevelopmentToken(officer, { ...devConfig, auth: { ...shared, audience: 'other' } });
    const error = await refusal(verifier, token);
    expect(error.headers).toEqual({ 'www-authenticate': 'Bearer realm="nomination-approvals", error="invalid_token"' });
    expect(logger.lines.length).toBeGreaterThan(0);
    expect(JSON.stringify(logger.lines)).not.toContain(token.split('.')[2]);
    expect(logger.lines.at(-1)).toEqual({ level: 'debug', fields: { reason: 'claim_rejected', claim: 'aud', joseCode: 'ERR_JWT_CLAIM_VALIDATION_FAILED' }, message: 'bearer token refused' });
  });
});

describe('TokenVerifier with a remote key set (RS256/ES256)', () => {
  let server: Server;
  let jwksUrl: string;
  let rsaKey: CryptoKey;
  let ecKey: CryptoKey;
  let rsaPublicPem: Uint8Array;
  let verifier: TokenVerifier;
  // The secret stays configured next to the JWKS URL: it must not become a second way in.
  const keySetConfig = (): AuthConfig => ({ ...shared, jwksUrl });

  beforeAll(async () => {
    const rsa = await generateKeyPair('RS256', { extractable: true });
    const ec = await generateKeyPair('ES256', { extractable: true });
    rsaKey = rsa.privateKey;
    ecKey = ec.privateKey;
    const rsaJwk = await exportJWK(rsa.publicKey);
    rsaPublicPem = new TextEncoder().encode(await exportSPKI(rsa.publicKey));
    const keys = [
      { ...rsaJwk, kid: 'rsa-1', alg: 'RS256', use: 'sig' },
      { ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' },
    ];
    server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
    verifier = new TokenVerifier(keySetConfig());
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const claims = { name: 'Cầm Thị C', roles: ['decider'], unit: '14', codeSet: 'gso-2025' };

  function signAsymmetric(alg: string, kid: string, key: CryptoKey | Uint8Array, audience = shared.audience): Promise<string> {
    return new SignJWT(claims).setProtectedHeader({ alg, kid }).setSubject('chair-14').setIssuer(shared.issuer)
      .setAudience(audience).setIssuedAt().setExpirationTime('10m').sign(key);
  }

  it('accepts RS256 and ES256 tokens signed by keys in the set', async () => {
    const expected = { id: 'chair-14', name: 'Cầm Thị C', roles: ['decider'], unit: '14', codeSet: 'gso-2025' };
    await expect(verifier.verify(await signAsymmetric('RS256', 'rsa-1', rsaKey))).resolves.toEqual(expected);
    await expect(verifier.verify(await signAsymmetric('ES256', 'ec-1', ecKey))).resolves.toEqual(expected);
  });

  it('refuses an HS256 token signed with the configured secret', async () => {
    await expectRefused(verifier, await signDevelopmentToken(officer, { ...devConfig, auth: keySetConfig() }), 'algorithm_not_allowed');
  });

  it('refuses HS256 "signed" with the public key (algorithm confusion)', async () => {
    await expectRefused(verifier, await signAsymmetric('HS256', 'rsa-1', rsaPublicPem), 'algorithm_not_allowed');
  });

  it('refuses an unpinned algorithm of the right family (RS384)', async () => {
    const { privateKey } = await generateKeyPair('RS384');
    await expectRefused(verifier, await signAsymmetric('RS384', 'rsa-1', privateKey), 'algorithm_not_allowed');
  });

  it('refuses alg none', async () => {
    const token = new UnsecuredJWT(claims).setSubject('chair-14').setIssuer(shared.issuer).setAudience(shared.audience)
      .setExpirationTime('10m').encode();
    await expectRefused(verifier, token, 'algorithm_not_allowed');
  });

  it('refuses a wrong audience and a key id the set does not hold', async () => {
    await expectRefused(verifier, await signAsymmetric('RS256', 'rsa-1', rsaKey, 'other-app'), 'claim_rejected', 'aud');
    const { privateKey } = await generateKeyPair('RS256');
    await expectRefused(verifier, await signAsymmetric('RS256', 'rsa-unknown', privateKey), 'no_matching_key');
  });

  it('refuses a token signed by a stranger under a known key id', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    await expectRefused(verifier, await signAsymmetric('RS256', 'rsa-1', privateKey), 'bad_signature');
  });

  it('refuses every token, and warns, while the key set cannot be fetched', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const logger = new RecordingLogger();
    const offline = new TokenVerifier({ ...shared, jwksUrl: `http://127.0.0.1:${port}/jwks` }, { logger, jwksTimeoutMs: 1000 });
    await expectRefused(offline, await signAsymmetric('RS256', 'rsa-1', rsaKey), 'key_set_unavailable');
    expect(logger.lines).toContainEqual(expect.objectContaining({ level: 'warn', message: 'JWKS could not be fetched; refusing bearer tokens' }));
  });
});
