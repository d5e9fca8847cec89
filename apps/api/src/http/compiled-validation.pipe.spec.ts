import { describe, expect, it } from '@jest/globals';
import { ValidationPipe } from '@nestjs/common';
import fc from 'fast-check';
import { StaffDto } from '../admin/admin.dto';
import { VerifyAgainstSealDto } from '../audit/audit-verification.dto';
import { DevTokenRequestDto } from '../console/sign-in.dto';
import { IssueDecisionDto, RevokeDecisionDto } from '../decisions/decisions.dto';
import {
  ApproveNominationDto,
  BulkApproveDto,
  BulkRejectDto,
  BulkReturnDto,
  CouncilVoteDto,
  CreateNominationDto,
  RejectNominationDto,
  ReturnNominationDto,
  UpdateNominationDto,
  WithdrawNominationDto,
} from '../nominations/nominations.dto';
import { CompiledValidationPipe } from './compiled-validation.pipe';
import { VALIDATION_PIPE_OPTIONS } from './validation-options';

const SHA = 'ab'.repeat(32);
const ID = '0b7d3f0e-6a7c-4f0e-9a53-2f9a1d6c1e01';
const idAt = (i: number): string => `0b7d3f0e-6a7c-4f0e-9a53-${String(i).padStart(12, '0')}`;
const documents = [
  { kind: 'submission', title: 'Tờ trình đề nghị khen thưởng', sha256: SHA, url: 'https://tailieu.sonla.gov.vn/to-trinh.pdf' },
  { kind: 'achievement_report', title: 'Báo cáo thành tích', sha256: SHA.toUpperCase(), url: 'http://10.0.0.5/bao-cao.pdf' },
];
const individual = { kind: 'individual', name: 'Lò Thị Hoa', gender: 'female', position: 'Giáo viên', email: 'hoa@chienglao.edu.vn' };

/** Every body DTO of the api with bodies it accepts (the mutations below make the ones it refuses). */
const BODIES: readonly [string, new () => object, readonly unknown[]][] = [
  ['CreateNominationDto', CreateNominationDto, [
    {
      ruleSet: 'vn-2025', awardCode: 'BANG_KHEN_TINH', year: 2025, proposingUnit: '03814',
      nominee: { kind: 'collective', name: 'Trường Tiểu học Chiềng Lao', organization: 'UBND xã Chiềng Lao' },
      achievements: 'Hoàn thành xuất sắc nhiệm vụ năm học 2024-2025, dẫn đầu phong trào thi đua của xã.', documents,
    },
    { awardCode: 'GIAY_KHEN_HUYEN', year: 2022, proposingUnit: '120', nominee: individual, achievements: 'Thành tích', documents: [] },
    { awardCode: 'GIAY_KHEN_HUYEN', year: 1945, proposingUnit: '14', nominee: { kind: 'household', name: 'Hộ ông Lò Văn Pọm' }, achievements: 'x' },
  ]],
  ['UpdateNominationDto', UpdateNominationDto, [{ achievements: 'Bổ sung số liệu' }, { nominee: individual, documents, year: 2100 }]],
  ['ApproveNominationDto', ApproveNominationDto, [{}, { comment: 'Đủ điều kiện, đề nghị cấp tỉnh xem xét' }, { comment: '' }]],
  ['ReturnNominationDto', ReturnNominationDto, [{ reason: 'Thiếu biên bản', missing: ['council_minutes'] }, { reason: 'x', missing: [] }]],
  ['CouncilVoteDto', CouncilVoteDto, [
    { sessionDate: '2023-03-20', minutesNumber: '05/BB-HĐTĐKT', members: 9, present: 8, inFavour: 8, against: 0, writtenInFavour: 1, writtenAgainst: 0 },
    { sessionDate: '2024-02-29', minutesNumber: '1', members: 1000, present: 0, inFavour: 0, against: 0 },
  ]],
  ['RejectNominationDto', RejectNominationDto, [{ reasonCode: 'standard_not_met', reason: 'Chưa đạt tiêu chuẩn' }]],
  ['WithdrawNominationDto', WithdrawNominationDto, [{ reason: 'Rút hồ sơ' }]],
  ['BulkApproveDto', BulkApproveDto, [{ ids: [ID, idAt(2)], comment: 'Đồng ý' }, { ids: [ID] }]],
  ['BulkReturnDto', BulkReturnDto, [{ ids: [ID], reason: 'Thiếu hồ sơ', missing: ['submission'] }]],
  ['BulkRejectDto', BulkRejectDto, [{ ids: [ID], reasonCode: 'standard_not_met', reason: 'Không đạt' }]],
  ['IssueDecisionDto', IssueDecisionDto, [{
    number: '125/QĐ-UBND', signedOn: '2023-03-24', signer: { name: 'Nguyễn Văn Minh', title: 'Chủ tịch UBND huyện' },
    reason: 'Đã có thành tích xuất sắc', nominationIds: [ID, idAt(3)],
  }]],
  ['RevokeDecisionDto', RevokeDecisionDto, [{ number: '210/QĐ-UBND', signedOn: '2023-06-01', nominationIds: [ID], ground: 'false_declaration', reason: 'Kê khai sai' }]],
  ['StaffDto', StaffDto, [{ name: 'Lò Văn Thành', email: 'thanh.lv@muongla.sonla.gov.vn', unit: '120', roles: ['officer', 'decider'], locale: 'vi', active: true }]],
  ['DevTokenRequestDto', DevTokenRequestDto, [{ staffId: 'muongla-noivu-01' }]],
  ['VerifyAgainstSealDto', VerifyAgainstSealDto, [{
    seal: { version: 2, sequence: 1, position: '12', eventCount: 3, root: SHA, previous: SHA, headsDigest: SHA, sealedAt: '2023-03-24T08:00:00.000Z', keyId: 'k1', signature: 'c2lnbmF0dXJl' },
  }]],
];

