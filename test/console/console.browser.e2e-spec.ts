import 'reflect-metadata';
import { jest } from '@jest/globals';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createRootLogger } from '@app/observability';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { INITIAL_JS_BUDGET_BYTES, measureConsoleBuild } from '../../scripts/console-size';
import { buildConsole, launchChromium, localContext, screenshot } from '../support/browser';
import { TestApi, type TestUser } from '../support/test-api';

/*
 * The approvers' console end to end, in Debian's Chromium: the real bundle served by the real api
 * (listening on a port), the worker beside it, PostgreSQL and Redis under this run's own database and
 * key prefix. One nomination of Xã Chiềng Lao travels commune → district → province and is awarded.
 */

jest.setTimeout(180_000);

const admin: TestUser = { sub: 'admin-1', name: 'Quản trị viên', roles: ['admin'], unit: '14', codeSet: 'gso-2004' };
const people = {
  proposer: { sub: 'p-03814', name: 'Lò Thị Hoa', roles: ['proposer'], unit: '03814', codeSet: 'gso-2004' },
  communeOfficer: { sub: 'o-03814', name: 'Cầm Văn Thanh', roles: ['officer'], unit: '03814', codeSet: 'gso-2004' },
  districtOfficer: { sub: 'o-120', name: 'Nguyễn Thị Hằng', roles: ['officer'], unit: '120', codeSet: 'gso-2004' },
  provinceOfficer: { sub: 'o-14', name: 'Trần Đức Minh', roles: ['officer'], unit: '14', codeSet: 'gso-2004' },
  chairman: { sub: 'd-14', name: 'Hoàng Quốc Khánh', roles: ['decider'], unit: '14', codeSet: 'gso-2004' },
  auditor: { sub: 'a-14', name: 'Đinh Thị Thanh Tra', roles: ['auditor'], unit: '14', codeSet: 'gso-2004' },
  /** The province chairman under the two-tier list: the abolished district's decisions are the province's to revoke now. */
  chairman2025: { sub: 'd25-14', name: 'Nguyễn Đình Việt', roles: ['decider'], unit: '14', codeSet: 'gso-2025' },
} as const satisfies Record<string, TestUser>;

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const NOMINEE = 'Trường Tiểu học Chiềng Lao';
const SECOND = 'Hội Nông dân xã Chiềng Lao';

async function seriousViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

