import { describe, expect, it } from '@jest/globals';
import { plainToInstance } from 'class-transformer';
import { validate, type ValidationError } from 'class-validator';
import { ArrayBodyPipe } from '../admin/array-body.pipe';
import { UnitRecordDto } from '../admin/admin.dto';
import { IssueDecisionDto } from '../decisions/decisions.dto';
import { expectedRevisionFrom } from '../http/command-envelope';
import { ProblemError } from '../http/problem';
import { EmptyBodyPipe } from './empty-body.pipe';
import { createInputOf, updateActionOf } from './nominations.input';
import {
  BulkApproveDto,
  CouncilVoteDto,
  CreateNominationDto,
  NominationAtQueryDto,
  RejectNominationDto,
  UpdateNominationDto,
} from './nominations.dto';

// The global ValidationPipe's options (api.app.ts): transform without implicit conversion.
const VALIDATOR_OPTIONS = { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true };

async function problemsOf(type: new () => object, plain: unknown): Promise<string[]> {
  const instance = plainToInstance(type, plain);
  const errors = await validate(instance as object, VALIDATOR_OPTIONS);
  const flatten = (error: ValidationError, prefix: string): string[] => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    return [...Object.keys(error.constraints ?? {}).map((c) => `${field}:${c}`), ...(error.children ?? []).flatMap((e) => flatten(e, field))];
  };
  return errors.flatMap((e) => flatten(e, ''));
}

const SHA = 'ab'.repeat(32);

const valid = {
  ruleSet: 'vn-2017',
  awardCode: 'GIAY_KHEN_HUYEN',
  year: 2022,
  proposingUnit: '03814',
  nominee: { kind: 'collective', name: 'Trường Tiểu học Chiềng Lao', organization: 'UBND xã Chiềng Lao' },
  achievements: 'Hoàn thành xuất sắc nhiệm vụ năm học 2021-2022',
  documents: [
    { kind: 'achievement_report', title: 'Báo cáo thành tích', sha256: SHA, url: 'https://vanban.sonla.gov.vn/bao-cao.pdf' },
  ],
};

const individual = { kind: 'individual', name: 'Lò Thị Hoa', gender: 'female', position: 'Giáo viên', email: 'hoa@chienglao.edu.vn' };

