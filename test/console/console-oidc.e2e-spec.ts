import { rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { jest } from '@jest/globals';
import type { Browser } from 'playwright-core';
import { buildConsole, launchChromium, localContext, screenshot } from '../support/browser';
import { startOidcProvider, type TestOidcProvider } from '../support/oidc-provider';
import { TestApi } from '../support/test-api';

jest.setTimeout(120_000);

const CLIENT_ID = 'nomination-console';
const AUDIENCE = 'nomination-approvals';

describe('console sign-in with OpenID Connect (authorization code + PKCE)', () => {
  let provider: TestOidcProvider;
  let api: TestApi;
  let browser: Browser;
  let consoleDir: string;
  let base: string;

  beforeAll(async () => {
    consoleDir = buildConsole();
    provider = await startOidcProvider([
      { id: 'hang.nt', name: 'Nguyễn Thị Hằng', email: 'hang.nt@muongla.sonla.gov.vn', roles: ['officer'], unit: '120', codeSet: 'gso-2004' },
    ], AUDIENCE);
    api = await TestApi.start({
      CONSOLE_DIR: consoleDir,
      AUTH_OIDC_ISSUER: provider.issuer,
      AUTH_OIDC_CLIENT_ID: CLIENT_ID,
      AUTH_JWKS_URL: provider.jwksUrl,
      AUTH_JWT_AUDIENCE: AUDIENCE,
    });
    await api.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(api.app.getHttpServer().address() as AddressInfo).port}`;
    await provider.registerConsole(CLIENT_ID, `${base}/auth/callback`);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await api?.close();
    await provider?.close();
    if (consoleDir) rmSync(consoleDir, { recursive: true, force: true });
  });

  it('offers only OIDC when a provider is configured, and no development sign-in', async () => {
    const options = (await api.request({ method: 'GET', url: '/auth/config' })).json();
    expect(options).toEqual({ development: false, oidc: { issuer: provider.issuer, clientId: CLIENT_ID, scope: 'openid profile email' } });
    expect((await api.request({ method: 'GET', url: '/auth/dev/people' })).statusCode).toBe(404);
  });

  it('has no development sign-in page in the browser: its address says not found, sign-in offers no link to it', async () => {
    const context = await localContext(browser);
    const page = await context.newPage();
    await page.goto(`${base}/sign-in/dev`);
    await page.getByText('Không tìm thấy trang này.').waitFor();
    expect(await page.getByTestId('login-token').count()).toBe(0);
    await page.goto(`${base}/sign-in`);
    await page.getByRole('button', { name: 'Đăng nhập bằng tài khoản công vụ' }).waitFor();
    expect(await page.getByRole('link', { name: 'Đăng nhập thử (chỉ môi trường phát triển)' }).count()).toBe(0);
    await context.close();
  });

  it('signs an officer in at the provider and back to the page she asked for; the api accepts the access token', async () => {
    const context = await localContext(browser);
    const page = await context.newPage();
    const tokenRequests: string[] = [];
    page.on('request', (request) => {
      if (request.url().startsWith(`${provider.issuer}/token`)) tokenRequests.push(request.postData() ?? '');
    });
    await page.goto(`${base}/nominations/new`);
    await page.getByRole('button', { name: 'Đăng nhập bằng tài khoản công vụ' }).click();

    await page.waitForURL((url) => url.origin === provider.issuer);
    await page.getByLabel('Tên đăng nhập').fill('hang.nt');
    await page.getByLabel('Mật khẩu').fill('wrong');
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.getByRole('alert').waitFor();
    await page.goBack();
    await page.getByLabel('Tên đăng nhập').fill('hang.nt');
    await page.getByLabel('Mật khẩu').fill('correct horse');
    await page.getByRole('button', { name: 'Đăng nhập' }).click();

    await page.waitForURL(`${base}/nominations/new`);
    await page.getByText('Nguyễn Thị Hằng').first().waitFor();
    await screenshot(page, '10-oidc-signed-in');
    // The code was redeemed with the PKCE verifier and no client secret.
    expect(tokenRequests).toHaveLength(1);
    const form = new URLSearchParams(tokenRequests[0]);
    expect(form.get('grant_type')).toBe('authorization_code');
    expect(form.get('code_verifier')).toMatch(/^[A-Za-z0-9_-]{43,128}$/);
    expect(form.get('client_secret')).toBeNull();

    // The console now calls the api with the provider's token: an authenticated list loads.
    const token = await page.evaluate(() => sessionStorage.getItem('console.token'));
    const ruleSets = await api.request({ method: 'GET', url: '/rule-sets', headers: { authorization: `Bearer ${token}` } });
    expect(ruleSets.statusCode).toBe(200);
    const claims = JSON.parse(Buffer.from(token!.split('.')[1]!, 'base64url').toString());
    expect(claims).toMatchObject({ iss: provider.issuer, aud: AUDIENCE, sub: 'hang.nt', roles: ['officer'], unit: '120' });
    await context.close();
  });

  it('refuses a callback whose state this tab did not start', async () => {
    const context = await localContext(browser);
    const page = await context.newPage();
    await page.goto(`${base}/auth/callback?code=forged&state=forged`);
    await page.getByRole('alert').waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('console.token'))).toBeNull();
    await context.close();
  });
});
