import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsObject, ValidateNested } from 'class-validator';
import { NOMINEE_KINDS, REVOCATION_GROUNDS, type RevocationGround } from '@app/nomination';
import { ActorRefDto } from '../nominations/nomination-view.dto';
import { CalendarDate, Text, UuidList } from '../http/validation-rules';

const MAX_NOMINATIONS = 500;
const EXAMPLE_IDS = ['0b7d3f0e-6a7c-4f0e-9a53-2f9a1d6c1e01', '5e2c9a41-8f3b-4d6e-a1c7-93b0d2e4f512'];

export class SignerDto {
  @ApiProperty({ minLength: 1, maxLength: 200, example: 'Nguyễn Văn Minh' })
  @Text(1, 200)
  readonly name: string;

  @ApiProperty({ minLength: 1, maxLength: 200, example: 'Chủ tịch UBND huyện' })
  @Text(1, 200)
  readonly title: string;
}

export class IssueDecisionDto {
  @ApiProperty({
    minLength: 1, maxLength: 50, example: '125/QĐ-UBND',
    description: 'Unique per issuing unit and calendar year of signing (among award decisions and revocations), compared after folding case, diacritics, invisible characters and look-alike letters. A number not like n/QĐ-… is accepted with a warning.',
  })
  @Text(1, 50)
  readonly number: string;

  @ApiProperty({ format: 'date', example: '2023-03-24' })
  @CalendarDate()
  readonly signedOn: string;

  @ApiProperty({ type: SignerDto })
  @IsObject()
  @ValidateNested()
  @Type(() => SignerDto)
  readonly signer: SignerDto;

  @ApiProperty({ minLength: 1, maxLength: 2000, example: 'Đã có thành tích xuất sắc trong phong trào thi đua năm 2022' })
  @Text(1, 2000)
  readonly reason: string;

  @ApiProperty({ type: [String], format: 'uuid', minItems: 1, maxItems: MAX_NOMINATIONS, uniqueItems: true, example: EXAMPLE_IDS })
  @UuidList(MAX_NOMINATIONS)
  readonly nominationIds: string[];
}

export class RevokeDecisionDto {
  @ApiProperty({ type: [String], format: 'uuid', minItems: 1, maxItems: MAX_NOMINATIONS, uniqueItems: true, example: EXAMPLE_IDS.slice(0, 1) })
  @UuidList(MAX_NOMINATIONS)
  readonly nominationIds: string[];

  @ApiProperty({ enum: REVOCATION_GROUNDS, example: 'false_declaration' })
  @IsIn(REVOCATION_GROUNDS)
  readonly ground: RevocationGround;

  @ApiProperty({ minLength: 1, maxLength: 2000, example: 'Kê khai thành tích không đúng sự thật, thu hồi tiền thưởng.' })
  @Text(1, 2000)
  readonly reason: string;

  @ApiProperty({ minLength: 1, maxLength: 50, example: '210/QĐ-UBND', description: 'Number of the revoking decision (required: a revocation is itself a decision), unique per revoking unit and calendar year of signing among its award decisions and revocations (409 decision_number_taken).' })
  @Text(1, 50)
  readonly number: string;

  @ApiProperty({ format: 'date', example: '2023-06-01', description: 'Signing date of the revoking decision; not before the revoked one.' })
  @CalendarDate()
  readonly signedOn: string;
}

// OpenAPI only: the shape of DecisionView (@app/application).

export class RevocationEntryDto {
  @ApiProperty({ format: 'uuid' }) readonly revocationId: string;
  @ApiProperty({ enum: REVOCATION_GROUNDS, example: 'false_declaration' }) readonly ground: string;
  @ApiProperty({ example: '2023-06-01T08:00:00.000Z' }) readonly at: string;
}

