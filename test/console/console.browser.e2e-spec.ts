import 'reflect-metadata';
import { jest } from '@jest/globals';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { tamperWithLog } from '@app/event-store/testing';
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
  /** A commune clerk who is also its emulation officer: may return what she submitted, never approve it. */
  clerkOfficer: { sub: 'po-03814', name: 'Điêu Thị Minh', roles: ['proposer', 'officer'], unit: '03814', codeSet: 'gso-2004' },
  /** The district office's own clerk: proposes for the district's staff, never for a commune. */
  districtProposer: { sub: 'p-120', name: 'Bạc Văn Long', roles: ['proposer'], unit: '120', codeSet: 'gso-2004' },
} as const satisfies Record<string, TestUser>;

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const NOMINEE = 'Trường Tiểu học Chiềng Lao';
const SECOND = 'Hội Nông dân xã Chiềng Lao';

/**
 * How the audit list is laid out: what of the table region lies hidden to the right, whether a row's
 * record and content cells sit side by side (a table) or one under the other (a phone's card), and
 * the column headers (kept for screen readers either way).
 */
async function auditLayout(page: Page): Promise<{ hiddenRight: number; stacked: boolean; rowWidth: number; headers: string[] }> {
  return page.evaluate(() => {
    const region = document.querySelector('.table-wrap')!;
    const row = document.querySelector('[data-testid="audit-row"]')!;
    const [, , , subject, content] = [...row.querySelectorAll('td')].map((cell) => cell.getBoundingClientRect());
    return {
      hiddenRight: region.scrollWidth - region.clientWidth,
      stacked: content!.top >= subject!.bottom - 1 && content!.left < subject!.right,
      rowWidth: row.getBoundingClientRect().width,
      headers: [...document.querySelectorAll('.audit-table th')].map((th) => th.textContent ?? ''),
    };
  });
}

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
  let secondId: string;
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
      for (let attempt = 0; attempt < 24 && answer.statusCode === 503; attempt += 1) {
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

  /** The audit trail's read model has every event written so far (it is its own projection). */
  async function auditTrailCaughtUp(): Promise<void> {
    const { rows } = await api.database.pool.query<{ head: string | null }>('SELECT max(position)::text AS head FROM events');
    const head = rows[0]?.head ?? '0';
    let answer = await api.request({ method: 'GET', url: `/audit/events?limit=1&minPosition=${head}`, as: people.auditor });
    for (let attempt = 0; attempt < 24 && answer.statusCode === 503; attempt += 1) {
      answer = await api.request({ method: 'GET', url: `/audit/events?limit=1&minPosition=${head}`, as: people.auditor });
    }
    expect(answer.statusCode).toBe(200);
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
    expect(size.onDemandJs.some((a) => a.file.startsWith('audit'))).toBe(true);
  });

  it('serves the real build with index.html revalidated on every load and its hashed assets immutable', async () => {
    const page = await fetch(`${base}/nominations/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const assets = [...(await page.text()).matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    expect(assets.length).toBeGreaterThanOrEqual(2);
    const lazy = measureConsoleBuild(consoleDir).onDemandJs.map((a) => `/assets/${a.file}`);
    for (const asset of [...assets, ...lazy]) {
      const answer = await fetch(`${base}${asset}`);
      expect([asset, answer.status, answer.headers.get('cache-control')]).toEqual([asset, 200, 'public, max-age=31536000, immutable']);
      await answer.arrayBuffer();
    }
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
    secondId = second;
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
    // Each outcome names its nominee (both have left the list by now), and a refusal says why in Vietnamese.
    expect(outcomes.find(([, ok]) => ok === 'true')![0]).toContain(NOMINEE);
    expect(outcomes.find(([, ok]) => ok === 'false')![0]).toContain(SECOND);
    expect(outcomes.find(([, ok]) => ok === 'false')![0]).toContain('Hồ sơ không còn ở trạng thái cho phép thao tác này.');
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
    // The district has used its one request for supplementation: returning again is not offered (the api refuses it).
    await district.getByTestId('action-approve').waitFor();
    expect(await district.getByTestId('action-return').count()).toBe(0);
    expect(await district.locator('[data-note="returnLimit"]').textContent()).toBe('Cấp này đã trả lại hồ sơ để bổ sung đủ số lần cho phép.');
    await district.getByTestId('action-approve').focus();
    await district.keyboard.press('Enter');
    // The opened form has the focus: the comment is the next thing typed.
    await district.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'comment');
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
    // Recommended to him, the chairman may still refuse it (the api accepts reject from the deciding unit's decider).
    await page.getByTestId('action-reject').waitFor();
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
    // Each line names its award as the catalogue does, not by its code.
    await page.getByTestId('decision-award').filter({ hasText: 'Bằng khen của Chủ tịch UBND tỉnh' }).waitFor();
    await screenshot(page, '06-decision');
    await page.getByRole('link', { name: NOMINEE }).click();
    await expectStatus(page, 'awarded');
    expect(await page.getByText('125/QĐ-UBND').count()).toBeGreaterThan(0);
    await page.context().close();
  });

  it('lets the auditor find the chairman\'s decision in the audit trail and download it as the server\'s CSV; no serious accessibility violation there', async () => {
    await auditTrailCaughtUp();
    const page = await signedIn(people.auditor);
    await page.getByRole('navigation').getByRole('link', { name: 'Kiểm tra nhật ký' }).click();
    await page.waitForURL(`${base}/audit`);
    await page.getByRole('heading', { level: 1, name: 'Nhật ký kiểm tra' }).waitFor();
    await page.getByTestId('audit-row').first().waitFor();

    // Finds it by its type: the one decision issued so far, with its number, signer's act and date.
    await page.getByLabel('Loại sự kiện', { exact: true }).selectOption('DecisionIssued');
    await page.getByRole('button', { name: 'Lọc', exact: true }).click();
    await page.waitForURL(/\/audit\?type=DecisionIssued$/);
    const row = page.getByTestId('audit-row').filter({ hasText: '125/QĐ-UBND' });
    await row.waitFor();
    expect(await page.getByTestId('audit-row').count()).toBe(1);
    expect(await row.getAttribute('data-type')).toBe('DecisionIssued');
    // On a wide screen it is a table: a row's cells side by side, under visible column headers.
    expect(await auditLayout(page)).toMatchObject({ stacked: false, headers: ['Thời điểm', 'Sự kiện', 'Người thực hiện', 'Hồ sơ / quyết định', 'Nội dung'] });
    const text = (await row.textContent())!;
    expect(text).toContain('Ban hành quyết định');
    expect(text).toContain(people.chairman.name);
    expect(text).toContain('Đã có thành tích xuất sắc trong phong trào thi đua năm học 2023-2024');
    expect(text).toMatch(/\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}/);
    expect(await row.getByRole('link', { name: /^Quyết định / }).getAttribute('href')).toBe(`/decisions/${decisionId}`);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, '06a-audit');

    // The CSV is the server's export of the same filter, byte for byte: BOM first, Vietnamese intact.
    const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId('audit-csv').click()]);
    expect(file.suggestedFilename()).toMatch(/^nhat-ky-kiem-tra-\d{4}-\d{2}-\d{2}\.csv$/);
    const saved = readFileSync((await file.path())!);
    const csv = saved.toString('utf8');
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(csv.normalize('NFC')).toBe(csv);
    const lines = csv.slice(1).split('\r\n').filter((line) => line !== '');
    expect(lines[0]).toBe('position,streamId,revision,type,at,actorId,actorName,actorUnit,actorRoles,nominationId,decisionId,data');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`decision-${decisionId}`);
    expect(lines[1]).toContain(',DecisionIssued,');
    expect(lines[1]).toContain(`,${people.chairman.sub},${people.chairman.name},14,decider,`);
    expect(lines[1]).toContain('125/QĐ-UBND');
    expect(lines[1]).toContain('Đã có thành tích xuất sắc trong phong trào thi đua năm học 2023-2024');
    const server = await api.request({ method: 'GET', url: '/audit/events?type=DecisionIssued', as: people.auditor, headers: { accept: 'text/csv' } });
    expect(server.statusCode).toBe(200);
    expect(saved.equals(Buffer.from(server.body, 'utf8'))).toBe(true);

    // Days are typed dd/mm/yyyy and mean days in Vietnam: today holds the decision, tomorrow nothing.
    const vietnamDay = (offsetDays: number) => new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Ho_Chi_Minh', day: '2-digit', month: '2-digit', year: 'numeric' })
      .format(new Date(Date.now() + offsetDays * 86_400_000));
    await page.getByLabel('Từ ngày', { exact: true }).fill(vietnamDay(0));
    await page.getByLabel('Đến hết ngày', { exact: true }).fill(vietnamDay(0));
    // The unfiltered list already shows the decision's row: wait for the filtered answer, not that row.
    const filtered = page.waitForResponse((response) => response.url().includes('/audit/events?') && response.url().includes('from='));
    await page.getByRole('button', { name: 'Lọc', exact: true }).click();
    await page.waitForURL(/\/audit\?type=DecisionIssued&from=\d{4}-\d{2}-\d{2}&to=\d{4}-\d{2}-\d{2}$/);
    await filtered;
    await page.getByTestId('audit-row').filter({ hasText: '125/QĐ-UBND' }).waitFor();
    expect(await page.getByTestId('audit-row').count()).toBe(1);
    await page.getByLabel('Từ ngày', { exact: true }).fill(vietnamDay(1));
    await page.getByLabel('Đến hết ngày', { exact: true }).fill(vietnamDay(1));
    await page.getByRole('button', { name: 'Lọc', exact: true }).click();
    await page.getByText('Không có sự kiện phù hợp.').waitFor();
    expect(await page.getByTestId('audit-row').count()).toBe(0);

    // Keyset paging over the decision's own events and those it caused, one a page.
    await page.goto(`${base}/audit?decisionId=${decisionId}&limit=1`);
    await page.getByTestId('audit-row').first().waitFor();
    expect(await page.getByTestId('audit-row').count()).toBe(1);
    const firstType = await page.getByTestId('audit-row').getAttribute('data-type');
    await page.getByTestId('audit-next').click();
    await page.waitForURL(/cursor=/);
    await page.locator(`[data-testid="audit-row"]:not([data-type="${firstType}"])`).waitFor();
    expect([firstType, await page.getByTestId('audit-row').getAttribute('data-type')].sort()).toEqual(['DecisionIssued', 'NominationAwarded']);

    // Integrity: the decision's stream, then the whole log, say "verified" with what they checked.
    await page.getByTestId('verify-scope-decision').check();
    await page.getByTestId('verify-id').fill(decisionId);
    await page.getByTestId('verify').click();
    await page.locator('[data-testid="verify-result"][data-ok="true"]').waitFor();
    expect(await page.getByTestId('verify-result').textContent()).toContain('Đã xác minh: không phát hiện sai lệch.');
    expect(await page.getByTestId('verify-result').textContent()).toContain(`Quyết định ${decisionId}`);
    await page.getByTestId('verify-scope-log').check();
    await page.getByTestId('verify').click();
    await page.locator('[data-testid="verify-result"][data-ok="true"]', { hasText: 'Toàn bộ nhật ký' }).waitFor();

    // A seal made now, downloaded as the server's JSON, and uploaded back: the log is what was sealed.
    await page.getByTestId('seal-now').click();
    await page.getByTestId('latest-seal').waitFor();
    const sequence = await page.getByTestId('seal-sequence').textContent();
    const [sealFile] = await Promise.all([page.waitForEvent('download'), page.getByTestId('seal-download').click()]);
    expect(sealFile.suggestedFilename()).toBe(`niem-phong-${sequence}.json`);
    const sealPath = (await sealFile.path())!;
    const seal = JSON.parse(readFileSync(sealPath, 'utf8'));
    expect(seal).toEqual((await api.request({ method: 'GET', url: '/audit/seals/latest', as: people.auditor })).json());
    await page.getByLabel('Tệp niêm phong đã lưu (JSON)', { exact: true }).setInputFiles(sealPath);
    await page.getByTestId('verify-seal').click();
    await page.locator('[data-testid="verify-result"][data-ok="true"]', { hasText: `Theo dấu niêm phong số ${sequence}` }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, '06b-audit-verified');
    await page.context().close();
  });

  it('shows a proposer no audit trail in the menu, and a plain refusal at its address', async () => {
    // Every request of the profile is watched from its first page on: the refusal asks the api for nothing.
    const asked: string[] = [];
    const page = await signedIn(people.proposer, '/audit', undefined, async (context) => {
      context.on('request', (request) => { if (new URL(request.url()).pathname.startsWith('/audit/')) asked.push(request.url()); });
    });
    await page.waitForURL(`${base}/audit`);
    await page.getByTestId('forbidden').waitFor();
    expect(await page.getByTestId('forbidden').textContent()).toContain('Bạn không có quyền dùng trang này');
    expect(await page.getByTestId('forbidden').textContent()).toContain('Kiểm tra');
    expect(await page.getByRole('navigation').getByRole('link', { name: 'Kiểm tra nhật ký' }).count()).toBe(0);
    expect(await page.getByRole('navigation').getByRole('link', { name: 'Tạo hồ sơ' }).count()).toBe(1);
    expect(await page.getByTestId('audit-row').count()).toBe(0);
    expect(asked).toEqual([]);
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
    // The decision was signed in the three-tier code set, no longer in force: its revocation is for the
    // province in the two-tier list. The chairman acting in gso-2004 is offered none (the api refuses him).
    const before = await signedIn(people.chairman, `/decisions/${decisionId}`);
    await before.getByRole('heading', { name: /125\/QĐ-UBND/ }).waitFor();
    expect(await before.getByRole('button', { name: 'Hủy bỏ quyết định' }).count()).toBe(0);
    await before.context().close();
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

  it('keeps an edit typed on a stale form: saving meets the conflict and the new state, nothing is overwritten, and a reviewed save goes through', async () => {
    const name = 'Hợp tác xã Nông nghiệp Bản Mòng';
    const created = await api.request({
      method: 'POST', url: '/nominations', as: people.proposer,
      body: {
        ruleSet: 'vn-2024', awardCode: 'BANG_KHEN_TINH', year: 2024, proposingUnit: '03814',
        nominee: { kind: 'collective', name }, achievements: 'Bản đầu tiên',
        documents: [
          { kind: 'submission', title: 'Tờ trình', sha256: sha('3-tt'), url: 'https://chienglao.sonla.gov.vn/3/tt.pdf' },
          { kind: 'achievement_report', title: 'Báo cáo', sha256: sha('3-bc'), url: 'https://chienglao.sonla.gov.vn/3/bc.pdf' },
        ],
      },
    });
    expect(created.statusCode).toBe(201);
    const id = created.json().id as string;
    const page = await signedIn(people.proposer, `/nominations/${id}/edit`);
    await page.waitForFunction(() => (document.querySelector('[data-testid="achievements"]') as HTMLTextAreaElement | null)?.value === 'Bản đầu tiên');
    const typed = 'Dẫn đầu phong trào xây dựng nông thôn mới năm 2024';
    await page.getByTestId('achievements').fill(typed);

    // Meanwhile another tab of the same office changes the draft.
    const patched = await api.request({ method: 'PATCH', url: `/nominations/${id}`, as: people.proposer, body: { achievements: 'Bản sửa ở một trang khác' } });
    expect(patched.statusCode).toBe(200);
    await page.getByTestId('confirm').click();
    await page.getByTestId('conflict-state').waitFor();
    expect(await page.getByTestId('conflict').textContent()).toContain('Người khác vừa thay đổi hồ sơ này');
    expect(await page.getByTestId('achievements').inputValue()).toBe(typed);
    const kept = await api.request({ method: 'GET', url: `/nominations/${id}?minPosition=${patched.headers['log-position']}`, as: people.proposer });
    expect(kept.json().achievements).toBe('Bản sửa ở một trang khác');
    await screenshot(page, '08b-edit-conflict');

    // Reviewed: saving again sends the new revision and goes through.
    await page.getByTestId('confirm').click();
    await page.waitForURL(`${base}/nominations/${id}`);
    await page.getByText(typed).waitFor();
    await page.context().close();
  });

  it('offers each person exactly the actions the api accepts: the vote before the deciding approval, no approving one\'s own, nothing for another unit\'s clerk', async () => {
    const documents = (tag: string) => [
      { kind: 'submission', title: 'Tờ trình', sha256: sha(`${tag}-tt`), url: `https://muongla.sonla.gov.vn/${tag}/tt.pdf` },
      { kind: 'achievement_report', title: 'Báo cáo', sha256: sha(`${tag}-bc`), url: `https://muongla.sonla.gov.vn/${tag}/bc.pdf` },
    ];
    const createAndSubmit = async (person: TestUser, body: Record<string, unknown>): Promise<string> => {
      const created = await api.request({ method: 'POST', url: '/nominations', as: person, body: { ruleSet: 'vn-2024', year: 2024, ...body } });
      expect(created.statusCode).toBe(201);
      const id = created.json().id as string;
      expect((await api.request({ method: 'POST', url: `/nominations/${id}/submit`, as: person, body: {} })).statusCode).toBe(200);
      return id;
    };
    // The district office's own staff: decided at the district, where a passed council vote comes first.
    const own = await createAndSubmit(people.districtProposer, {
      awardCode: 'CHIEN_SI_THI_DUA_CO_SO', proposingUnit: '120', nominee: { kind: 'individual', name: 'Lường Thị Xuân', gender: 'female' },
      achievements: 'Hoàn thành xuất sắc nhiệm vụ năm 2024',
      documents: [...documents('4'), { kind: 'council_minutes', title: 'Biên bản', sha256: sha('4-bb'), url: 'https://muongla.sonla.gov.vn/4/bb.pdf' }],
    });
    const district = await signedIn(people.districtOfficer, `/nominations/${own}`);
    await district.getByTestId('action-vote').waitFor();
    expect(await district.getByTestId('action-return').count()).toBe(1);
    expect(await district.getByTestId('action-reject').count()).toBe(1);
    expect(await district.getByTestId('action-approve').count()).toBe(0);
    expect(await district.locator('[data-note="voteFirst"]').count()).toBe(1);
    const early = await api.request({ method: 'POST', url: `/nominations/${own}/approve`, as: people.districtOfficer, body: {} });
    expect([early.statusCode, early.json().code]).toEqual([409, 'council_vote_required']);
    await screenshot(district, '10-vote-before-approval');
    await district.context().close();

    // The commune clerk who is its officer too submitted this one: she may return it or withdraw it, never approve, vote or refuse it.
    const mine = await createAndSubmit(people.clerkOfficer, {
      awardCode: 'BANG_KHEN_TINH', proposingUnit: '03814', nominee: { kind: 'collective', name: 'Tổ Phụ nữ bản Nà Lốc' },
      achievements: 'Giữ gìn bản sắc văn hóa dân tộc Thái', documents: documents('5'),
    });
    const clerk = await signedIn(people.clerkOfficer, `/nominations/${mine}`);
    await clerk.getByTestId('action-withdraw').waitFor();
    await clerk.locator('[data-note="ownNomination"]').waitFor();
    expect(await clerk.getByTestId('action-return').count()).toBe(1);
    for (const action of ['approve', 'vote', 'reject']) expect([action, await clerk.getByTestId(`action-${action}`).count()]).toEqual([action, 0]);
    const self = await api.request({ method: 'POST', url: `/nominations/${mine}/approve`, as: people.clerkOfficer, body: {} });
    expect([self.statusCode, self.json().code]).toEqual([403, 'forbidden']);
    await clerk.context().close();

    // A district clerk reads the commune's nomination (it passes the district) but may not withdraw or edit it.
    const other = await signedIn(people.districtProposer, `/nominations/${mine}`);
    await other.getByText('Bạn không có thao tác nào với hồ sơ này lúc này.').waitFor();
    expect(await other.getByTestId('action-withdraw').count()).toBe(0);
    expect(await other.getByRole('link', { name: 'Sửa hồ sơ' }).count()).toBe(0);
    const foreign = await api.request({ method: 'POST', url: `/nominations/${mine}/withdraw`, as: people.districtProposer, body: { reason: 'Thử rút' } });
    expect([foreign.statusCode, foreign.json().code]).toEqual([403, 'forbidden']);
    await other.context().close();
  });

  it('never guesses an individual\'s gender, offers no award nobody may decide, and explains refusals in Vietnamese', async () => {
    const posted: string[] = [];
    const page = await signedIn(people.clerkOfficer, '/nominations/new', undefined, async (context) => {
      context.on('request', (request) => { if (request.method() === 'POST' && new URL(request.url()).pathname === '/nominations') posted.push(request.url()); });
    });
    // Under vn-2024 the district chairman's Giấy khen is offered; under vn-2025 the district level is gone, and so is the award.
    await page.locator('[data-testid="award"] option[value="GIAY_KHEN_HUYEN"]').waitFor({ state: 'attached' });
    const catalogue = page.waitForResponse((response) => response.url().includes('/award-types?ruleSet=vn-2025'));
    await page.getByLabel('Bộ quy định', { exact: true }).selectOption('vn-2025');
    await catalogue;
    await page.locator('[data-testid="award"] option[value="GIAY_KHEN_XA"]').waitFor({ state: 'attached' });
    await page.waitForFunction(() => document.querySelector('[data-testid="award"] option[value="GIAY_KHEN_HUYEN"]') === null);

    await page.getByTestId('nominee-name').fill('Lò Văn Tuấn'.normalize('NFD'));
    await page.getByTestId('confirm').click();
    await page.getByTestId('gender-error').waitFor();
    expect(await page.getByTestId('gender-error').textContent()).toBe('Chọn giới tính: thông tin này được ghi và thống kê trong báo cáo.');
    expect(await page.getByTestId('gender').getAttribute('aria-invalid')).toBe('true');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('gender');
    expect(posted).toEqual([]);

    // With a gender the form goes to the api, whose refusal of the rest is explained in the reader's language.
    await page.getByTestId('gender').selectOption('male');
    await page.getByTestId('confirm').click();
    await page.getByTestId('problem').waitFor();
    expect(posted).toHaveLength(1);
    expect(await page.getByTestId('problem-text').textContent()).toBe('Thông tin chưa hợp lệ hoặc còn thiếu; xem các mục dưới đây.');
    expect(await page.getByTestId('gender-error').count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, '11-new-nomination-validation');
    await page.context().close();
  });

  it('takes a commune officer past the first page of a year-end inbox, one click at a time', async () => {
    // More waiting than one page holds (the console asks for 200 at a time).
    for (let i = 0; i < 201; i++) {
      const created = await api.request({
        method: 'POST', url: '/nominations', as: people.proposer,
        body: {
          ruleSet: 'vn-2024', awardCode: 'BANG_KHEN_TINH', year: 2024, proposingUnit: '03814',
          nominee: { kind: 'collective', name: `Tổ sản xuất số ${i + 1} bản Nậm Giôn` }, achievements: 'Hoàn thành xuất sắc kế hoạch sản xuất năm 2024',
          documents: [
            { kind: 'submission', title: 'Tờ trình', sha256: sha(`yb-${i}-tt`), url: `https://chienglao.sonla.gov.vn/yb/${i}/tt.pdf` },
            { kind: 'achievement_report', title: 'Báo cáo', sha256: sha(`yb-${i}-bc`), url: `https://chienglao.sonla.gov.vn/yb/${i}/bc.pdf` },
          ],
        },
      });
      expect(created.statusCode).toBe(201);
      expect((await api.request({ method: 'POST', url: `/nominations/${created.json().id}/submit`, as: people.proposer, body: {} })).statusCode).toBe(200);
    }
    const page = await signedIn(people.communeOfficer);
    await page.waitForURL(`${base}/inbox`);
    let waiting = 0;
    let cursor: string | null = null;
    do {
      const answer: { items: unknown[]; nextCursor: string | null } = (await api.request({ method: 'GET', url: `/inbox?limit=200${cursor ? `&cursor=${cursor}` : ''}`, as: people.communeOfficer })).json();
      waiting += answer.items.length;
      cursor = answer.nextCursor;
    } while (cursor !== null);
    expect(waiting).toBeGreaterThan(200);

    await page.getByTestId('inbox-row').nth(199).waitFor();
    expect(await page.getByTestId('inbox-row').count()).toBe(200);
    await page.getByTestId('inbox-more').click();
    await page.getByTestId('inbox-row').nth(waiting - 1).waitFor();
    expect(await page.getByTestId('inbox-row').count()).toBe(waiting);
    expect(await page.getByTestId('inbox-more').count()).toBe(0);
    // "Select all" now takes every row on screen, the second page's too.
    await page.getByLabel('Chọn tất cả', { exact: true }).check();
    expect(await page.getByTestId('bulk-approve').textContent()).toContain(`(${waiting})`);
    await page.context().close();
  });

  it('shows the auditor the first broken place once someone rewrote the log, at 360 px and in English too', async () => {
    const stream = `nomination-${secondId}`;
    await tamperWithLog(api.database.pool, [
      { text: `UPDATE events SET data = jsonb_set(data, '{achievements}', '"Thành tích đã bị sửa"') WHERE stream_id = $1 AND revision = 0`, values: [stream] },
    ]);
    await api.logVisible();
    const page = await signedIn(people.auditor, '/audit', { width: 360, height: 780 });
    await page.getByTestId('audit-row').first().waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    // On a phone each event is a card of lines: nothing hides to the right of the list, the column
    // headers are still there for screen readers.
    const phone = await auditLayout(page);
    expect(phone).toMatchObject({ hiddenRight: 0, stacked: true, headers: ['Thời điểm', 'Sự kiện', 'Người thực hiện', 'Hồ sơ / quyết định', 'Nội dung'] });
    expect(phone.rowWidth).toBeLessThanOrEqual(360);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, '09a-audit-list-360px');

    // With the keyboard alone: one nomination's stream, by its id.
    await page.getByTestId('verify-scope-nomination').focus();
    await page.keyboard.press('Space');
    await page.getByTestId('verify-id').focus();
    await page.keyboard.type(secondId);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('verify');
    await page.keyboard.press('Enter');
    const broken = page.locator('[data-testid="verify-result"][data-ok="false"]');
    await broken.waitFor();
    expect(await page.getByRole('alert').filter({ hasText: 'Phát hiện sai lệch' }).count()).toBe(1);
    const place = (await page.getByTestId('verify-broken').textContent())!;
    expect(place).toContain(stream);
    expect(place).toContain('hash_mismatch');
    expect(place).toContain('Nội dung sự kiện không khớp chuỗi băm');
    expect(await page.getByTestId('verify-broken').getByRole('link', { name: 'Hồ sơ' }).getAttribute('href')).toBe(`/nominations/${secondId}`);
    await screenshot(page, '09-audit-broken-360px');

    await page.getByTestId('verify-scope-log').check();
    await page.getByTestId('verify').click();
    await page.locator('[data-testid="verify-result"][data-ok="false"]', { hasText: 'Toàn bộ nhật ký' }).waitFor();
    expect(await page.getByTestId('verify-broken').textContent()).toContain(stream);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);

    await page.getByRole('button', { name: 'Switch to English' }).click();
    await page.getByRole('heading', { level: 1, name: 'Audit trail' }).waitFor();
    expect(await page.getByTestId('verify-result').textContent()).toContain('Tampering found.');
    expect(await page.getByTestId('verify-broken').textContent()).toContain('The event does not match its hash chain');
    await page.context().close();
  });
});
