import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, Length, Matches } from 'class-validator';
import { NOMINEE_KINDS } from '@app/nomination';
import { ActorRefDto, CurrentStageDto, DecidingStageDto } from '../nominations/nomination-view.dto';
import { SignerDto } from '../decisions/decisions.dto';
import { OptionalField, UnitCode } from '../http/validation-rules';
import { FreshQueryDto, PageQueryDto } from '../http/query.dto';

const STATUSES = ['draft', 'in_review', 'returned', 'approved', 'not_awarded', 'withdrawn', 'awarded', 'revoked'];

const YEAR = /^(19|20)\d{2}$/;
const CODE = /^[A-Z][A-Z0-9_]{0,63}$/;
const LEVEL = /^[a-z_]{1,40}$/;

export class ListNominationsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: STATUSES }) @OptionalField() @IsIn(STATUSES) readonly status?: string;
  @ApiPropertyOptional({ example: '120', description: 'Route passes through this unit, or the proposing unit is under it (within your jurisdiction).' })
  @OptionalField() @UnitCode() readonly unit?: string;
  @ApiPropertyOptional({ example: 'district', description: 'Level of the stage where the nomination is now in review.' })
  @OptionalField() @IsString() @Matches(LEVEL) readonly level?: string;
  @ApiPropertyOptional({ example: 'province', description: 'Level of the deciding unit.' })
  @OptionalField() @IsString() @Matches(LEVEL) readonly decidingLevel?: string;
  @ApiPropertyOptional({ example: 'GIAY_KHEN_HUYEN' }) @OptionalField() @IsString() @Matches(CODE) readonly awardCode?: string;
  @ApiPropertyOptional({ example: '2022' }) @OptionalField() @IsString() @Matches(YEAR, { message: '$property must be a year' }) readonly year?: string;
  @ApiPropertyOptional({ example: 'vn-2017' }) @OptionalField() @IsString() @Matches(/^[a-z0-9-]{1,40}$/) readonly ruleSet?: string;
  @ApiPropertyOptional({ example: 'nguyen thi hang', description: 'Nominee name; case and Vietnamese diacritics ignored; every word must appear.' })
  @OptionalField() @IsString() @Length(1, 200) readonly q?: string;
}

export class NominationSummaryNomineeDto {
  @ApiProperty({ enum: NOMINEE_KINDS }) readonly kind: string;
  @ApiProperty({ example: 'Nguyễn Thị Hằng Ánh' }) readonly name: string;
  @ApiPropertyOptional({ enum: ['female', 'male'] }) readonly gender?: string;
  @ApiPropertyOptional({ example: 'UBND xã Chiềng Lao' }) readonly organization?: string;
}

export class NominationSummaryDto {
  @ApiProperty({ format: 'uuid' }) readonly id: string;
  @ApiProperty({ example: 3 }) readonly revision: number;
  @ApiProperty({ example: '74123400003' }) readonly position: string;
  @ApiProperty({ example: 'vn-2017' }) readonly ruleSet: string;
  @ApiProperty({ example: 'gso-2004' }) readonly codeSet: string;
  @ApiProperty({ example: 'GIAY_KHEN_HUYEN' }) readonly awardCode: string;
  @ApiProperty({ example: 'Giấy khen của Chủ tịch UBND cấp huyện' }) readonly awardName: string;
  @ApiProperty({ example: 2022 }) readonly year: number;
  @ApiProperty({ type: NominationSummaryNomineeDto }) readonly nominee: NominationSummaryNomineeDto;
  @ApiProperty({ example: '03814' }) readonly proposingUnit: string;
  @ApiProperty({ enum: STATUSES }) readonly status: string;
  @ApiProperty({ type: CurrentStageDto, nullable: true }) readonly currentStage: CurrentStageDto | null;
  @ApiProperty({ type: DecidingStageDto }) readonly deciding: DecidingStageDto;
  @ApiProperty({ description: 'In review past the current stage\'s due date.' }) readonly overdue: boolean;
  @ApiProperty() readonly createdAt: string;
  @ApiProperty() readonly updatedAt: string;
}

export class NominationPageDto {
  @ApiProperty({ type: [NominationSummaryDto] }) readonly items: NominationSummaryDto[];
  @ApiProperty({ type: String, nullable: true }) readonly nextCursor: string | null;
}

export class InboxItemDto {
  @ApiProperty({ format: 'uuid' }) readonly nominationId: string;
  @ApiProperty({ enum: ['officer', 'decider', 'proposer'], description: 'officer: review at your stage; decider: decide; proposer: supplement and resubmit.' })
  readonly waitingFor: string;
  @ApiProperty({ enum: STATUSES }) readonly status: string;
  @ApiProperty() readonly awardCode: string;
  @ApiProperty() readonly awardName: string;
  @ApiProperty() readonly year: number;
  @ApiProperty({ type: NominationSummaryNomineeDto }) readonly nominee: NominationSummaryNomineeDto;
  @ApiProperty() readonly proposingUnit: string;
  @ApiProperty({ description: 'Where it waits.' }) readonly unit: string;
  @ApiProperty({ type: String, nullable: true }) readonly unitName: string | null;
  @ApiProperty({ type: String, nullable: true }) readonly level: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date' }) readonly dueOn: string | null;
  @ApiProperty() readonly overdue: boolean;
  @ApiProperty({ type: String, nullable: true }) readonly since: string | null;
  @ApiProperty() readonly revision: number;
  @ApiProperty() readonly position: string;
}

