import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { AwardType, UnitRecord } from '@app/nomination';
import { ReferenceDataService, type RuleSetSummary } from '@app/application';
import { ProblemError } from '../http/problem';
import { ApiReadProblemResponses } from '../http/problem-responses';
import { UNIT_CODE } from '../http/validation-rules';
import {
  AwardTypeListDto,
  AwardTypesQueryDto,
  RuleSetListDto,
  RuleSetsQueryDto,
  UnitDto,
  UnitListDto,
  UnitQueryDto,
  UnitsQueryDto,
} from './reference-data.dto';

/** Readable by every authenticated role: proposers need the catalogue and units to fill in a nomination. */
@ApiTags('reference data')
@ApiBearerAuth('bearer')
@Controller()
export class ReferenceDataController {
  constructor(private readonly referenceData: ReferenceDataService) {}

  @Get('rule-sets')
  @ApiOperation({ summary: 'Rule sets and which is in force · Các bộ quy định và bộ đang có hiệu lực' })
  @ApiOkResponse({ type: RuleSetListDto })
  @ApiReadProblemResponses()
  ruleSets(@Query() _query: RuleSetsQueryDto): { items: readonly RuleSetSummary[] } {
    return { items: this.referenceData.ruleSets() };
  }

  @Get('award-types')
  @ApiOperation({ summary: 'The award catalogue of a rule set · Danh mục hình thức, danh hiệu khen thưởng' })
  @ApiOkResponse({ type: AwardTypeListDto })
  @ApiReadProblemResponses()
  awardTypes(@Query() query: AwardTypesQueryDto): { ruleSet: string; items: readonly AwardType[] } {
    return this.referenceData.awardTypes(query.ruleSet);
  }

  @Get('units')
  @ApiOperation({ summary: 'Administrative units · Danh mục đơn vị hành chính' })
  @ApiOkResponse({ type: UnitListDto })
  @ApiReadProblemResponses()
  async units(@Query() query: UnitsQueryDto): Promise<{ items: readonly UnitRecord[] }> {
    return { items: await this.referenceData.units(query.codeSet, query.parent) };
  }

  @Get('units/:code')
  @ApiOperation({ summary: 'One administrative unit · Một đơn vị hành chính' })
  @ApiParam({ name: 'code', example: '03814', description: 'GSO code, 2 to 5 digits.' })
  @ApiOkResponse({ type: UnitDto })
  @ApiReadProblemResponses()
  async unit(@Param('code') code: string, @Query() query: UnitQueryDto): Promise<UnitRecord> {
    if (!UNIT_CODE.test(code)) throw new ProblemError('not_found', 'No such unit.');
    return this.referenceData.unit(code, query.codeSet);
  }
}
