import { createHash } from 'node:crypto';
import { expect } from '@jest/globals';
import { loadReferenceData, vietnamDate, WorkingDayCalendar } from '@app/nomination';
import type { TestApi, TestResponse, TestUser } from './test-api';

/*
 * Shared builders for the nomination and decision end-to-end tests: users of the Sơn La / Mường La
 * reference units (DOMAIN.md) in both code sets, valid request bodies with Vietnamese names, and
 * helpers that drive a nomination along its route through the HTTP api.
 */

type Role = TestUser['roles'][number];

function user(sub: string, name: string, roles: readonly Role[], unit: string, codeSet: 'gso-2004' | 'gso-2025'): TestUser {
  return { sub, name, roles, unit, codeSet };
}

/** Three-tier units (gso-2004): commune 03814 → district 120 → province 14; used with vn-2017. */
export const gso2004 = {
  proposer: user('p-03814', 'Lò Thị Hoa', ['proposer'], '03814', 'gso-2004'),
  communeOfficer: user('o-03814', 'Cầm Văn Thanh', ['officer'], '03814', 'gso-2004'),
  communeDecider: user('d-03814', 'Quàng Văn Lả', ['decider'], '03814', 'gso-2004'),
  districtOfficer: user('o-120', 'Nguyễn Thị Hằng', ['officer'], '120', 'gso-2004'),
  districtDecider: user('d-120', 'Lường Văn Chiến', ['decider'], '120', 'gso-2004'),
  provinceOfficer: user('o-14', 'Trần Đức Minh', ['officer'], '14', 'gso-2004'),
  provinceDecider: user('d-14', 'Hoàng Quốc Khánh', ['decider'], '14', 'gso-2004'),
  /** A proposer of another commune of the same district. */
  otherProposer: user('p-03820', 'Giàng A Sử', ['proposer'], '03820', 'gso-2004'),
  otherCommuneOfficer: user('o-03820', 'Vì Thị Ngọc', ['officer'], '03820', 'gso-2004'),
  /** A decider of another district (Thành phố Sơn La). */
  otherDistrictDecider: user('d-116', 'Đỗ Thị Lan', ['decider'], '116', 'gso-2004'),
} as const;

/** Two-tier units (gso-2025): commune 03814 directly under province 14; used with vn-2025. */
export const gso2025 = {
  proposer: user('p25-03814', 'Lò Văn Tuấn', ['proposer'], '03814', 'gso-2025'),
  communeOfficer: user('o25-03814', 'Cầm Thị Duyên', ['officer'], '03814', 'gso-2025'),
  provinceOfficer: user('o25-14', 'Phạm Thị Thu Hà', ['officer'], '14', 'gso-2025'),
  provinceDecider: user('d25-14', 'Nguyễn Đình Việt', ['decider'], '14', 'gso-2025'),
} as const;

/** An officer of commune 03814 (gso-2004) with a numbered id, for many distinct officers at one unit. */
export function communeOfficerNo(n: number): TestUser {
  return user(`o-03814-${n}`, `Cán bộ thi đua xã số ${n}`, ['officer'], '03814', 'gso-2004');
}

export type DocumentKind = 'submission' | 'achievement_report' | 'council_minutes' | 'supporting';

const DOCUMENT_TITLES: Record<DocumentKind, string> = {
  submission: 'Tờ trình đề nghị khen thưởng',
  achievement_report: 'Báo cáo thành tích năm 2022',
  council_minutes: 'Biên bản họp Hội đồng Thi đua - Khen thưởng',
  supporting: 'Tài liệu minh chứng',
};

export function sha256Of(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function documents(kinds: readonly DocumentKind[] = ['submission', 'achievement_report']): object[] {
  return kinds.map((kind) => ({
    kind,
    title: DOCUMENT_TITLES[kind],
    sha256: sha256Of(kind),
    url: `https://vanban.sonla.gov.vn/ho-so/2022/${kind}.pdf`,
  }));
}

export const nominees = {
  collective: { kind: 'collective', name: 'Trường Tiểu học Chiềng Lao', organization: 'UBND xã Chiềng Lao' },
  individual: { kind: 'individual', name: 'Lò Thị Hoa', gender: 'female', position: 'Giáo viên', organization: 'Trường Tiểu học Chiềng Lao' },
  household: { kind: 'household', name: 'Hộ gia đình ông Cầm Văn Pọm', organization: 'Bản Nà Lốc, xã Chiềng Lao' },
} as const;

/** A valid POST /nominations body; `overrides` replace top-level fields. */
export function nominationBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ruleSet: 'vn-2017',
    awardCode: 'BANG_KHEN_TINH',
    year: 2022,
    proposingUnit: '03814',
    nominee: nominees.collective,
    achievements: 'Hoàn thành xuất sắc nhiệm vụ năm học 2021-2022; dẫn đầu phong trào thi đua của huyện Mường La.',
    documents: documents(),
    ...overrides,
  };
}

