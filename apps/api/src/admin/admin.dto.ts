import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsBoolean, IsIn, IsString, MaxLength, ValidateIf } from 'class-validator';
import { CODE_SETS, type CodeSet, type Role, ROLES } from '@app/auth';
import { OptionalField, Text, UnitCode } from '../http/validation-rules';
import { IsEmailAddress } from '../http/email-address.decorator';
import { FreshQueryDto } from '../http/query.dto';
import { UNIT_LEVELS } from '../reference-data/reference-data.dto';

export const MAX_UNITS_PER_REQUEST = 5000;
export const LOCALES = ['vi', 'en'] as const;
export const NOTIFICATION_PREFERENCES = ['immediate', 'daily_digest'] as const;

export class UnitRecordDto {
  @ApiProperty({ enum: CODE_SETS, example: 'gso-2025' })
  @IsIn(CODE_SETS)
  readonly codeSet: CodeSet;

  @ApiProperty({ pattern: '^\\d{2,5}$', example: '03814' })
  @UnitCode()
  readonly code: string;

  @ApiProperty({ minLength: 1, maxLength: 200, example: 'Xã Chiềng Lao' })
  @Text(1, 200)
  readonly name: string;

  @ApiProperty({ enum: UNIT_LEVELS, example: 'commune' })
  @IsIn(UNIT_LEVELS)
  readonly level: (typeof UNIT_LEVELS)[number];

  @ApiProperty({ type: String, nullable: true, pattern: '^\\d{2,5}$', example: '14', description: 'null only for a province.' })
  // Required but nullable: undefined is refused, null skips the code check.
  @ValidateIf((_object: object, value: unknown) => value !== null)
  @UnitCode()
  readonly parentCode: string | null;
}

export class StaffDto {
  @ApiProperty({ minLength: 1, maxLength: 200, example: 'Lò Văn Thành' })
  @Text(1, 200)
  readonly name: string;

  @ApiProperty({ maxLength: 254, example: 'thanh.lv@muongla.sonla.gov.vn' })
  @IsString()
  @MaxLength(254)
  @IsEmailAddress()
  readonly email: string;

  @ApiProperty({ example: '120' })
  @UnitCode()
  readonly unit: string;

  @ApiPropertyOptional({ enum: CODE_SETS, example: 'gso-2004', description: 'Default: the code set of the rule set in force.' })
  @OptionalField()
  @IsIn(CODE_SETS)
  readonly codeSet?: CodeSet;

  @ApiProperty({ enum: ROLES, isArray: true, example: ['officer'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(ROLES.length)
  @ArrayUnique()
  @IsIn(ROLES, { each: true })
  readonly roles: Role[];

  @ApiProperty({ enum: LOCALES, example: 'vi', description: 'Language of the e-mails this person receives.' })
  @IsIn(LOCALES)
  readonly locale: (typeof LOCALES)[number];

  @ApiProperty({ example: true, description: 'Only active staff are notified.' })
  @IsBoolean()
  readonly active: boolean;

  @ApiPropertyOptional({
    enum: NOTIFICATION_PREFERENCES, default: 'immediate', example: 'daily_digest',
    description: '`immediate`: one e-mail per event. `daily_digest`: one e-mail each working day at 07:30 Vietnam time listing what arrived and what falls due. Omitted: `immediate`.',
  })
  @OptionalField()
  @IsIn(NOTIFICATION_PREFERENCES)
  readonly notifications?: (typeof NOTIFICATION_PREFERENCES)[number];
}

export class StaffQueryDto extends FreshQueryDto {
  @ApiPropertyOptional({ example: '120' })
  @OptionalField()
  @UnitCode()
  readonly unit?: string;
}

// OpenAPI only.

export class UpsertedUnitsDto {
  @ApiProperty({ example: 9 }) readonly upserted: number;
}

export class StaffMemberDto extends StaffDto {
  @ApiProperty({ example: 'muongla-noivu-01' }) readonly id: string;
  @ApiProperty({ example: '2023-03-01T01:00:00.000Z' }) readonly updatedAt: string;
}

export class StaffListDto {
  @ApiProperty({ type: [StaffMemberDto] }) readonly items: StaffMemberDto[];
}