/** Values at and around every rule's edges: types, bounds, NUL, unpaired surrogates, NFC, formats, enums. */
const edgy = fc.oneof(
  fc.constantFrom<unknown>(
    undefined, null, true, false, 0, -1, 1, 1.5, 1944, 1945, 2100, 2101, 1000, 1001, -0, 1e21,
    '', ' ', '\u200b', 'a', '\u0000', 'a\u0000b', '\ud800', 'a\udc00b', '\ud83d\ude00', 'e\u0301', 'é', 'Nguyễn Văn A',
    '03814', '038140', '1', '03A14', '2023-02-30', '2023-03-20', '2024-02-29', '2023-3-20', '2023-03-20T08:00:00Z',
    'https://vanban.sonla.gov.vn/a.pdf', 'ftp://vanban.sonla.gov.vn/a', '/files/a.pdf', 'https://', 'a@b.vn', 'not-an-email',
    ID, ID.toUpperCase(), SHA, 'xyz', 'collective', 'individual', 'household', 'company', 'female', 'officer', 'vi', 'en',
    'standard_not_met', 'false_declaration', 'council_minutes', [], [null], [{}], [1], {}, { kind: 'individual' }, [ID, ID.toUpperCase()],
  ),
  fc.constantFrom(49, 50, 51, 99, 100, 101, 199, 200, 201, 254, 255, 299, 300, 301, 500, 501, 2000, 2001, 20000, 20001).map((n) => 'ạ'.repeat(n)),
  fc.constantFrom(0, 1, 2, 20, 21, 50, 51, 500, 501).map((n) => Array.from({ length: n }, (_, i) => idAt(i))),
  fc.string({ maxLength: 12, unit: 'binary' }),
  fc.integer(),
  fc.double(),
  fc.jsonValue({ maxDepth: 2 }),
);

const FIELD_NAMES = ['status', 'constructor', 'prototype', 'gender', 'email', 'position', 'organization', 'kind', 'name', 'rank', '0'];

const PROTO_KEYS = ['__proto__', 'prototype', 'constructor'];

type Container = Record<string, unknown> | unknown[];

function containersOf(value: unknown, into: Container[] = []): Container[] {
  if (typeof value === 'object' && value !== null) {
    into.push(value as Container);
    for (const child of Object.values(value)) containersOf(child, into);
  }
  return into;
}