export class InboxPageDto {
  @ApiProperty({ type: [InboxItemDto] }) readonly items: InboxItemDto[];
  @ApiProperty({ type: String, nullable: true }) readonly nextCursor: string | null;
}

export class ListDecisionsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ example: '120', description: 'Issuing unit at or under this one (default: yours).' }) @OptionalField() @UnitCode() readonly unit?: string;
  @ApiPropertyOptional({ example: '2023', description: 'Year of signing.' }) @OptionalField() @IsString() @Matches(YEAR, { message: '$property must be a year' }) readonly year?: string;
}

export class DecisionSummaryDto {
  @ApiProperty({ format: 'uuid' }) readonly id: string;
  @ApiProperty({ example: '125/QĐ-UBND' }) readonly number: string;
  @ApiProperty({ format: 'date' }) readonly signedOn: string;
  @ApiProperty({ type: SignerDto }) readonly signer: SignerDto;
  @ApiProperty() readonly codeSet: string;
  @ApiProperty() readonly issuingUnit: string;
  @ApiProperty() readonly reason: string;
  @ApiProperty() readonly nominationCount: number;
  @ApiProperty() readonly revokedCount: number;
  @ApiProperty({ description: 'VND.' }) readonly bonusTotal: number;
  @ApiProperty() readonly issuedAt: string;
  @ApiProperty({ type: ActorRefDto }) readonly issuedBy: ActorRefDto;
}

export class DecisionPageDto {
  @ApiProperty({ type: [DecisionSummaryDto] }) readonly items: DecisionSummaryDto[];
  @ApiProperty({ type: String, nullable: true }) readonly nextCursor: string | null;
}

export class AwardsReportQueryDto extends FreshQueryDto {
  @ApiPropertyOptional({ example: '120', description: 'Count nominations proposed at or under this unit (default: yours).' }) @OptionalField() @UnitCode() readonly unit?: string;
  @ApiPropertyOptional({ example: '2022', description: 'Year of the achievements.' }) @OptionalField() @IsString() @Matches(YEAR, { message: '$property must be a year' }) readonly year?: string;
  @ApiPropertyOptional({ example: 'vn-2017' }) @OptionalField() @IsString() @Matches(/^[a-z0-9-]{1,40}$/) readonly ruleSet?: string;
  @ApiPropertyOptional({ example: 'unit,level', description: 'Also group by any of unit (proposing), level, year.' })
  @OptionalField() @IsString() @Matches(/^(unit|level|year)(,(unit|level|year)){0,2}$/, { message: '$property must list unit, level, year' }) readonly by?: string;
}

export class AwardsReportRowDto {
  @ApiProperty({ example: 'GIAY_KHEN_HUYEN' }) readonly awardCode: string;
  @ApiProperty() readonly awardName: string;
  @ApiProperty({ enum: NOMINEE_KINDS }) readonly nomineeKind: string;
  @ApiPropertyOptional({ enum: ['female', 'male'], description: 'Individuals only.' }) readonly gender?: string;
  @ApiPropertyOptional({ description: 'With by=unit: the proposing unit.' }) readonly unit?: string;
  @ApiPropertyOptional({ description: 'With by=level.' }) readonly level?: string;
  @ApiPropertyOptional({ description: 'With by=year.' }) readonly year?: number;
  @ApiProperty({ example: 27 }) readonly count: number;
  @ApiProperty({ example: 80460000, description: 'VND.' }) readonly bonusTotal: number;
}

export class AwardsReportDto {
  @ApiProperty() readonly unit: string;
  @ApiProperty() readonly codeSet: string;
  @ApiProperty({ type: Number, nullable: true }) readonly year: number | null;
  @ApiProperty({ type: String, nullable: true }) readonly ruleSet: string | null;
  @ApiProperty({ type: [AwardsReportRowDto] }) readonly rows: AwardsReportRowDto[];
  @ApiProperty({ type: 'object', properties: { count: { type: 'number' }, bonusTotal: { type: 'number' } } }) readonly totals: { count: number; bonusTotal: number };
}

export class StagesReportQueryDto extends FreshQueryDto {
  @ApiPropertyOptional({ example: '120', description: 'Stage units at or under this one (default: yours).' }) @OptionalField() @UnitCode() readonly unit?: string;
}

export class StagesReportRowDto {
  @ApiProperty() readonly unit: string;
  @ApiProperty() readonly unitName: string;
  @ApiProperty() readonly level: string;
  @ApiProperty() readonly inReview: number;
  @ApiProperty({ description: 'In review past the due date.' }) readonly overdue: number;
  @ApiProperty() readonly completed: number;
  @ApiProperty({ description: 'Finished after the due date.' }) readonly completedLate: number;
  @ApiProperty({ type: Number, nullable: true, description: 'Median working days of finished stays.' }) readonly medianWorkingDays: number | null;
}

export class StagesReportDto {
  @ApiProperty() readonly unit: string;
  @ApiProperty() readonly codeSet: string;
  @ApiProperty({ format: 'date' }) readonly today: string;
  @ApiProperty({ type: [StagesReportRowDto] }) readonly rows: StagesReportRowDto[];
}
