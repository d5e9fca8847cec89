import { Controller, Get, Headers, Query, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { type Actor, CurrentActor } from '@app/auth';
import { type AwardsReport, AwardsReportQuery, type StagesReport, StagesReportQuery, toCsv } from '@app/read-models';
import { preferredFormat } from '../http/content-negotiation';
import { MinPosition, MinPositionDocs } from '../http/log-position';
import { ApiProblemResponses } from '../http/problem-responses';
import { ApiCsvResponse } from '../openapi/csv-response';
import { AwardsReportDto, AwardsReportQueryDto, StagesReportDto, StagesReportQueryDto } from './reading.dto';

@ApiTags('reports')
@ApiBearerAuth('bearer')
@Controller('reports')
export class ReportsController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get('awards')
  @ApiOperation({
    summary: 'Awards by award, nominee kind and gender · Thống kê khen thưởng',
    description: 'Awarded nominations (not revoked) proposed at or under `unit`, counted with bonus totals (VND). '
      + '`Accept: text/csv` gives RFC 4180 CSV in UTF-8 with a BOM.',
  })
  @ApiHeader({ name: 'Accept', required: false, description: 'application/json (default) or text/csv' })
  @ApiCsvResponse({
    description: 'The report\'s rows, one line each (`unit`, `level`, `year` only when `by` asks for them), without the totals.',
    header: 'awardCode,awardName,nomineeKind,gender,(unit,)?(level,)?(year,)?count,bonusTotal',
    example: '\uFEFFawardCode,awardName,nomineeKind,gender,count,bonusTotal\r\n'
      + 'GIAY_KHEN_HUYEN,Giấy khen của Chủ tịch UBND cấp huyện,individual,female,2,900000\r\n'
      + 'GIAY_KHEN_HUYEN,Giấy khen của Chủ tịch UBND cấp huyện,individual,male,1,450000\r\n',
  })
  @MinPositionDocs()
  @ApiOkResponse({ type: AwardsReportDto, description: 'The report, or (Accept: text/csv) its rows as CSV.' })
  @ApiProblemResponses([400, 401, 429, 503])
  async awards(
    @Query() query: AwardsReportQueryDto,
    @CurrentActor() actor: Actor,
    @MinPosition() minPosition: bigint | undefined,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AwardsReport | string> {
    const by = query.by === undefined ? undefined : (query.by.split(',') as ('unit' | 'level' | 'year')[]);
    const report: AwardsReport = await this.queryBus.execute(new AwardsReportQuery(actor, {
      ...(query.unit !== undefined ? { unit: query.unit } : {}), ...(query.year !== undefined ? { year: Number(query.year) } : {}),
      ...(query.ruleSet !== undefined ? { ruleSet: query.ruleSet } : {}), ...(by !== undefined ? { by } : {}),
    }, { minPosition }));
    if (preferredFormat(accept) !== 'csv') return report;
    const extra = (['unit', 'level', 'year'] as const).filter((d) => by?.includes(d));
    void reply.header('content-type', 'text/csv; charset=utf-8');
    void reply.header('content-disposition', `attachment; filename="awards-${report.unit}${report.year === null ? '' : `-${report.year}`}.csv"`);
    return toCsv(
      ['awardCode', 'awardName', 'nomineeKind', 'gender', ...extra, 'count', 'bonusTotal'],
      report.rows.map((r) => [r.awardCode, r.awardName, r.nomineeKind, r.gender ?? '', ...extra.map((d) => r[d] ?? ''), r.count, r.bonusTotal]),
    );
  }

  @Get('stages')
  @ApiOperation({
    summary: 'Stage timings · Thời gian xử lý theo cấp',
    description: 'Per stage unit at or under `unit`: in review now, overdue, finished (late), median working days of finished stays.',
  })
  @MinPositionDocs()
  @ApiOkResponse({ type: StagesReportDto })
  @ApiProblemResponses([400, 401, 429, 503])
  async stages(@Query() query: StagesReportQueryDto, @CurrentActor() actor: Actor, @MinPosition() minPosition: bigint | undefined): Promise<StagesReport> {
    return this.queryBus.execute(new StagesReportQuery(actor, { ...(query.unit !== undefined ? { unit: query.unit } : {}) }, { minPosition }));
  }
}
