import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { CODE_SETS, type CodeSet } from '@app/auth';
import { NOMINEE_KINDS } from '@app/nomination';
import { OptionalField, Text, UnitCode } from '../http/validation-rules';
import { FreshQueryDto } from '../http/query.dto';

export const UNIT_LEVELS = ['commune', 'district', 'province'] as const;

export class AwardTypesQueryDto extends FreshQueryDto {
  @ApiPropertyOptional({ example: 'vn-2017', description: 'Default: the rule set in force today.' })
  @OptionalField()
  @Text(1, 50)
  readonly ruleSet?: string;
}

export class UnitsQueryDto extends FreshQueryDto {
  @ApiPropertyOptional({ enum: CODE_SETS, example: 'gso-2004', description: 'Default: the code set of the rule set in force.' })
  @OptionalField()
  @IsIn(CODE_SETS)
  readonly codeSet?: CodeSet;

  @ApiPropertyOptional({ example: '120', description: 'Only the units directly under this one.' })
  @OptionalField()
  @UnitCode()
  readonly parent?: string;
}

export class UnitQueryDto extends FreshQueryDto {
  @ApiPropertyOptional({ enum: CODE_SETS, example: 'gso-2004' })
  @OptionalField()
  @IsIn(CODE_SETS)
  readonly codeSet?: CodeSet;
}

/** GET /rule-sets takes no filter; like every query it accepts minPosition. */
export class RuleSetsQueryDto extends FreshQueryDto {}

// OpenAPI only: what ReferenceDataService returns.

class LocalizedNamesDto {
  @ApiProperty({ example: 'Quy định theo Nghị định 91/2017/NĐ-CP' }) readonly vi: string;
  @ApiProperty({ example: 'Rules under Decree 91/2017/ND-CP' }) readonly en: string;
}

export class RuleSetSummaryDto {
  @ApiProperty({ example: 'vn-2017' }) readonly id: string;
  @ApiProperty({ type: LocalizedNamesDto }) readonly names: LocalizedNamesDto;
  @ApiProperty({ type: [String], example: ['Luật Thi đua, Khen thưởng 2003 (sửa đổi 2013)', 'Nghị định 91/2017/NĐ-CP'] }) readonly legalBasis: string[];
  @ApiProperty({ type: String, nullable: true, format: 'date', example: null }) readonly effectiveFrom: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date', example: '2023-12-31' }) readonly effectiveUntil: string | null;
  @ApiProperty({ enum: CODE_SETS, example: 'gso-2004' }) readonly codeSet: string;
  @ApiProperty({ example: false }) readonly inForce: boolean;
}

export class RuleSetListDto {
  @ApiProperty({ type: [RuleSetSummaryDto] }) readonly items: RuleSetSummaryDto[];
}

class ShareDto {
  @ApiProperty({ example: 2 }) readonly numerator: number;
  @ApiProperty({ example: 3 }) readonly denominator: number;
  @ApiProperty({ enum: ['at_least', 'more_than'], description: 'at_least: count ≥ share × members; more_than: strictly more (a majority is more than 1/2).' })
  readonly comparison: string;
}

export class AwardTypeDto {
  @ApiProperty({ example: 'BANG_KHEN_TINH' }) readonly code: string;
  @ApiProperty({ type: LocalizedNamesDto, example: { vi: 'Bằng khen của Chủ tịch UBND tỉnh', en: "Certificate of merit of the provincial People's Committee chairman" } })
  readonly names: LocalizedNamesDto;
  @ApiProperty({ enum: ['title', 'form'], example: 'form' }) readonly kind: string;
  @ApiProperty({ enum: NOMINEE_KINDS, isArray: true, example: ['individual', 'collective', 'household'] }) readonly nomineeKinds: string[];
  @ApiProperty({
    type: [String], example: ['commune', 'district'],
    description: 'Levels whose chairman may decide the award, lowest first; the deciding stage is the lowest unit on the route at one of them. Empty: not offered under this rule set.',
  }) readonly decidingLevels: string[];
  @ApiProperty({ example: 10 }) readonly stageDeadlineWorkingDays: number;
  @ApiProperty({ example: true }) readonly councilVoteRequired: boolean;
  @ApiProperty({ type: ShareDto }) readonly quorumShare: ShareDto;
  @ApiProperty({ type: ShareDto }) readonly approvalShare: ShareDto;
  @ApiProperty({ example: 5 }) readonly publicDisclosureWorkingDays: number;
  @ApiProperty({ example: 1 }) readonly maxSupplementRequestsPerStage: number;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number', nullable: true }, example: { individual: 1, collective: 2 } })
  readonly bonusMultiple: object;
  @ApiProperty({ type: [String], example: ['submission', 'achievement_report'] }) readonly requiredDocuments: string[];
}

export class AwardTypeListDto {
  @ApiProperty({ example: 'vn-2017' }) readonly ruleSet: string;
  @ApiProperty({ type: [AwardTypeDto] }) readonly items: AwardTypeDto[];
}

export class UnitDto {
  @ApiProperty({ enum: CODE_SETS, example: 'gso-2004' }) readonly codeSet: string;
  @ApiProperty({ example: '03814' }) readonly code: string;
  @ApiProperty({ example: 'Xã Chiềng Lao' }) readonly name: string;
  @ApiProperty({ enum: UNIT_LEVELS, example: 'commune' }) readonly level: string;
  @ApiProperty({ type: String, nullable: true, example: '120' }) readonly parentCode: string | null;
  @ApiPropertyOptional({ type: [String], example: ['Nậm Giôn', 'Chiềng Lao', 'Hua Trai'] }) readonly mergedFrom?: string[];
}

export class UnitListDto {
  @ApiProperty({ type: [UnitDto] }) readonly items: UnitDto[];
}
