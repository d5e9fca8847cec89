import { applyDecorators } from '@nestjs/common';
import { FreshQueryDto } from '../http/query.dto';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { plainToInstance, Transform, Type } from 'class-transformer';
import { IsEmailAddress } from '../http/email-address.decorator';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsObject,
  IsString,
  IsUrl,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import {
  DOCUMENT_KINDS,
  type DocumentKind,
  type Gender,
  GENDERS,
  NOMINEE_KINDS,
  type NomineeKind,
  REJECTION_REASON_CODES,
  type RejectionReasonCode,
} from '@app/nomination';
import { CalendarDate, OptionalField, Text, UnitCode, UuidList } from '../http/validation-rules';

const MAX_DOCUMENTS = 50;
const MAX_BULK = 500;
const SHA256 = /^[0-9a-fA-F]{64}$/;

export class NomineeDto {
  @ApiProperty({ enum: NOMINEE_KINDS, example: 'collective', description: 'Selects the shape: individual needs `gender`.' })
  @IsIn(NOMINEE_KINDS)
  readonly kind: NomineeKind;

  @ApiProperty({ minLength: 1, maxLength: 300, example: 'Trường Tiểu học Chiềng Lao' })
  @Text(1, 300)
  readonly name: string;

  @ApiPropertyOptional({ maxLength: 300, example: 'UBND xã Chiềng Lao' })
  @OptionalField()
  @Text(1, 300)
  readonly organization?: string;
}

export class IndividualNomineeDto extends NomineeDto {
  @ApiProperty({ enum: GENDERS, example: 'female' })
  @IsIn(GENDERS)
  readonly gender: Gender;

  @ApiPropertyOptional({ maxLength: 300, example: 'Giáo viên' })
  @OptionalField()
  @Text(1, 300)
  readonly position?: string;

  @ApiPropertyOptional({ maxLength: 254, example: 'lo.thi.hoa@chienglao.edu.vn', description: 'Told of the award when given.' })
  @OptionalField()
  @IsString()
  @MaxLength(254)
  @IsEmailAddress()
  readonly email?: string;
}

export class CollectiveNomineeDto extends NomineeDto {}

export class HouseholdNomineeDto extends NomineeDto {}

// In the document each shape names its own kind, so exactly one branch of the nominee's oneOf matches
// any nominee (validation still goes by the base class's rule). Applied by hand: a redeclared field
// would shadow the inherited one.
for (const [shape, kind] of [[IndividualNomineeDto, 'individual'], [CollectiveNomineeDto, 'collective'], [HouseholdNomineeDto, 'household']] as const) {
  ApiProperty({ enum: [kind], example: kind })(shape.prototype, 'kind');
}

const NOMINEE_SUBTYPES = [
  { value: IndividualNomineeDto, name: 'individual' },
  { value: CollectiveNomineeDto, name: 'collective' },
  { value: HouseholdNomineeDto, name: 'household' },
];

const NOMINEE_SHAPES = new Map<unknown, typeof NomineeDto>(NOMINEE_SUBTYPES.map(({ value, name }) => [name, value]));

/**
 * The nominee picks its class by `kind`; an unknown or missing kind falls back to the base class, whose
 * `kind` rule then refuses it, and fields of another kind (a collective's `gender`) are unknown fields.
 * Anything but a plain object (an array, null, a string) is left as it is for IsObject to refuse:
 * class-transformer's own discriminator throws on `[null]`, which was a 500.
 */
const NomineeField = (): PropertyDecorator =>
  applyDecorators(
    IsObject({ message: '$property must be an object' }),
    ValidateNested(),
    Transform(({ value }: { value: unknown }) => {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
      return plainToInstance(NOMINEE_SHAPES.get((value as { kind?: unknown }).kind) ?? NomineeDto, value);
    }),
  );

// An explicit `type` stops the generator from adding the base class as an allOf beside the oneOf.
const nomineeSchema = {
  type: Object,
  oneOf: NOMINEE_SUBTYPES.map(({ value }) => ({ $ref: getSchemaPath(value) })),
  discriminator: {
    propertyName: 'kind',
    mapping: Object.fromEntries(NOMINEE_SUBTYPES.map(({ value, name }) => [name, getSchemaPath(value)])),
  },
};

export class DocumentRefDto {
  @ApiProperty({ enum: DOCUMENT_KINDS, example: 'achievement_report' })
  @IsIn(DOCUMENT_KINDS)
  readonly kind: DocumentKind;