/** The vn-2025 equivalent: commune 03814 of gso-2025. */
export function nominationBody2025(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return nominationBody({ ruleSet: 'vn-2025', ...overrides });
}

/** A council vote with `inFavour` of `members` all present, held on a past date. */
export function councilVote(members: number, inFavour: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    sessionDate: '2023-03-20',
    minutesNumber: '05/BB-HĐTĐKT',
    members,
    present: members,
    inFavour,
    against: members - inFavour,
    ...overrides,
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type View = any;

/** Fails with the response body in the message, which a bare toBe(status) would not show. */
export function expectStatus(response: TestResponse, status: number): void {
  if (response.statusCode !== status) {
    throw new Error(`expected HTTP ${status}, got ${response.statusCode}: ${response.body.slice(0, 1000)}`);
  }
}

/** Asserts a problem+json answer with the given status and code; returns its body. */
export function expectProblem(response: TestResponse, status: number, code?: string): View {
  expectStatus(response, status);
  expect(String(response.headers['content-type'])).toContain('application/problem+json');
  const body = response.json();
  expect(body).toMatchObject({ status });
  expect(typeof body.code).toBe('string');
  if (code !== undefined) expect(body.code).toBe(code);
  return body;
}

/** Asserts a 2xx answer (with the body in the failure message); returns its body. */
export function expectOk(response: TestResponse, status = 200): View {
  expectStatus(response, status);
  return response.json();
}

export async function createNomination(api: TestApi, as: TestUser, body: Record<string, unknown> = nominationBody()): Promise<View> {
  return expectOk(await api.request({ method: 'POST', url: '/nominations', as, body }), 201);
}

export async function command(
  api: TestApi,
  as: TestUser,
  id: string,
  name: 'submit' | 'approve' | 'return' | 'council-votes' | 'reject' | 'withdraw',
  body: unknown = {},
  headers?: Record<string, string>,
): Promise<TestResponse> {
  return api.request({ method: 'POST', url: `/nominations/${id}/${name}`, as, body, ...(headers ? { headers } : {}) });
}

export async function createAndSubmit(api: TestApi, as: TestUser, body: Record<string, unknown> = nominationBody()): Promise<View> {
  const created = await createNomination(api, as, body);
  return expectOk(await command(api, as, created.id, 'submit'));
}

export async function approve(api: TestApi, as: TestUser, id: string, comment = 'Đủ điều kiện, đề nghị cấp trên xem xét.'): Promise<View> {
  return expectOk(await command(api, as, id, 'approve', { comment }));
}

/** Creates, submits and approves at each of `officers` in turn (one per stage). */
export async function createAndApprove(
  api: TestApi,
  proposer: TestUser,
  officers: readonly TestUser[],
  body: Record<string, unknown> = nominationBody(),
): Promise<View> {
  let view = await createAndSubmit(api, proposer, body);
  for (const officer of officers) view = await approve(api, officer, view.id);
  return view;
}

export async function getNomination(api: TestApi, as: TestUser, id: string, query = ''): Promise<View> {
  return expectOk(await api.request({ method: 'GET', url: `/nominations/${id}${query}`, as }));
}

/** The route as `unit:status` pairs, for compact assertions. */
export function routeStatuses(view: View): string[] {
  return (view.route as { unit: string; status: string }[]).map((stage) => `${stage.unit}:${stage.status}`);
}

const calendar = new WorkingDayCalendar(loadReferenceData().holidays);

/** The due date of a stage entered at `at`: 10 working days (the catalogue's default) from its Vietnam date (the next working day if that is a day off). */
export function dueOnFor(at: Date | string, workingDays = 10): string {
  return calendar.dueDate(vietnamDate(new Date(at)), workingDays);
}
