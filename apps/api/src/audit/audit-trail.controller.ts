import { Readable } from 'node:stream';
import { Controller, Get, Headers, Inject, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { type Actor, CurrentActor, Roles } from '@app/auth';
import { AuditTrailQueries, type AuditEventFilter, type AuditEventItem, type AuditReadItem, type Page } from '@app/audit-trail';
import { ROOT_LOGGER } from '@app/platform';
import { ReadModelFreshness } from '@app/read-models';
import { preferredFormat } from '../http/content-negotiation';
import { MinPosition, MinPositionDocs } from '../http/log-position';
import { ApiReadProblemResponses } from '../http/problem-responses';
import { ApiCsvResponse } from '../openapi/csv-response';
import { AuditEventPageDto, AuditEventsQueryDto, AuditReadPageDto, AuditReadsQueryDto } from './audit-trail.dto';

const AUDIT_EVENTS_MODEL = 'audit-events';

function filterOf(query: AuditEventsQueryDto): AuditEventFilter {
  return {
    ...(query.nominationId === undefined ? {} : { nominationId: query.nominationId.toLowerCase() }),
    ...(query.decisionId === undefined ? {} : { decisionId: query.decisionId.toLowerCase() }),
    ...(query.actor === undefined ? {} : { actor: query.actor }),
    ...(query.unit === undefined ? {} : { unit: query.unit }),
    ...(query.type === undefined ? {} : { types: [...new Set(query.type.split(','))] }),
    ...(query.from === undefined ? {} : { from: new Date(query.from) }),
    ...(query.to === undefined ? {} : { to: new Date(query.to) }),
  };
}

/** What a read is recorded with: the filter as given (dates as ISO text), never the cursor. */
function recordedFilter(filter: AuditEventFilter): Record<string, unknown> {
  return {
    ...filter,
    ...(filter.from === undefined ? {} : { from: filter.from.toISOString() }),
    ...(filter.to === undefined ? {} : { to: filter.to.toISOString() }),
  };
}

/**
 * The audit trail (API.md, Audit): who did what, when, on whose authority, within the auditor's
 * jurisdiction, as pages or as one CSV export; and the record of who read it.
 */
@ApiTags('audit')
@ApiBearerAuth('bearer')
@Controller('audit')
export class AuditTrailController {
  private readonly logger: Logger;

  constructor(
    private readonly queries: AuditTrailQueries,
    private readonly freshness: ReadModelFreshness,
    @Inject(ROOT_LOGGER) logger: Logger,
  ) {
    this.logger = logger.child({ component: 'audit-trail' });
  }

  @Get('events')
  @Roles('auditor')
  @ApiOperation({
    summary: 'The audit trail · Nhật ký kiểm tra',
    description:
      'Events of the nominations the caller reads (proposed at or under the caller\'s unit as the unit tree stood when each was created) and of the decisions '
      + 'issued at or under it (as recorded when issued), oldest first. `from` (inclusive) and `to` (exclusive) are instants with a zone and bound the recorded time. ' +
      'With Accept: text/csv every matching row streams as RFC 4180 CSV (UTF-8 with a BOM) from a database cursor. Every read is recorded (GET /audit/reads).',
  })
  @ApiCsvResponse({
    description: 'Every matching event, oldest first (`limit` and `cursor` do not apply); `actorRoles` space-separated, `data` the event\'s JSON.',
    header: 'position,streamId,revision,type,at,actorId,actorName,actorUnit,actorRoles,nominationId,decisionId,data',
    example: '\uFEFFposition,streamId,revision,type,at,actorId,actorName,actorUnit,actorRoles,nominationId,decisionId,data\r\n'
      + '81234500001,nomination-3f0c9a52-8d1e-4b7a-9c3e-2a5d7f1b6e40,2,StageApproved,2023-03-02T02:15:00.000Z,o-03814,Cầm Văn Thanh,03814,officer,'
      + '3f0c9a52-8d1e-4b7a-9c3e-2a5d7f1b6e40,,"{""comment"":""Đồng ý""}"\r\n',
  })
  @ApiOkResponse({ type: AuditEventPageDto, description: 'A page, or (Accept: text/csv) every row as CSV.' })
  @ApiReadProblemResponses()
  @MinPositionDocs()
  async events(
    @Query() query: AuditEventsQueryDto,
    @CurrentActor() actor: Actor,
    @MinPosition() minPosition: bigint | undefined,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Page<AuditEventItem> | Readable> {
    await this.freshness.waitFor([AUDIT_EVENTS_MODEL], minPosition);
    const filter = filterOf(query);
    if (preferredFormat(accept) === 'csv') return this.csv(actor, filter, reply);
    const page = await this.queries.events(actor, filter, query.cursor, query.limit ?? 50);
    await this.queries.recordRead({ actor, resource: 'audit-events', format: 'json', filter: recordedFilter(filter), rows: page.items.length, complete: true });
    return page;
  }

  @Get('reads')
  @Roles('auditor', 'admin')
  @ApiOperation({
    summary: 'Who read the audit trail · Ai đã xem nhật ký kiểm tra',
    description: 'Newest first. An administrator sees every read; an auditor the reads of users of their unit or a unit under it.',
  })
  @ApiOkResponse({ type: AuditReadPageDto })
  @ApiReadProblemResponses()
  async reads(@Query() query: AuditReadsQueryDto, @CurrentActor() actor: Actor): Promise<Page<AuditReadItem>> {
    return this.queries.reads(
      actor,
      {
        ...(query.actor === undefined ? {} : { actor: query.actor }),
        ...(query.from === undefined ? {} : { from: new Date(query.from) }),
        ...(query.to === undefined ? {} : { to: new Date(query.to) }),
      },
      query.cursor,
      query.limit ?? 50,
    );
  }

  private async csv(actor: Actor, filter: AuditEventFilter, reply: FastifyReply): Promise<Readable> {
    // Checked before the first byte, so a unit outside the jurisdiction is still a 403 problem; and
    // recorded before the first row, so an export is on record even if the process dies during it.
    await this.queries.scopeOf(actor, filter.unit);
    const readId = await this.queries.recordRead({ actor, resource: 'audit-events', format: 'csv', filter: recordedFilter(filter), rows: 0, complete: false });
    let rows = 0;
    let complete = false;
    const queries = this.queries;
    const logger = this.logger;
    async function* body(): AsyncGenerator<string> {
      try {
        yield* queries.eventsCsv(actor, filter, (sent) => {
          rows = sent;
        });
        complete = true;
      } finally {
        await queries
          .finishRead(readId, rows, complete)
          .catch((error: unknown) => logger.error({ err: error }, 'audit: could not record an export'));
      }
    }
    void reply
      .header('content-type', 'text/csv; charset=utf-8; header=present')
      .header('content-disposition', 'attachment; filename="audit-events.csv"');
    return Readable.from(body(), { objectMode: false });
  }
}
