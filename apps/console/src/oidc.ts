/**
 * OpenID Connect sign-in as a public client: authorization code with PKCE (S256), state against
 * cross-site request forgery, nonce against token replay. The api verifies the access token it is
 * given against the provider's keys; the console never holds a client secret.
 */
export interface OidcSettings {
  readonly issuer: string;
  readonly clientId: string;
  readonly scope: string;
}

interface Pending {
  readonly issuer: string;
  readonly clientId: string;
  readonly tokenEndpoint: string;
  readonly verifier: string;
  readonly state: string;
  readonly nonce: string;
  readonly redirectUri: string;
}

const PENDING_KEY = 'console.oidc';

function randomText(bytes: number): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(bytes)));
}

function base64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

async function discover(issuer: string): Promise<{ authorization_endpoint: string; token_endpoint: string; issuer: string }> {
  const response = await fetch(`${issuer}/.well-known/openid-configuration`, { headers: { Accept: 'application/json' } });
  if (!response.ok) throw new Error(`discovery answered ${response.status}`);
  const document = await response.json();
  if (document.issuer !== issuer) throw new Error('the discovery document names another issuer');
  return document;
}

export async function startOidcSignIn(settings: OidcSettings): Promise<void> {
  const metadata = await discover(settings.issuer);
  const verifier = randomText(48);
  const challenge = base64Url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
  const pending: Pending = {
    issuer: settings.issuer,
    clientId: settings.clientId,
    tokenEndpoint: metadata.token_endpoint,
    verifier,
    state: randomText(24),
    nonce: randomText(24),
    redirectUri: `${window.location.origin}/auth/callback`,
  };
  sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
  const url = new URL(metadata.authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: settings.clientId,
    redirect_uri: pending.redirectUri,
    scope: settings.scope,
    state: pending.state,
    nonce: pending.nonce,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();
  window.location.assign(url.toString());
}

/** Handles /auth/callback: checks state (and iss when sent), redeems the code, returns the access token. */
export async function completeOidcSignIn(query: URLSearchParams): Promise<string> {
  const raw = sessionStorage.getItem(PENDING_KEY);
  sessionStorage.removeItem(PENDING_KEY);
  if (raw === null) throw new Error('no sign-in was started in this tab');
  const pending = JSON.parse(raw) as Pending;
  if (query.get('error')) throw new Error(query.get('error_description') ?? query.get('error') ?? 'sign-in refused');
  if (query.get('state') !== pending.state) throw new Error('the state does not match the sign-in this tab started');
  const iss = query.get('iss');
  if (iss !== null && iss !== pending.issuer) throw new Error('the answer comes from another issuer');
  const code = query.get('code');
  if (code === null) throw new Error('no authorization code in the answer');

  const response = await fetch(pending.tokenEndpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: pending.redirectUri,
      client_id: pending.clientId,
      code_verifier: pending.verifier,
    }),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok || typeof body.access_token !== 'string') {
    throw new Error(body.error_description ?? body.error ?? `token endpoint answered ${response.status}`);
  }
  if (typeof body.id_token === 'string') {
    const claims = JSON.parse(atob(body.id_token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/')));
    if (claims.nonce !== pending.nonce) throw new Error('the ID token was not issued for this sign-in');
  }
  return body.access_token;
}