  @ApiProperty({ minLength: 1, maxLength: 500, example: 'Báo cáo thành tích năm học 2021-2022' })
  @Text(1, 500)
  readonly title: string;

  @ApiProperty({ pattern: '^[0-9a-fA-F]{64}$', example: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08', description: 'SHA-256 of the file, hex.' })
  @IsString()
  @Matches(SHA256, { message: '$property must be 64 hexadecimal digits' })
  readonly sha256: string;

  @ApiProperty({ maxLength: 2000, format: 'uri', example: 'https://vanban.sonla.gov.vn/ho-so/2022/bao-cao-thanh-tich.pdf' })
  @IsString()
  @MaxLength(2000)
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false }, { message: '$property must be an absolute http(s) URL' })
  readonly url: string;
}

const DocumentsField = (): PropertyDecorator =>
  applyDecorators(IsArray(), ArrayMaxSize(MAX_DOCUMENTS), ValidateNested({ each: true }), Type(() => DocumentRefDto));

// The domain bounds the year by today's date; this only keeps absurd numbers out.
const YearField = (): PropertyDecorator => applyDecorators(IsInt(), Min(1945), Max(2100));

@ApiExtraModels(IndividualNomineeDto, CollectiveNomineeDto, HouseholdNomineeDto)
export class CreateNominationDto {
  @ApiPropertyOptional({ example: 'vn-2017', description: 'Default: the rule set in force today. Pinned for life.' })
  @OptionalField()
  @Text(1, 50)
  readonly ruleSet?: string;

  @ApiProperty({ example: 'GIAY_KHEN_HUYEN', maxLength: 100 })
  @Text(1, 100)
  readonly awardCode: string;

  @ApiProperty({ type: 'integer', example: 2022, minimum: 1945, description: 'Year of the achievements.' })
  @YearField()
  readonly year: number;

  @ApiProperty({ example: '03814', pattern: '^\\d{2,5}$', description: "The caller's unit or a unit under it." })
  @UnitCode()
  readonly proposingUnit: string;

  @ApiProperty({
    ...nomineeSchema,
    example: { kind: 'collective', name: 'Trường Tiểu học Chiềng Lao', organization: 'UBND xã Chiềng Lao' },
  })
  @NomineeField()
  readonly nominee: NomineeDto;

  @ApiProperty({ minLength: 1, maxLength: 20000, example: 'Hoàn thành xuất sắc nhiệm vụ năm học 2021-2022' })
  @Text(1, 20000)
  readonly achievements: string;

  @ApiPropertyOptional({
    type: [DocumentRefDto], maxItems: MAX_DOCUMENTS,
    description: 'May be empty or absent: a draft is saved before its dossier is complete; submit names the missing required documents.',
  })
  @OptionalField()
  @DocumentsField()
  readonly documents?: DocumentRefDto[];
}

/** Each field present replaces the stored value whole; at least one must be present. */
export class UpdateNominationDto {
  @ApiPropertyOptional({
    ...nomineeSchema,
    example: { kind: 'individual', name: 'Lò Thị Hoa', gender: 'female', position: 'Giáo viên' },
  })
  @OptionalField()
  @NomineeField()
  readonly nominee?: NomineeDto;

  @ApiPropertyOptional({ minLength: 1, maxLength: 20000, example: 'Hoàn thành xuất sắc nhiệm vụ năm học 2021-2022; bổ sung số liệu thi đua.' })
  @OptionalField()
  @Text(1, 20000)
  readonly achievements?: string;

  @ApiPropertyOptional({ type: [DocumentRefDto], maxItems: MAX_DOCUMENTS })
  @OptionalField()
  @DocumentsField()
  readonly documents?: DocumentRefDto[];

  @ApiPropertyOptional({ type: 'integer', example: 2022, minimum: 1945 })
  @OptionalField()
  @YearField()
  readonly year?: number;
}

export const UPDATABLE_FIELDS = ['nominee', 'achievements', 'documents', 'year'] as const;

/** Documents the empty body of `submit`; the body itself is checked by EmptyBodyPipe. */
export class SubmitNominationDto {}

export class ReturnNominationDto {
  @ApiProperty({ minLength: 1, maxLength: 2000, example: 'Hồ sơ thiếu biên bản họp Hội đồng Thi đua - Khen thưởng xã.' })
  @Text(1, 2000)
  readonly reason: string;