/** A copy of `base` with a few edits: a field set to an edgy value, added, or deleted, anywhere in it. */
function mutated(base: unknown): fc.Arbitrary<unknown> {
  const edit = fc.record({ at: fc.nat(), key: fc.oneof(fc.nat(), fc.constantFrom(...FIELD_NAMES)), remove: fc.boolean(), value: edgy });
  return fc.array(edit, { minLength: 0, maxLength: 3 }).map((edits) => {
    const copy = structuredClone(base);
    for (const { at, key, remove, value } of edits) {
      const containers = containersOf(copy);
      const target = containers[at % containers.length]!;
      const keys = Object.keys(target);
      const name = typeof key === 'number' ? (keys.length > 0 ? keys[key % keys.length]! : String(key % 3)) : key;
      if (remove) delete (target as Record<string, unknown>)[name];
      else (target as Record<string, unknown>)[name] = structuredClone(value);
    }
    return copy;
  });
}

type Outcome = { readonly accepted: unknown } | { readonly refused: unknown };

async function outcome(run: () => unknown): Promise<Outcome> {
  try {
    return { accepted: await run() };
  } catch (error) {
    return { refused: error };
  }
}

describe('CompiledValidationPipe', () => {
  const pipe = new ValidationPipe(VALIDATION_PIPE_OPTIONS);
  const compiled = new CompiledValidationPipe(VALIDATION_PIPE_OPTIONS);

  it.each(BODIES)('decides every %s body exactly as the ValidationPipe does', async (_name, metatype, bases) => {
    const metadata = { type: 'body' as const, metatype };
    const seen = { accepted: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...bases).chain(mutated), async (body) => {
        const expected = await outcome(() => pipe.transform(structuredClone(body), metadata));
        // Both directions: what the plan accepts the pipe accepts, as the same DTO, and the other way round.
        const fast = compiled.accepted(structuredClone(body), metatype);
        if ('accepted' in expected) {
          // A key the pipe strips first (prototype, constructor) is left to it: correct, only not faster.
          if (!(fast === undefined && containersOf(body).some((c) => PROTO_KEYS.some((key) => Object.hasOwn(c, key))))) {
            expect(fast).toStrictEqual(expected.accepted);
          }
          seen.accepted++;
        } else {
          expect(fast).toBeUndefined();
          seen.refused++;
        }
        // Through transform(), refusals are the pipe's own: the same error, the same details.
        expect(await outcome(() => compiled.transform(structuredClone(body), metadata))).toStrictEqual(expected);
      }),
      { numRuns: 400 },
    );
    // The property is only worth something if both verdicts occurred.
    expect(seen.accepted).toBeGreaterThan(0);
    expect(seen.refused).toBeGreaterThan(0);
  });

  it('takes the compiled way for the bodies the api receives most', () => {
    for (const [, metatype, bases] of BODIES) {
      for (const body of bases) {
        expect(compiled.accepted(structuredClone(body), metatype)).toBeInstanceOf(metatype);
      }
    }
  });

  it('leaves what is not a DTO body to the ValidationPipe', async () => {
    expect(compiled.accepted([{}], CreateNominationDto)).toBeUndefined();
    expect(compiled.accepted(undefined, ApproveNominationDto)).toBeUndefined();
    expect(compiled.accepted({}, Object)).toBeUndefined();
    // An absent body becomes {} in the pipe, which an approval accepts.
    expect(await compiled.transform(undefined, { type: 'body', metatype: ApproveNominationDto })).toBeInstanceOf(ApproveNominationDto);
  });

  it('refuses options under which it would not answer as class-validator does', () => {
    expect(() => new CompiledValidationPipe({ ...VALIDATION_PIPE_OPTIONS, whitelist: false })).toThrow(/reproduces class-validator only/);
    expect(() => new CompiledValidationPipe({ ...VALIDATION_PIPE_OPTIONS, groups: ['admin'] })).toThrow(/reproduces class-validator only/);
    expect(() => new CompiledValidationPipe({ ...VALIDATION_PIPE_OPTIONS, skipMissingProperties: true })).toThrow(/reproduces class-validator only/);
  });
});