describe('the approvers\' console in a browser', () => {
  let api: TestApi;
  let worker: INestApplicationContext;
  let browser: Browser;
  let consoleDir: string;
  let base: string;
  let nominationId: string;
  let decisionId: string;

  beforeAll(async () => {
    consoleDir = buildConsole();
    api = await TestApi.start({ CONSOLE_DIR: consoleDir });
    await api.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(api.app.getHttpServer().address() as AddressInfo).port}`;
    worker = await NestFactory.createApplicationContext(
      WorkerModule.forRoot(api.config, createRootLogger({ level: 'silent', service: 'worker-test' })),
      { logger: false },
    );
    await worker.init();
    for (const person of Object.values(people)) {
      const put = await api.request({
        method: 'PUT', url: `/staff/${person.sub}`, as: admin,
        body: { name: person.name, email: `${person.sub}@sonla.gov.vn`, unit: person.unit, codeSet: person.codeSet, roles: person.roles, locale: 'vi', active: true },
      });
      expect(put.statusCode).toBe(200);
    }
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await worker?.close();
    await api?.close();
    if (consoleDir) rmSync(consoleDir, { recursive: true, force: true });
  });

  /**
   * Caught up: the read models have seen every event written so far (other people's writes included),
   * so a page opened now shows them. Own writes need no such wait: the console sends Min-Position.
   */
  async function readModelsCaughtUp(): Promise<void> {
    const { rows } = await api.database.pool.query<{ head: string | null }>('SELECT max(position)::text AS head FROM events');
    const head = rows[0]?.head;
    if (head === undefined || head === null) return;
    // Each ask waits up to 5 s server-side; a machine under load may need a few. The inbox and the
    // nominations list wait on different projections: the checks after a page read both.
    for (const path of ['/inbox', '/nominations']) {
      let answer = await api.request({ method: 'GET', url: `${path}?minPosition=${head}`, as: people.proposer });
      for (let attempt = 0; attempt < 10 && answer.statusCode === 503; attempt += 1) {
        answer = await api.request({ method: 'GET', url: `${path}?minPosition=${head}`, as: people.proposer });
      }
      expect(answer.statusCode).toBe(200);
    }
  }

  /** A new browser profile signed in through the development page, as someone from the staff list. */
  async function signedIn(person: TestUser, path = '/', viewport?: { width: number; height: number }, prepare?: (context: BrowserContext) => Promise<void>): Promise<Page> {
    await readModelsCaughtUp();
    const context = await localContext(browser, viewport);
    await prepare?.(context);
    const page = await context.newPage();
    await page.goto(`${base}${path}`);
    await page.getByRole('link', { name: 'Đăng nhập thử (chỉ môi trường phát triển)' }).click();
    await page.locator(`[data-staff-id="${person.sub}"]`).click();
    await page.waitForURL((url) => !url.pathname.startsWith('/sign-in'));
    await page.getByText(person.name, { exact: false }).first().waitFor();
    return page;
  }

  async function expectStatus(page: Page, status: string): Promise<void> {
    await page.locator(`[data-testid="nomination-status"][data-status="${status}"]`).waitFor();
  }

  async function expectCurrentStage(page: Page, unitName: string): Promise<void> {
    await page.locator('[data-testid="timeline-stage"][aria-current="step"]', { hasText: unitName }).waitFor();
    expect(await page.locator('[data-testid="timeline-stage"][aria-current="step"]').count()).toBe(1);
  }

  it('keeps the first download within budget: initial JavaScript at most 250 KB gzipped', () => {
    const size = measureConsoleBuild(consoleDir);
    expect(size.initialJs.length).toBeGreaterThan(0);
    expect(size.initialJsGzip).toBeLessThanOrEqual(INITIAL_JS_BUDGET_BYTES);
    // The development sign-in is never part of the first download.
    expect(size.onDemandJs.some((a) => a.file.startsWith('dev-sign-in'))).toBe(true);
  });

  it('signs a proposer in with a pasted development token; the proposer creates a draft and submits it', async () => {
    const context = await localContext(browser);
    const page = await context.newPage();
    await page.goto(`${base}/`);
    expect(await page.locator('html').getAttribute('lang')).toBe('vi');
    await page.getByRole('link', { name: 'Đăng nhập thử (chỉ môi trường phát triển)' }).click();
    await page.getByTestId('login-token').fill('not-a-token');
    await page.getByTestId('login-submit').click();
    await page.getByTestId('problem').waitFor();
    await screenshot(page, '01-dev-sign-in');
    await page.getByTestId('login-token').fill(await api.token(people.proposer));
    await page.getByTestId('login-submit').click();
    await page.getByRole('navigation').getByRole('link', { name: 'Tạo hồ sơ' }).click();

    await page.getByLabel('Loại đối tượng', { exact: true }).selectOption('collective');
    await page.locator('[data-testid="award"] option[value="BANG_KHEN_TINH"]').waitFor({ state: 'attached' });
    await page.getByTestId('award').selectOption('BANG_KHEN_TINH');
    await page.getByTestId('nominee-name').fill(NOMINEE);
    await page.getByLabel('Cơ quan, đơn vị', { exact: true }).fill('UBND xã Chiềng Lao');
    await page.getByLabel('Năm', { exact: true }).fill('2024');
    await page.getByTestId('achievements').fill('Hoàn thành xuất sắc nhiệm vụ năm học 2023-2024');
    await page.getByLabel('Tiêu đề 1', { exact: true }).fill('Tờ trình số 12/TTr-UBND');
    await page.getByLabel('Đường dẫn 1', { exact: true }).fill('https://chienglao.sonla.gov.vn/ho-so/to-trinh-12.pdf');
    await page.getByLabel('SHA-256 1', { exact: true }).fill(sha('tờ trình'));
    await page.getByTestId('add-document').click();
    await page.getByLabel('Loại tài liệu 2', { exact: true }).selectOption('achievement_report');
    await page.getByLabel('Tiêu đề 2', { exact: true }).fill('Báo cáo thành tích');
    await page.getByLabel('Đường dẫn 2', { exact: true }).fill('https://chienglao.sonla.gov.vn/ho-so/bao-cao.pdf');
    await page.getByLabel('SHA-256 2', { exact: true }).fill(sha('báo cáo'));
    await screenshot(page, '02-new-nomination');
    await page.getByTestId('confirm').click();

    await page.waitForURL(/\/nominations\/[0-9a-f-]{36}$/);
    nominationId = page.url().split('/').pop()!;
    await expectStatus(page, 'draft');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(NOMINEE);
    expect(await page.getByTestId('timeline-stage').count()).toBe(3);

    await page.getByTestId('action-submit').click();
    await page.getByTestId('confirm').click();
    await expectStatus(page, 'in_review');
    await expectCurrentStage(page, 'Xã Chiềng Lao');
    expect(await page.getByTestId('timeline-stage').first().textContent()).toMatch(/\d{2}\/\d{2}\/\d{4}/);
    await screenshot(page, '03-nomination-submitted');
    await page.context().close();
  });

  it('lets the commune officer approve from the inbox in bulk, with each item\'s own outcome', async () => {
    // A second nomination of the commune, withdrawn after the officer's inbox was loaded.
    const created = await api.request({
      method: 'POST', url: '/nominations', as: people.proposer,
      body: {
        ruleSet: 'vn-2024', awardCode: 'BANG_KHEN_TINH', year: 2024, proposingUnit: '03814',
        nominee: { kind: 'collective', name: SECOND }, achievements: 'Dẫn đầu phong trào sản xuất giỏi',
        documents: [
          { kind: 'submission', title: 'Tờ trình', sha256: sha('2-tt'), url: 'https://chienglao.sonla.gov.vn/2/tt.pdf' },
          { kind: 'achievement_report', title: 'Báo cáo', sha256: sha('2-bc'), url: 'https://chienglao.sonla.gov.vn/2/bc.pdf' },
        ],
      },
    });
    expect(created.statusCode).toBe(201);
    const second = created.json().id as string;
    const submitted = await api.request({ method: 'POST', url: `/nominations/${second}/submit`, as: people.proposer, body: {} });
    expect(submitted.statusCode).toBe(200);
    // Caught up: the inbox read model has seen that submission before the officer's page asks for it.
    const caughtUp = await api.request({ method: 'GET', url: `/inbox?minPosition=${submitted.headers['log-position']}`, as: people.communeOfficer });
    expect(caughtUp.json().items.map((i: { nominee: { name: string } }) => i.nominee.name)).toEqual(expect.arrayContaining([NOMINEE, SECOND]));

    const page = await signedIn(people.communeOfficer);
    await page.waitForURL(`${base}/inbox`);
    await page.getByTestId('inbox-row').filter({ hasText: NOMINEE }).waitFor();
    await page.getByTestId('inbox-row').filter({ hasText: SECOND }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, '03b-inbox');

    expect((await api.request({ method: 'POST', url: `/nominations/${second}/withdraw`, as: people.proposer, body: { reason: 'Rút để bổ sung năm sau' } })).statusCode).toBe(200);
    await page.getByLabel('Chọn tất cả', { exact: true }).check();
    await page.getByTestId('bulk-approve').click();
    await page.getByTestId('comment').fill('Hồ sơ đầy đủ, đề nghị cấp huyện xem xét.');
    await page.getByTestId('confirm').click();
    await page.getByTestId('bulk-outcome').nth(1).waitFor();
    const outcomes = await page.getByTestId('bulk-outcome').evaluateAll((rows) => rows.map((r) => [r.textContent, r.getAttribute('data-ok')]));
    expect(outcomes.filter(([, ok]) => ok === 'true')).toHaveLength(1);
    expect(outcomes.filter(([, ok]) => ok === 'false')).toHaveLength(1);
    // The list is read after the officer's own writes: nothing approved or withdrawn is still waiting.
    await page.getByText('Không có hồ sơ nào đang chờ bạn.').waitFor();
    await screenshot(page, '03c-inbox-bulk-outcome');
    await page.context().close();
    await readModelsCaughtUp();
    const view = (await api.request({ method: 'GET', url: `/nominations/${nominationId}`, as: people.communeOfficer })).json();
    expect(view.currentStage.unit).toBe('120');
  });

  it('shows a stale page the conflict and the new state instead of overwriting; the district returns it with a reason', async () => {
    // Two screens of the same office, both showing the nomination in review at the district; the first
    // opens the link an e-mail gave (sign-in comes back to it).
    const fresh = await signedIn(people.districtOfficer, `/nominations/${nominationId}`);
    await fresh.waitForURL(`${base}/nominations/${nominationId}`);
    const stale = await signedIn(people.districtOfficer, `/nominations/${nominationId}`);
    await expectCurrentStage(stale, 'Huyện Mường La');

    await fresh.getByTestId('action-return').click();
    await fresh.getByTestId('confirm').click();
    await fresh.getByTestId('problem').waitFor();
    expect(await fresh.getByTestId('problem').textContent()).toContain('reason');
    await fresh.getByTestId('reason').fill('Thiếu biên bản họp Hội đồng Thi đua - Khen thưởng xã.');
    await fresh.getByLabel('Biên bản họp Hội đồng', { exact: true }).check();
    await fresh.getByTestId('confirm').click();
    await expectStatus(fresh, 'returned');

    // The second tab still shows the nomination in review and tries to approve it.
    await stale.getByTestId('action-approve').click();
    await stale.getByTestId('comment').fill('Đồng ý');
    await stale.getByTestId('confirm').click();
    await stale.getByRole('alert').filter({ hasText: 'Người khác vừa thay đổi hồ sơ này' }).waitFor();
    await expectStatus(stale, 'returned');
    await screenshot(stale, '04-conflict');
    await stale.context().close();
    await readModelsCaughtUp();
    const view = (await api.request({ method: 'GET', url: `/nominations/${nominationId}`, as: people.districtOfficer })).json();
    expect(view.status).toBe('returned');
    expect(view.approvals).toHaveLength(1);
    await fresh.context().close();
  });

  it('lets the proposer supplement the dossier and resubmit to the district', async () => {
    const page = await signedIn(people.proposer, `/nominations/${nominationId}`);
    await expectStatus(page, 'returned');
    expect(await page.getByText('Thiếu biên bản họp Hội đồng Thi đua - Khen thưởng xã.').count()).toBeGreaterThan(0);
    await page.getByRole('link', { name: 'Sửa hồ sơ' }).click();
    await page.getByTestId('add-document').click();
    await page.getByLabel('Loại tài liệu 3', { exact: true }).selectOption('council_minutes');
    await page.getByLabel('Tiêu đề 3', { exact: true }).fill('Biên bản họp Hội đồng xã');
    await page.getByLabel('Đường dẫn 3', { exact: true }).fill('https://chienglao.sonla.gov.vn/ho-so/bien-ban.pdf');
    await page.getByLabel('SHA-256 3', { exact: true }).fill(sha('biên bản'));
    await page.getByTestId('confirm').click();
    await page.waitForURL(`${base}/nominations/${nominationId}`);
    await page.getByRole('link', { name: 'Biên bản họp Hội đồng xã' }).waitFor();
    expect(await page.getByText(sha('biên bản')).count()).toBe(1);
    await page.getByTestId('action-submit').click();
    await page.getByTestId('confirm').click();
    await expectStatus(page, 'in_review');
    await expectCurrentStage(page, 'Huyện Mường La');
    await page.context().close();

    // The district approves with the keyboard alone.
    const district = await signedIn(people.districtOfficer, `/nominations/${nominationId}`);
    await district.getByTestId('action-approve').focus();
    await district.keyboard.press('Enter');
    await district.getByTestId('comment').focus();
    await district.keyboard.type('Đủ điều kiện, đề nghị tỉnh xét.');
    await district.keyboard.press('Tab');
    expect(await district.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('confirm');
    await district.keyboard.press('Enter');
    await expectCurrentStage(district, 'Tỉnh Sơn La');
    await district.context().close();
  });

  it('lets the province record the council vote and approve; the nomination screen has no serious accessibility violation', async () => {
    const page = await signedIn(people.provinceOfficer, `/nominations/${nominationId}`);
    await expectCurrentStage(page, 'Tỉnh Sơn La');
    await page.getByTestId('action-vote').click();
    await page.getByLabel('Ngày họp', { exact: true }).fill('20/12/2024');
    await page.getByLabel('Số biên bản', { exact: true }).fill('05/BB-HĐTĐKT');
    await page.getByLabel('Số thành viên', { exact: true }).fill('9');
    await page.getByLabel('Có mặt', { exact: true }).fill('8');
    await page.getByLabel('Tán thành', { exact: true }).fill('8');
    await page.getByTestId('confirm').click();
    await page.getByRole('cell', { name: '05/BB-HĐTĐKT' }).waitFor();
    await page.getByTestId('action-approve').click();
    await page.getByTestId('confirm').click();
    await expectStatus(page, 'approved');
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, '05-nomination-approved');
    await page.context().close();
  });

  it('lets the chairman issue the decision, through a session that expires mid-form; the nomination is awarded with its bonus in dong', async () => {
    // The page's clock is the test's, so the tab can be "left open overnight" without waiting.
    const page = await signedIn(people.chairman, `/nominations/${nominationId}`, undefined, (context) => context.clock.install());
    await expectStatus(page, 'approved');
    await page.getByTestId('action-decide').click();
    await page.getByTestId('decision-candidate').first().waitFor();
    expect(await page.getByTestId('decision-candidate').count()).toBe(1);
    expect(await page.getByTestId('decision-candidate').isChecked()).toBe(true);
    await page.getByTestId('decision-number').fill('125/QĐ-UBND');
    await page.getByTestId('signer-title').fill('Chủ tịch UBND tỉnh');
    await page.getByTestId('reason').fill('Đã có thành tích xuất sắc trong phong trào thi đua năm học 2023-2024');
    await page.clock.setSystemTime(Date.now() + 9 * 3600_000);
    await page.getByTestId('confirm').click();
    await page.getByText('Phiên đăng nhập đã hết hạn', { exact: false }).waitFor();
    await page.clock.setSystemTime(Date.now());
    await page.getByRole('link', { name: 'Đăng nhập thử (chỉ môi trường phát triển)' }).click();
    await page.locator(`[data-staff-id="${people.chairman.sub}"]`).click();
    await page.waitForURL(/\/decisions\?nominations=/);
    // Back on the form, with everything typed before the session ran out.
    expect(await page.getByTestId('decision-number').inputValue()).toBe('125/QĐ-UBND');
    expect(await page.getByTestId('signer-title').inputValue()).toBe('Chủ tịch UBND tỉnh');
    await page.getByTestId('confirm').click();
    await page.waitForURL(/\/decisions\/[0-9a-f-]{36}$/);
    decisionId = page.url().split('/').pop()!;
    await page.getByRole('heading', { name: /125\/QĐ-UBND/ }).waitFor();
    expect(await page.locator('tfoot').textContent()).toMatch(/\d{1,3}(\.\d{3})+ ₫/);
    await screenshot(page, '06-decision');
    await page.getByRole('link', { name: NOMINEE }).click();
    await expectStatus(page, 'awarded');
    expect(await page.getByText('125/QĐ-UBND').count()).toBeGreaterThan(0);
    await page.context().close();
  });

  it('finds the nomination by a name typed without diacritics, one page at a time', async () => {
    const page = await signedIn(people.districtOfficer, '/search?limit=1&q=chieng%20lao');
    await page.getByTestId('search-row').first().waitFor();
    expect(await page.getByTestId('search-row').count()).toBe(1);
    const first = await page.getByTestId('search-row').textContent();
    await page.getByTestId('search-next').click();
    await page.waitForURL(/cursor=/);
    await page.getByTestId('search-row').filter({ hasNotText: first! }).waitFor();
    const names = [first, await page.getByTestId('search-row').textContent()].join(' ');
    expect(names).toContain(NOMINEE);
    expect(names).toContain(SECOND);
    await page.getByTestId('search-input').fill('truong tieu hoc');
    await page.getByRole('button', { name: 'Tìm' }).click();
    await page.getByTestId('search-row').filter({ hasText: NOMINEE }).waitFor();
    expect(await page.getByTestId('search-row').count()).toBe(1);
    await screenshot(page, '06b-search');
    await page.context().close();
  });

  it('reports the award with totals, a chart and a CSV; no serious accessibility violation there', async () => {
    const page = await signedIn(people.chairman, '/reports');
    await page.getByTestId('report-row').filter({ hasText: 'Bằng khen' }).waitFor();
    expect(await page.getByTestId('report-total-count').textContent()).toBe('1');
    expect(await page.getByTestId('report-total-bonus').textContent()).toMatch(/^\d{1,3}(\.\d{3})+ ₫$/);
    await page.locator('svg.chart rect.bar').first().waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, '06c-reports');
    const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId('report-csv').click()]);
    const csv = readFileSync((await file.path())!, 'utf8');
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(csv).toContain('BANG_KHEN_TINH');
    await page.context().close();
  });

  it('lets the chairman revoke the award by a decision of its own; nothing is deleted', async () => {
    const page = await signedIn(people.chairman2025, `/decisions/${decisionId}`);
    await page.getByRole('button', { name: 'Hủy bỏ quyết định' }).click();
    await page.getByLabel(`Chọn ${NOMINEE}`, { exact: true }).check();
    await page.getByLabel('Số quyết định', { exact: true }).fill('210/QĐ-UBND');
    await page.getByLabel('Căn cứ hủy bỏ', { exact: true }).selectOption('forged_documents');
    await page.getByLabel('Lý do', { exact: true }).fill('Phát hiện hồ sơ giả mạo qua thanh tra.');
    await page.getByRole('button', { name: 'Xác nhận' }).click();
    await page.getByRole('cell', { name: 'Đã hủy' }).waitFor();
    await screenshot(page, '08-decision-revoked');
    await page.context().close();
    await readModelsCaughtUp();
    const view = (await api.request({ method: 'GET', url: `/nominations/${nominationId}`, as: people.chairman })).json();
    expect(view.status).toBe('revoked');
    expect(view.decision.decisionNumber).toBe('125/QĐ-UBND');
  });

  it('fits a phone: at 360 px nothing scrolls sideways; English is one click away', async () => {
    const page = await signedIn(people.chairman, `/nominations/${nominationId}`, { width: 360, height: 780 });
    await expectStatus(page, 'revoked');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await screenshot(page, '07-nomination-360px');
    await page.getByRole('button', { name: 'Switch to English' }).click();
    await page.locator('html[lang="en"]').waitFor({ state: 'attached' });
    expect(await page.getByTestId('nomination-status').textContent()).toBe('Revoked');
    await page.context().close();
  });
});