  @ApiProperty({ type: [String], maxItems: 20, example: ['council_minutes'], description: 'What the proposer must supply (each ≤ 100 characters).' })
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @MaxLength(100, { each: true })
  readonly missing: string[];
}

export class CouncilVoteDto {
  @ApiProperty({ example: '2023-03-20', format: 'date' })
  @CalendarDate()
  readonly sessionDate: string;

  @ApiProperty({ example: '05/BB-HĐTĐKT', minLength: 1, maxLength: 100 })
  @Text(1, 100)
  readonly minutesNumber: string;

  @ApiProperty({ type: 'integer', example: 9, minimum: 1, maximum: 1000 })
  @IsInt()
  @Min(1)
  @Max(1000)
  readonly members: number;

  @ApiProperty({ type: 'integer', example: 8, minimum: 0, maximum: 1000 })
  @IsInt()
  @Min(0)
  @Max(1000)
  readonly present: number;

  @ApiProperty({ type: 'integer', example: 8, minimum: 0, maximum: 1000 })
  @IsInt()
  @Min(0)
  @Max(1000)
  readonly inFavour: number;

  @ApiProperty({ type: 'integer', example: 0, minimum: 0, maximum: 1000 })
  @IsInt()
  @Min(0)
  @Max(1000)
  readonly against: number;

  @ApiPropertyOptional({
    type: 'integer', example: 1, minimum: 0, maximum: 1000,
    description: 'Written opinions in favour from absent members: they count toward the approval share, not toward the quorum (default 0).',
  })
  @OptionalField()
  @IsInt()
  @Min(0)
  @Max(1000)
  readonly writtenInFavour?: number;

  @ApiPropertyOptional({ type: 'integer', example: 0, minimum: 0, maximum: 1000, description: 'Written opinions against from absent members (default 0).' })
  @OptionalField()
  @IsInt()
  @Min(0)
  @Max(1000)
  readonly writtenAgainst?: number;
}

export class ApproveNominationDto {
  @ApiPropertyOptional({ maxLength: 2000, example: 'Đủ điều kiện, đề nghị cấp trên xem xét khen thưởng.' })
  @OptionalField()
  @Text(0, 2000)
  readonly comment?: string;
}

export class RejectNominationDto {
  @ApiProperty({ enum: REJECTION_REASON_CODES, example: 'standard_not_met' })
  @IsIn(REJECTION_REASON_CODES)
  readonly reasonCode: RejectionReasonCode;

  @ApiProperty({ minLength: 1, maxLength: 2000, example: 'Chưa đạt tiêu chuẩn "Tập thể lao động tiên tiến" theo quy định.' })
  @Text(1, 2000)
  readonly reason: string;
}

export class WithdrawNominationDto {
  @ApiProperty({ minLength: 1, maxLength: 2000, example: 'Đơn vị rút hồ sơ để bổ sung thành tích năm sau.' })
  @Text(1, 2000)
  readonly reason: string;
}

const BulkIds = (): PropertyDecorator =>
  applyDecorators(
    ApiProperty({ type: [String], format: 'uuid', minItems: 1, maxItems: MAX_BULK, uniqueItems: true, example: ['0b7d3f0e-6a7c-4f0e-9a53-2f9a1d6c1e01'] }),
    UuidList(MAX_BULK),
  );

export class BulkApproveDto extends ApproveNominationDto {
  @BulkIds()
  readonly ids: string[];
}

export class BulkReturnDto extends ReturnNominationDto {
  @BulkIds()
  readonly ids: string[];
}

export class BulkRejectDto extends RejectNominationDto {
  @BulkIds()
  readonly ids: string[];
}

export class NominationAtQueryDto extends FreshQueryDto {
  @ApiPropertyOptional({ example: '2023-03-21T08:00:00Z', description: 'The view as it was at this instant.' })
  @OptionalField()
  @IsString()
  @Matches(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/, {
    message: '$property must be an ISO 8601 instant with a time zone',
  })
  @IsISO8601({ strict: true }, { message: '$property must be an ISO 8601 instant with a time zone' })
  readonly asOf?: string;

  @ApiPropertyOptional({ example: '3', pattern: '^\\d+$', description: 'The view as it was at this revision.' })
  @OptionalField()
  @IsString()
  @Matches(/^\d{1,9}$/, { message: '$property must be a whole number' })
  readonly revision?: string;
}
