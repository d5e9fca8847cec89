import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { expectOk, type View } from './support/nomination-fixtures';
import { TestApi, type TestUser } from './support/test-api';

/** Runs `npm run demo` (the real command) against the api listening at `apiUrl`; resolves with its stdout. */
function runDemoCommand(apiUrl: string, databaseUrl: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'demo'], {
      env: { ...process.env, API_URL: apiUrl, DATABASE_URL: databaseUrl, NODE_ENV: 'development', LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`npm run demo exited ${code}:\n${out}\n${err}`))));
  });
}

const auditor: TestUser = { sub: 'demo-a-14', name: 'Đỗ Thị Lan', roles: ['auditor'], unit: '14', codeSet: 'gso-2004' };

describe('npm run demo against a started api (real PostgreSQL, real HTTP)', () => {
  let api: TestApi;
  let apiUrl: string;
  beforeAll(async () => {
    api = await TestApi.start();
    // The worker runs the projections GET /reports/awards reads, as `npm start` runs one beside the api.
    await api.startWorker();
    await api.app.listen(0, '127.0.0.1');
    apiUrl = `http://127.0.0.1:${(api.app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await api.close();
  });

  it('replays Mường La 2022 (4 / 1+1 / 27 / 7 in three decisions, every amount at 1,490,000 VND) and a 2025 year; a second run doubles nothing', async () => {
    const first = await runDemoCommand(apiUrl, api.database.url);
    const events = await api.eventCount();
    const staff = await api.database.pool.query('SELECT count(*)::int AS n FROM staff');

    const second = await runDemoCommand(apiUrl, api.database.url);
    expect(await api.eventCount()).toBe(events);
    expect((await api.database.pool.query('SELECT count(*)::int AS n FROM staff')).rows[0].n).toBe(staff.rows[0].n);
    // Same report both times, with the year's total.
    const report = (out: string) => out.split('\n').filter((line) => /^ {2}\S/u.test(line) && !/ lines /u.test(line));
    expect(report(second)).toEqual(report(first));
    expect(first).toContain('from GET /reports/awards)');
    expect(report(first).slice(0, 6)).toEqual([
      expect.stringMatching(/^ {2}CO_THI_DUA_TINH\s+collective\s+4\s+47\.680\.000 ₫$/u),
      expect.stringMatching(/^ {2}BANG_KHEN_TINH\s+collective\s+1\s+2\.980\.000 ₫$/u),
      expect.stringMatching(/^ {2}BANG_KHEN_TINH\s+individual\s+1\s+1\.490\.000 ₫$/u),
      expect.stringMatching(/^ {2}GIAY_KHEN_HUYEN\s+collective\s+27\s+24\.300\.000 ₫$/u),
      expect.stringMatching(/^ {2}CHIEN_SI_THI_DUA_CO_SO\s+individual\s+7\s+10\.430\.000 ₫$/u),
      expect.stringMatching(/^ {2}Tổng cộng\s+40\s+86\.880\.000 ₫$/u),
    ]);

    // The three decisions of 2022, read back through the API: every line and the totals.
    const numbers = [...first.matchAll(/^ {2}(\S+\/QĐ-UBND)\s+(\d+) lines\s+([\d.]+) ₫ {2}\(([0-9a-f-]{36})\)$/gmu)].map((m) => ({ number: m[1]!, id: m[4]! }));
    expect(numbers.map((n) => n.number)).toEqual(['412/QĐ-UBND', '85/QĐ-UBND', '86/QĐ-UBND', '12/QĐ-UBND', '35/QĐ-UBND']);
    const get = async (id: string, as: TestUser): Promise<View> => expectOk(await api.request({ method: 'GET', url: `/decisions/${id}`, as }));
    const province = await get(numbers[0]!.id, auditor);
    const giayKhen = await get(numbers[1]!.id, auditor);
    const chienSi = await get(numbers[2]!.id, auditor);
    const lines = (d: View) => (d.nominations as View[]).map((n) => [n.awardCode, n.nomineeKind, n.bonusMultiple, n.baseSalary, n.bonusAmount]);

    expect(province).toMatchObject({ issuingUnit: '14', signedOn: '2023-03-17', baseSalary: 1_490_000, warnings: [] });
    expect(lines(province)).toEqual([
      ...Array.from({ length: 4 }, () => ['CO_THI_DUA_TINH', 'collective', 8, 1_490_000, 11_920_000]),
      ['BANG_KHEN_TINH', 'collective', 2, 1_490_000, 2_980_000],
      ['BANG_KHEN_TINH', 'individual', 1, 1_490_000, 1_490_000],
    ]);
    expect(province.bonusTotal).toBe(52_150_000);

    expect(giayKhen).toMatchObject({ issuingUnit: '120', signedOn: '2023-03-22', baseSalary: 1_490_000 });
    // 0.6 × 1,490,000 = 894,000, rounded up to the next 10,000.
    expect(lines(giayKhen)).toEqual(Array.from({ length: 27 }, () => ['GIAY_KHEN_HUYEN', 'collective', 0.6, 1_490_000, 900_000]));
    expect(giayKhen.bonusTotal).toBe(24_300_000);

    expect(lines(chienSi)).toEqual(Array.from({ length: 7 }, () => ['CHIEN_SI_THI_DUA_CO_SO', 'individual', 1, 1_490_000, 1_490_000]));
    expect(chienSi.bonusTotal).toBe(10_430_000);
    expect(province.bonusTotal + giayKhen.bonusTotal + chienSi.bonusTotal).toBe(86_880_000);

    // Every awarded nomination carries its decision and bonus.
    const someCo = expectOk(await api.request({ method: 'GET', url: `/nominations/${province.nominations[0].nominationId}`, as: auditor }));
    expect(someCo).toMatchObject({ status: 'awarded', decision: { decisionNumber: '412/QĐ-UBND', bonusAmount: 11_920_000, baseSalary: 1_490_000 } });

    // 2025 under vn-2025 at 2,340,000: two Lao động tiên tiến (0.3 → 710,000), one Gia đình văn hóa
    // (0.1 → 240,000) by the commune chairman; one Bằng khen to a collective (2.0 → 4,680,000) by the province.
    const commune2025 = await get(numbers[3]!.id, { sub: 'demo25-d-03814', name: 'Quàng Văn Hưng', roles: ['decider'], unit: '03814', codeSet: 'gso-2025' });
    expect(lines(commune2025)).toEqual([
      ['LAO_DONG_TIEN_TIEN', 'individual', 0.3, 2_340_000, 710_000],
      ['LAO_DONG_TIEN_TIEN', 'individual', 0.3, 2_340_000, 710_000],
      ['GIA_DINH_VAN_HOA', 'household', 0.1, 2_340_000, 240_000],
    ]);
    const province2025 = await get(numbers[4]!.id, { sub: 'demo25-d-14', name: 'Nguyễn Đình Việt', roles: ['decider'], unit: '14', codeSet: 'gso-2025' });
    expect(lines(province2025)).toEqual([['BANG_KHEN_TINH', 'collective', 2, 2_340_000, 4_680_000]]);

    // The nominations that were not awarded: returned, rejected, withdrawn.
    const { rows } = await api.database.pool.query<{ type: string; n: number }>(
      "SELECT type, count(*)::int AS n FROM events WHERE type IN ('NominationReturned', 'NominationRejected', 'NominationWithdrawn', 'NominationAwarded') GROUP BY type ORDER BY type",
    );
    expect(Object.fromEntries(rows.map((r) => [r.type, r.n]))).toEqual({
      NominationAwarded: 40 + 4, NominationRejected: 1, NominationReturned: 3, NominationWithdrawn: 1,
    });
  }, 240_000);
});