describe('CreateNominationDto', () => {
  it('accepts a valid Vietnamese payload and maps it to the command input', async () => {
    expect(await problemsOf(CreateNominationDto, valid)).toEqual([]);
    expect(await problemsOf(CreateNominationDto, { ...valid, nominee: individual })).toEqual([]);
    expect(await problemsOf(CreateNominationDto, { ...valid, nominee: { kind: 'household', name: 'Hộ ông Lò Văn Pọm' } })).toEqual([]);
    expect(createInputOf(plainToInstance(CreateNominationDto, { ...valid, nominee: individual }))).toEqual({ ...valid, nominee: individual });
  });

  it.each([
    ['unknown top-level field', { ...valid, status: 'approved' }, 'status:whitelistValidation'],
    ['unknown nested nominee field', { ...valid, nominee: { ...valid.nominee, rank: 1 } }, 'nominee.rank:whitelistValidation'],
    ['unknown document field', { ...valid, documents: [{ ...valid.documents[0], size: 1 }] }, 'documents.0.size:whitelistValidation'],
    ["another kind's field", { ...valid, nominee: { ...valid.nominee, gender: 'male' } }, 'nominee.gender:whitelistValidation'],
    ['year as a string', { ...valid, year: '2022' }, 'year:isInt'],
    ['name as a number', { ...valid, nominee: { ...valid.nominee, name: 42 } }, 'nominee.name:isString'],
    ['nominee as a string', { ...valid, nominee: 'Trường Tiểu học' }, 'nominee:nestedValidation'],
    ['documents as an object', { ...valid, documents: valid.documents[0] }, 'documents:isArray'],
    ['a null optional', { ...valid, ruleSet: null }, 'ruleSet:isString'],
    ['oversized achievements', { ...valid, achievements: 'ạ'.repeat(20001) }, 'achievements:isLength'],
    ['oversized nominee name', { ...valid, nominee: { ...valid.nominee, name: 'x'.repeat(301) } }, 'nominee.name:isLength'],
    ['empty achievements', { ...valid, achievements: '' }, 'achievements:isLength'],
    ['individual without gender', { ...valid, nominee: { kind: 'individual', name: 'Lò Thị Hoa' } }, 'nominee.gender:isIn'],
    ['unknown nominee kind', { ...valid, nominee: { kind: 'company', name: 'Công ty' } }, 'nominee.kind:isIn'],
    ['missing nominee kind', { ...valid, nominee: { name: 'Công ty' } }, 'nominee.kind:isIn'],
    ['bad e-mail', { ...valid, nominee: { ...individual, email: 'not-an-email' } }, 'nominee.email:isEmail'],
    ['unit code with letters', { ...valid, proposingUnit: '03A14' }, 'proposingUnit:matches'],
    ['unit code too long', { ...valid, proposingUnit: '038140' }, 'proposingUnit:matches'],
    ['unit code too short', { ...valid, proposingUnit: '1' }, 'proposingUnit:matches'],
    ['unit code as a number', { ...valid, proposingUnit: 3814 }, 'proposingUnit:isString'],
    ['bad document kind', { ...valid, documents: [{ ...valid.documents[0], kind: 'photo' }] }, 'documents.0.kind:isIn'],
    ['bad checksum', { ...valid, documents: [{ ...valid.documents[0], sha256: 'xyz' }] }, 'documents.0.sha256:matches'],
    ['relative url', { ...valid, documents: [{ ...valid.documents[0], url: '/files/a.pdf' }] }, 'documents.0.url:isUrl'],
    ['ftp url', { ...valid, documents: [{ ...valid.documents[0], url: 'ftp://sonla.gov.vn/a.pdf' }] }, 'documents.0.url:isUrl'],
    ['too many documents', { ...valid, documents: Array.from({ length: 51 }, () => valid.documents[0]) }, 'documents:arrayMaxSize'],
  ])('rejects %s', async (_name, plain, expected) => {
    expect(await problemsOf(CreateNominationDto, plain)).toContain(expected);
  });
});