export class DecisionNominationDto {
  @ApiProperty({ format: 'uuid' }) readonly nominationId: string;
  @ApiProperty({ example: 'GIAY_KHEN_HUYEN' }) readonly awardCode: string;
  @ApiProperty({ enum: NOMINEE_KINDS, example: 'collective' }) readonly nomineeKind: string;
  @ApiProperty({ example: 'Trường Tiểu học Chiềng Lao' }) readonly nomineeName: string;
  @ApiProperty({ example: 0.6, description: 'Multiple of the base salary.' }) readonly bonusMultiple: number;
  @ApiProperty({ example: 1490000, description: 'VND per month: the base salary in force on the signing date.' }) readonly baseSalary: number;
  @ApiProperty({ example: 900000, description: 'VND: bonusMultiple × baseSalary rounded up to the next 10,000.' }) readonly bonusAmount: number;
  @ApiPropertyOptional({ type: RevocationEntryDto }) readonly revoked?: RevocationEntryDto;
}

export class WarningDto {
  @ApiProperty({ example: 'decision_number_format' }) readonly code: string;
  @ApiProperty() readonly message: string;
}

export class RecoveryLineDto {
  @ApiProperty({ format: 'uuid' }) readonly nominationId: string;
  @ApiProperty({ example: 11920000, description: 'VND to recover.' }) readonly bonusAmount: number;
  @ApiProperty({ type: [String], enum: ['certificate', 'flag'], example: ['flag', 'certificate'] }) readonly items: string[];
}

export class RevokingUnitDto {
  @ApiProperty({ example: 'gso-2025' }) readonly codeSet: string;
  @ApiProperty({ example: '14' }) readonly unit: string;
}

export class RevocationDto {
  @ApiProperty({ format: 'uuid' }) readonly revocationId: string;
  @ApiProperty({ example: '210/QĐ-UBND' }) readonly number: string;
  @ApiProperty({ format: 'date', example: '2023-06-01' }) readonly signedOn: string;
  @ApiProperty({ type: RevokingUnitDto, description: 'The issuing unit, or its successor once it was abolished (2025 reform).' }) readonly revokingUnit: RevokingUnitDto;
  @ApiProperty({ enum: REVOCATION_GROUNDS }) readonly ground: string;
  @ApiProperty() readonly reason: string;
  @ApiProperty({ type: [String], format: 'uuid' }) readonly nominationIds: string[];
  @ApiProperty({ example: 11920000 }) readonly bonusToRecover: number;
  @ApiProperty({ type: [RecoveryLineDto] }) readonly recovery: RecoveryLineDto[];
  @ApiProperty() readonly at: string;
  @ApiProperty({ type: ActorRefDto }) readonly by: ActorRefDto;
}

export class DecisionViewDto {
  @ApiPropertyOptional({ example: '74123400003', description: 'After a command: the log position it left behind; send it back as minPosition.' })
  readonly position?: string;
  @ApiProperty({ format: 'uuid' }) readonly id: string;
  @ApiProperty({ example: '125/QĐ-UBND', description: 'As written.' }) readonly number: string;
  @ApiProperty({ type: [WarningDto], description: 'decision_number_format when the number does not look like n/QĐ-….' }) readonly warnings: WarningDto[];
  @ApiProperty({ example: 1490000, description: 'VND per month, in force on signedOn.' }) readonly baseSalary: number;
  @ApiProperty({ format: 'date', example: '2023-03-24' }) readonly signedOn: string;
  @ApiProperty({ type: SignerDto }) readonly signer: SignerDto;
  @ApiProperty({ example: 'gso-2004' }) readonly codeSet: string;
  @ApiProperty({ example: '120' }) readonly issuingUnit: string;
  @ApiProperty({
    type: RevokingUnitDto,
    description: 'The unit whose deciders may revoke it today: the issuing unit, or its successor once the 2025 reform abolished it.',
  }) readonly revocableBy: RevokingUnitDto;
  @ApiProperty({ example: 'Đã có thành tích xuất sắc trong phong trào thi đua năm 2022' }) readonly reason: string;
  @ApiProperty({ type: [DecisionNominationDto] }) readonly nominations: DecisionNominationDto[];
  @ApiProperty({ example: 50544000, description: 'VND.' }) readonly bonusTotal: number;
  @ApiProperty({ type: [RevocationDto] }) readonly revocations: RevocationDto[];
  @ApiProperty({ example: '2023-03-24T08:00:00.000Z' }) readonly issuedAt: string;
  @ApiProperty({ type: ActorRefDto }) readonly issuedBy: ActorRefDto;
}
