import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';

/** Someone the test identity provider knows: the claims the api reads from an access token. */
export interface ProviderAccount {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly roles: readonly string[];
  readonly unit: string;
  readonly codeSet?: string;
}

export interface TestOidcProvider {
  readonly issuer: string;
  readonly jwksUrl: string;
  /** Registers the console as a public client (PKCE, no secret) once its origin is known. */
  registerConsole(clientId: string, redirectUri: string): Promise<void>;
  close(): Promise<void>;
}

const API_RESOURCE = 'urn:nomination-approvals:api';

/**
 * A real OpenID Connect provider (oidc-provider, certified) on a free local port. Its login page is a
 * plain local form (no third-party assets), and it issues JWT access tokens for this api's audience
 * carrying the roles and unit of the account, as an agency's identity provider would be set up.
 */
export async function startOidcProvider(accounts: readonly ProviderAccount[], audience: string): Promise<TestOidcProvider> {
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const server: Server = createServer((req, res) => {
    if (handler === undefined) {
      res.statusCode = 503;
      res.end();
      return;
    }
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const signingKey = { ...(await exportJWK(privateKey)), kid: 'test-signing-key', alg: 'RS256', use: 'sig' };
  const byId = new Map(accounts.map((account) => [account.id, account]));
  // oidc-provider is ESM-only; loaded here so nothing else pays for it.
  const { default: Provider } = await import('oidc-provider');

  let provider: InstanceType<typeof Provider> | undefined;
  return {
    issuer,
    jwksUrl: `${issuer}/jwks`,
    async registerConsole(clientId, redirectUri) {
      provider = new Provider(issuer, {
        clients: [{
          client_id: clientId,
          token_endpoint_auth_method: 'none',
          redirect_uris: [redirectUri],
          grant_types: ['authorization_code'],
          response_types: ['code'],
        }],
        jwks: { keys: [signingKey] },
        pkce: { required: () => true },
        ttl: { AccessToken: 3600, AuthorizationCode: 60, Grant: 3600, IdToken: 3600, Interaction: 600, Session: 3600 },
        // The console's origin (that of its redirect URI) may call the token endpoint from the browser.
        clientBasedCORS: (_ctx: unknown, origin: string, client: { redirectUris?: readonly string[] }) =>
          (client.redirectUris ?? []).some((uri) => new URL(uri).origin === origin),
        features: {
          devInteractions: { enabled: false },
          resourceIndicators: {
            enabled: true,
            defaultResource: () => API_RESOURCE,
            useGrantedResource: () => true,
            getResourceServerInfo: () => ({ scope: 'api', audience, accessTokenTTL: 3600, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } }),
          },
        },
        claims: { openid: ['sub'], profile: ['name'], email: ['email'] },
        findAccount: (_ctx: unknown, id: string) => {
          const account = byId.get(id);
          if (account === undefined) return undefined;
          return { accountId: id, claims: () => ({ sub: id, name: account.name, email: account.email }) };
        },
        extraTokenClaims: (_ctx: unknown, token: { kind: string; accountId?: string }) => {
          const account = token.accountId === undefined ? undefined : byId.get(token.accountId);
          if (token.kind !== 'AccessToken' || account === undefined) return undefined;
          return { name: account.name, email: account.email, roles: account.roles, unit: account.unit, ...(account.codeSet ? { codeSet: account.codeSet } : {}) };
        },
        // The console is the agency's own first-party app: no consent screen, the grant is implied.
        loadExistingGrant: async (ctx: any) => { // eslint-disable-line @typescript-eslint/no-explicit-any
          const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
          if (grantId) return ctx.oidc.provider.Grant.find(grantId);
          const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
          grant.addOIDCScope('openid profile email');
          grant.addResourceScope(API_RESOURCE, 'api');
          await grant.save();
          return grant;
        },
        interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
        cookies: { keys: ['test-cookie-key-0123456789abcdef'] },
      });
      const callback = provider.callback();
      handler = (req, res) => {
        const match = /^\/interaction\/([^/?]+)/.exec(req.url ?? '');
        if (match === null) {
          callback(req, res);
          return;
        }
        void interaction(req, res).catch((error: Error) => {
          res.statusCode = 500;
          res.end(error.message);
        });
      };
    },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  async function interaction(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const details = await provider!.interactionDetails(req, res);
    if (req.method === 'GET') {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(`<!doctype html><html lang="vi"><head><title>Đăng nhập cổng công vụ</title></head><body><main>
<h1>Cổng đăng nhập công vụ tỉnh Sơn La</h1>
<form method="post" action="/interaction/${details.uid}">
<label for="login">Tên đăng nhập</label> <input id="login" name="login" autocomplete="username">
<label for="password">Mật khẩu</label> <input id="password" name="password" type="password" autocomplete="current-password">
<button type="submit">Đăng nhập</button></form></main></body></html>`);
      return;
    }
    const body = new URLSearchParams(await readBody(req));
    const login = body.get('login') ?? '';
    if (!byId.has(login) || body.get('password') !== 'correct horse') {
      res.statusCode = 401;
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end('<!doctype html><html lang="vi"><body><p role="alert">Sai tên đăng nhập hoặc mật khẩu.</p></body></html>');
      return;
    }
    await provider!.interactionFinished(req, res, { login: { accountId: login } }, { mergeWithLastSubmission: false });
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => { data += chunk; });
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}