describe('other command bodies', () => {
  it('PATCH needs at least one field and rejects unknown ones', async () => {
    expect(await problemsOf(UpdateNominationDto, { achievements: 'Bổ sung thành tích' })).toEqual([]);
    expect(await problemsOf(UpdateNominationDto, { status: 'approved' })).toContain('status:whitelistValidation');
    expect(() => updateActionOf(plainToInstance(UpdateNominationDto, {}))).toThrow(ProblemError);
    expect(updateActionOf(plainToInstance(UpdateNominationDto, { year: 2021 }))).toEqual({ type: 'UpdateNomination', year: 2021 });
  });

  it('submit takes only an empty object', () => {
    const pipe = new EmptyBodyPipe();
    expect(pipe.transform({})).toEqual({});
    expect(pipe.transform(undefined)).toEqual({});
    expect(() => pipe.transform({ status: 'approved' })).toThrow(ProblemError);
    expect(() => pipe.transform([])).toThrow(ProblemError);
    expect(() => pipe.transform(null)).toThrow(ProblemError);
  });

  it('council votes are integers and dates are real days', async () => {
    const vote = { sessionDate: '2023-03-20', minutesNumber: '05/BB-HĐTĐKT', members: 9, present: 8, inFavour: 8, against: 0 };
    expect(await problemsOf(CouncilVoteDto, vote)).toEqual([]);
    expect(await problemsOf(CouncilVoteDto, { ...vote, members: '9' })).toContain('members:isInt');
    expect(await problemsOf(CouncilVoteDto, { ...vote, present: 8.5 })).toContain('present:isInt');
    expect(await problemsOf(CouncilVoteDto, { ...vote, members: 0 })).toContain('members:min');
    expect(await problemsOf(CouncilVoteDto, { ...vote, sessionDate: '2023-02-30' })).toContain('sessionDate:isIso8601');
    expect(await problemsOf(CouncilVoteDto, { ...vote, sessionDate: '2023-03-20T00:00:00Z' })).toContain('sessionDate:matches');
  });

  it('reject needs a known reason code', async () => {
    expect(await problemsOf(RejectNominationDto, { reasonCode: 'standard_not_met', reason: 'Chưa đạt tiêu chuẩn' })).toEqual([]);
    expect(await problemsOf(RejectNominationDto, { reasonCode: 'dislike', reason: 'x' })).toContain('reasonCode:isIn');
  });

  it('bulk ids are 1–500 unique UUIDs', async () => {
    const id = '0b7d3f0e-6a7c-4f0e-9a53-2f9a1d6c1e01';
    expect(await problemsOf(BulkApproveDto, { ids: [id], comment: 'Đồng ý' })).toEqual([]);
    expect(await problemsOf(BulkApproveDto, { ids: [] })).toContain('ids:arrayMinSize');
    expect(await problemsOf(BulkApproveDto, { ids: [id, id] })).toContain('ids:arrayUnique');
    expect(await problemsOf(BulkApproveDto, { ids: ['bulk'] })).toContain('ids:isUuid');
  });

  it('a decision needs a nested signer without extra fields', async () => {
    const decision = {
      number: '125/QĐ-UBND', signedOn: '2023-03-24', signer: { name: 'Nguyễn Văn Minh', title: 'Chủ tịch UBND huyện' },
      reason: 'Đã có thành tích xuất sắc trong phong trào thi đua năm 2022', nominationIds: ['0b7d3f0e-6a7c-4f0e-9a53-2f9a1d6c1e01'],
    };
    expect(await problemsOf(IssueDecisionDto, decision)).toEqual([]);
    expect(await problemsOf(IssueDecisionDto, { ...decision, signer: { ...decision.signer, seal: true } })).toContain('signer.seal:whitelistValidation');
    expect(await problemsOf(IssueDecisionDto, { ...decision, number: 'x'.repeat(51) })).toContain('number:isLength');
  });

  it('asOf must be an instant with a zone', async () => {
    expect(await problemsOf(NominationAtQueryDto, { asOf: '2023-03-21T08:00:00Z' })).toEqual([]);
    expect(await problemsOf(NominationAtQueryDto, { asOf: '2023-03-21' })).toContain('asOf:matches');
    expect(await problemsOf(NominationAtQueryDto, { revision: '-1' })).toContain('revision:matches');
  });
});

describe('PUT /units body', () => {
  const pipe = new ArrayBodyPipe(UnitRecordDto, 3);
  const unit = { codeSet: 'gso-2025', code: '03814', name: 'Xã Chiềng Lao', level: 'commune', parentCode: '14' };

  it('accepts units, a province with a null parent', async () => {
    await expect(pipe.transform([unit, { ...unit, code: '14', name: 'Tỉnh Sơn La', level: 'province', parentCode: null }])).resolves.toHaveLength(2);
  });

  it.each([
    ['a non-array', unit],
    ['too many items', [unit, unit, unit, unit]],
    ['an unknown field', [{ ...unit, population: 1 }]],
    ['a bad code', [{ ...unit, code: 'ABC' }]],
    ['a missing parent', [{ ...unit, parentCode: undefined }]],
    ['a string item', [JSON.stringify(unit)]],
  ])('rejects %s', async (_name, body) => {
    await expect(pipe.transform(body)).rejects.toBeInstanceOf(ProblemError);
  });
});

describe('If-Match', () => {
  it.each([
    [undefined, undefined],
    ['*', undefined],
    ['"3"', 3],
    ['W/"12"', 12],
  ])('%s → %s', (header, expected) => {
    expect(expectedRevisionFrom(header)).toBe(expected);
  });

  it.each(['3', '"a"', '"1", "2"', ''])('refuses %j', (header) => {
    expect(() => expectedRevisionFrom(header)).toThrow(ProblemError);
  });
});
