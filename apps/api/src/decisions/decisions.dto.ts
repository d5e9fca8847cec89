import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsObject, ValidateNested } from 'class-validator';
import { NOMINEE_KINDS, REVOCATION_GROUNDS, type RevocationGround } from '@app/nomination';
import { ActorRefDto } from '../nominations/nomination-view.dto';
import { CalendarDate, OptionalField, Text, UuidList } from '../http/validation-rules';

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
  @ApiProperty({ minLength: 1, maxLength: 50, example: '125/QĐ-UBND', description: 'Unique per issuing unit.' })
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

  @ApiPropertyOptional({ minLength: 1, maxLength: 50, example: '210/QĐ-UBND', description: 'Number of the revoking decision.' })
  @OptionalField()
  @Text(1, 50)
  readonly number?: string;

  @ApiPropertyOptional({ format: 'date', example: '2023-06-01' })
  @OptionalField()
  @CalendarDate()
  readonly signedOn?: string;
}

// OpenAPI only: the shape of DecisionView (@app/workflow).

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
  @ApiProperty({ example: 1872000, description: 'VND, rounded up to the thousand; 0 when not configured.' }) readonly bonusAmount: number;
  @ApiPropertyOptional({ type: RevocationEntryDto }) readonly revoked?: RevocationEntryDto;
}

export class DecisionViewDto {
  @ApiProperty({ format: 'uuid' }) readonly id: string;
  @ApiProperty({ example: '125/QĐ-UBND' }) readonly number: string;
  @ApiProperty({ format: 'date', example: '2023-03-24' }) readonly signedOn: string;
  @ApiProperty({ type: SignerDto }) readonly signer: SignerDto;
  @ApiProperty({ example: 'gso-2004' }) readonly codeSet: string;
  @ApiProperty({ example: '120' }) readonly issuingUnit: string;
  @ApiProperty({ example: 'Đã có thành tích xuất sắc trong phong trào thi đua năm 2022' }) readonly reason: string;
  @ApiProperty({ type: [DecisionNominationDto] }) readonly nominations: DecisionNominationDto[];
  @ApiProperty({ example: 50544000, description: 'VND.' }) readonly bonusTotal: number;
  @ApiProperty({ example: '2023-03-24T08:00:00.000Z' }) readonly issuedAt: string;
  @ApiProperty({ type: ActorRefDto }) readonly issuedBy: ActorRefDto;
}
