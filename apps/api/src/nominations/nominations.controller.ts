import { applyDecorators, Body, Controller, Get, Headers, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import {
  ApiBearerAuth,
  ApiBody,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { type Actor, CurrentActor, Roles } from '@app/auth';
import {
  type AsOf,
  BulkNominationActionCommand,
  type CommandEnvelope,
  CreateNominationCommand,
  type HistoryEntry,
  type NominationAction,
  NominationActionCommand,
  type NominationView,
  type BulkItemResult,
} from '@app/application';
import { ListNominationsQuery, type NominationSummary, type PageOf, ReadNominationHistoryQuery, ReadNominationQuery } from '@app/read-models';
import { Envelope } from '../http/command-envelope';
import { LOG_POSITION_HEADER, MinPosition, MinPositionDocs, setLogPosition } from '../http/log-position';
import { PageQueryDto } from '../http/query.dto';
import { ListNominationsQueryDto, NominationPageDto } from '../reading/reading.dto';
import { setETag } from '../http/etag';
import { ProblemError } from '../http/problem';
import { ETAG_HEADER, IdempotencyKeyHeader, IfMatchHeader, LOCATION_HEADER } from '../http/api-headers';
import { EmptyBodyPipe } from './empty-body.pipe';
import { BulkResultsDto, NominationHistoryDto, NominationViewDto } from './nomination-view.dto';
import {
  ApproveNominationDto,
  BulkApproveDto,
  BulkRejectDto,
  BulkReturnDto,
  CouncilVoteDto,
  CreateNominationDto,
  NominationAtQueryDto,
  RejectNominationDto,
  ReturnNominationDto,
  SubmitNominationDto,
  UpdateNominationDto,
  WithdrawNominationDto,
} from './nominations.dto';
import {
  approveActionOf,
  councilVoteActionOf,
  createInputOf,
  rejectActionOf,
  returnActionOf,
  updateActionOf,
  withdrawActionOf,
} from './nominations.input';
import { ApiProblemExamples, ApiProblemResponses } from '../http/problem-responses';
import { ResourceIdPipe } from '../http/resource-id.pipe';

const NOMINATION_ID = new ResourceIdPipe('nomination');

const IdParam = (): MethodDecorator => ApiParam({ name: 'id', format: 'uuid', description: 'Nomination id.' });

/**
 * The two 409 `invalid_transition` answers a withdrawal or a rejection has beyond the status check
 * (issue 12: a decision holds its nominations while it is issued). Each comes after every other check,
 * so who may not act on the nomination still gets its 404 or 403.
 */
const GUARDED_CONFLICTS = ApiProblemExamples(
  409,
  'A withdrawal or a rejection is also refused, as invalid_transition with `details.reason`, while a decision listing the nomination is being issued '
    + '(`decision_in_progress`: try again; the decision may award it) and once the nomination is on an issued decision (`on_issued_decision`, `details.decisionId`: '
    + 'revoke the award instead).',
  {
    decision_in_progress: {
      summary: 'A decision listing the nomination is being issued right now',
      value: {
        type: 'https://nomination-approvals.local/problems/invalid-transition', title: 'Conflict', status: 409, code: 'invalid_transition',
        detail: 'A decision listing this nomination is being issued right now; it can no longer be changed', details: { reason: 'decision_in_progress' },
      },
    },
    on_issued_decision: {
      summary: 'The nomination is listed on an issued decision',
      value: {
        type: 'https://nomination-approvals.local/problems/invalid-transition', title: 'Conflict', status: 409, code: 'invalid_transition',
        detail: 'This nomination is listed on decision 5b8e2f4a-1c3d-4e6f-8a9b-0c1d2e3f4a5b, already issued; it can no longer be changed',
        details: { reason: 'on_issued_decision', decisionId: '5b8e2f4a-1c3d-4e6f-8a9b-0c1d2e3f4a5b' },
      },
    },
  },
);

/** A command on one nomination; the body is documented by `body`, the response is the view. */
const NominationCommandDocs = (summary: string, body: new () => object, bodyRequired = true, ...extra: MethodDecorator[]): MethodDecorator =>
  applyDecorators(
    ApiOperation({ summary }),
    IdParam(),
    ApiBody({ type: body, required: bodyRequired }),
    IdempotencyKeyHeader(),
    IfMatchHeader(),
    ApiOkResponse({ type: NominationViewDto, headers: { ...ETAG_HEADER, ...LOG_POSITION_HEADER }, description: 'The nomination after the command.' }),
    ApiProblemResponses(),
    ...extra,
  );

const BulkDocs = (summary: string, body: new () => object): MethodDecorator =>
  applyDecorators(
    ApiOperation({ summary, description: 'Each id is its own command with its own outcome; at most 500 ids.' }),
    ApiBody({ type: body }),
    IdempotencyKeyHeader(),
    ApiOkResponse({ type: BulkResultsDto, headers: LOG_POSITION_HEADER }),
    ApiProblemResponses([400, 401, 403, 422, 429]),
  );

@ApiTags('nominations')
@ApiBearerAuth('bearer')
@Controller('nominations')
export class NominationsController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly queryBus: QueryBus,
  ) {}

  @Post()
  @Roles('proposer')
  @ApiOperation({ summary: 'Create a draft nomination · Tạo hồ sơ đề nghị khen thưởng (bản nháp)' })
  @IdempotencyKeyHeader()
  @ApiCreatedResponse({
    type: NominationViewDto,
    headers: { ...ETAG_HEADER, ...LOCATION_HEADER, ...LOG_POSITION_HEADER },
  })
  @ApiProblemResponses([400, 401, 403, 404, 409, 422, 429])
  async create(
    @Body() body: CreateNominationDto,
    @Envelope() envelope: CommandEnvelope,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<NominationView> {
    const { view, revision, position } = await this.commandBus.execute(new CreateNominationCommand(envelope, createInputOf(body)));
    setETag(reply, revision);
    void reply.header('location', `/nominations/${view.id}`);
    return withPosition(view, setLogPosition(reply, position));
  }

  // Bulk routes come before the `:id` ones so that "bulk" is never taken for an id.

  @Post('bulk/approve')
  @HttpCode(200)
  @Roles('officer')
  @BulkDocs('Approve many nominations · Duyệt nhiều hồ sơ', BulkApproveDto)
  async bulkApprove(
    @Body() body: BulkApproveDto,
    @Envelope() envelope: CommandEnvelope,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Headers('if-match') ifMatch: string | undefined,
  ): Promise<{ results: readonly BulkItemResult[] }> {
    return this.bulk(reply, envelope, body.ids, approveActionOf(body), ifMatch);
  }

  @Post('bulk/return')
  @HttpCode(200)
  @Roles('officer')
  @BulkDocs('Return many nominations for supplementation · Trả lại nhiều hồ sơ để bổ sung', BulkReturnDto)
  async bulkReturn(
    @Body() body: BulkReturnDto,
    @Envelope() envelope: CommandEnvelope,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Headers('if-match') ifMatch: string | undefined,
  ): Promise<{ results: readonly BulkItemResult[] }> {
    return this.bulk(reply, envelope, body.ids, returnActionOf(body), ifMatch);
  }

  @Post('bulk/reject')
  @HttpCode(200)
  @Roles('officer', 'decider')
  @BulkDocs('Reject many nominations · Không khen thưởng nhiều hồ sơ', BulkRejectDto)
  async bulkReject(
    @Body() body: BulkRejectDto,
    @Envelope() envelope: CommandEnvelope,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Headers('if-match') ifMatch: string | undefined,
  ): Promise<{ results: readonly BulkItemResult[] }> {
    return this.bulk(reply, envelope, body.ids, rejectActionOf(body), ifMatch);
  }

  @Get()
  @ApiOperation({
    summary: 'List and search nominations · Danh sách, tìm kiếm hồ sơ',
    description: 'Only what your jurisdiction allows (the route passes through your unit, or the proposing unit is under it). '
      + 'Newest first; keyset pagination by an opaque cursor. `q` ignores case and Vietnamese diacritics.',
  })
  @MinPositionDocs()
  @ApiOkResponse({ type: NominationPageDto })
  @ApiProblemResponses([400, 401, 403, 429, 503])
  async list(
    @Query() query: ListNominationsQueryDto,
    @CurrentActor() actor: Actor,
    @MinPosition() minPosition: bigint | undefined,
  ): Promise<PageOf<NominationSummary>> {
    const { status, unit, level, decidingLevel, awardCode, year, ruleSet, q, cursor, limit } = query;
    return this.queryBus.execute(new ListNominationsQuery(actor, {
      ...(status !== undefined ? { status } : {}), ...(unit !== undefined ? { unit } : {}), ...(level !== undefined ? { level } : {}),
      ...(decidingLevel !== undefined ? { decidingLevel } : {}), ...(awardCode !== undefined ? { awardCode } : {}),
      ...(year !== undefined ? { year: Number(year) } : {}), ...(ruleSet !== undefined ? { ruleSet } : {}), ...(q !== undefined ? { q } : {}),
    }, pageOf(cursor, limit), { minPosition }));
  }

  @Get(':id')
  @ApiOperation({
    summary: 'Read a nomination, now or as it was · Xem hồ sơ, hiện tại hoặc tại một thời điểm',
    description: 'Now: from the read model (send minPosition to see your own write). asOf / revision: the stream folded to that point.',
  })
  @IdParam()
  @MinPositionDocs()
  @ApiOkResponse({ type: NominationViewDto, headers: ETAG_HEADER })
  @ApiProblemResponses([400, 401, 403, 404, 429, 503])
  async get(
    @Param('id', NOMINATION_ID) id: string,
    @Query() query: NominationAtQueryDto,
    @CurrentActor() actor: Actor,
    @MinPosition() minPosition: bigint | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<NominationView> {
    const { view, revision } = await this.queryBus.execute(new ReadNominationQuery(actor, id, asOfFrom(query), { minPosition }));
    setETag(reply, revision);
    return view;
  }

  @Get(':id/history')
  @ApiOperation({ summary: 'Every event of a nomination, oldest first · Toàn bộ lịch sử sự kiện của hồ sơ', description: 'Paginated by revision (limit default 50, max 200).' })
  @IdParam()
  @MinPositionDocs()
  @ApiOkResponse({ type: NominationHistoryDto })
  @ApiProblemResponses([400, 401, 403, 404, 429, 503])
  async history(
    @Param('id', NOMINATION_ID) id: string,
    @Query() query: PageQueryDto,
    @CurrentActor() actor: Actor,
    @MinPosition() minPosition: bigint | undefined,
  ): Promise<PageOf<HistoryEntry>> {
    return this.queryBus.execute(new ReadNominationHistoryQuery(actor, id, pageOf(query.cursor, query.limit), { minPosition }));
  }

  @Patch(':id')
  @Roles('proposer')
  @NominationCommandDocs('Edit a draft or returned nomination · Sửa hồ sơ nháp hoặc bị trả lại', UpdateNominationDto)
  async update(
    @Param('id', NOMINATION_ID) id: string,
    @Body() body: UpdateNominationDto,
    @Envelope() envelope: CommandEnvelope,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<NominationView> {
    return this.act(reply, envelope, id, updateActionOf(body));
  }

  @Post(':id/submit')
  @HttpCode(200)
  @Roles('proposer')
  @NominationCommandDocs('Submit for review · Trình hồ sơ', SubmitNominationDto, false)
  async submit(
    @Param('id', NOMINATION_ID) id: string,
    @Body(EmptyBodyPipe) _body: Record<string, never>,
    @Envelope() envelope: CommandEnvelope,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<NominationView> {
    return this.act(reply, envelope, id, { type: 'SubmitNomination' });
  }

  @Post(':id/return')
  @HttpCode(200)
  @Roles('officer')
  @NominationCommandDocs('Return for supplementation · Trả lại hồ sơ để bổ sung', ReturnNominationDto)
  async return(
    @Param('id', NOMINATION_ID) id: string,
    @Body() body: ReturnNominationDto,
    @Envelope() envelope: CommandEnvelope,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<NominationView> {
    return this.act(reply, envelope, id, returnActionOf(body));
  }

  @Post(':id/council-votes')
  @HttpCode(200)
  @Roles('officer')
  @NominationCommandDocs('Record the council vote · Ghi nhận kết quả bỏ phiếu của Hội đồng', CouncilVoteDto)
  async councilVote(
    @Param('id', NOMINATION_ID) id: string,
    @Body() body: CouncilVoteDto,
    @Envelope() envelope: CommandEnvelope,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<NominationView> {
    return this.act(reply, envelope, id, councilVoteActionOf(body));
  }

  @Post(':id/approve')
  @HttpCode(200)
  @Roles('officer')
  @NominationCommandDocs('Approve at the current stage · Duyệt hồ sơ ở cấp hiện tại', ApproveNominationDto)
  async approve(
    @Param('id', NOMINATION_ID) id: string,
    @Body() body: ApproveNominationDto,
    @Envelope() envelope: CommandEnvelope,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<NominationView> {
    return this.act(reply, envelope, id, approveActionOf(body));
  }

  @Post(':id/reject')
  @HttpCode(200)
  @Roles('officer', 'decider')
  @NominationCommandDocs('Reject: not awarded · Không khen thưởng (có lý do)', RejectNominationDto, true, GUARDED_CONFLICTS)
  async reject(
    @Param('id', NOMINATION_ID) id: string,
    @Body() body: RejectNominationDto,
    @Envelope() envelope: CommandEnvelope,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<NominationView> {
    return this.act(reply, envelope, id, rejectActionOf(body));
  }

  @Post(':id/withdraw')
  @HttpCode(200)
  @Roles('proposer')
  @NominationCommandDocs('Withdraw before a decision · Rút hồ sơ trước khi có quyết định', WithdrawNominationDto, true, GUARDED_CONFLICTS)
  async withdraw(
    @Param('id', NOMINATION_ID) id: string,
    @Body() body: WithdrawNominationDto,
    @Envelope() envelope: CommandEnvelope,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<NominationView> {
    return this.act(reply, envelope, id, withdrawActionOf(body));
  }

  private async act(reply: FastifyReply, envelope: CommandEnvelope, id: string, action: NominationAction): Promise<NominationView> {
    const { view, revision, position } = await this.commandBus.execute(new NominationActionCommand(envelope, id, action));
    setETag(reply, revision);
    return withPosition(view, setLogPosition(reply, position));
  }

  private async bulk(
    reply: FastifyReply,
    envelope: CommandEnvelope,
    ids: readonly string[],
    action: ConstructorParameters<typeof BulkNominationActionCommand>[2],
    ifMatch: string | undefined,
  ): Promise<{ results: readonly BulkItemResult[] }> {
    // One entity tag cannot name the revisions of many nominations; ignoring it would make a client
    // believe its bulk command was conditional when it was not.
    if (ifMatch !== undefined) {
      throw new ProblemError('validation_failed', 'If-Match is not accepted on bulk commands: each nomination has its own revision.', {
        errors: [{ field: 'If-Match', message: 'not accepted on bulk commands' }],
      });
    }
    const ownIds = ids.map((id) => id.toLowerCase());
    const results: readonly BulkItemResult[] = await this.commandBus.execute(new BulkNominationActionCommand(envelope, ownIds, action));
    const positions = results.flatMap((r) => (r.position === undefined ? [] : [BigInt(r.position)]));
    setLogPosition(reply, positions.length === 0 ? undefined : positions.reduce((a, b) => (a > b ? a : b)));
    return { results };
  }
}

function withPosition(view: NominationView, position: string | undefined): NominationView {
  return position === undefined ? view : { ...view, position };
}

function pageOf(cursor: string | undefined, limit: string | undefined): { cursor?: string; limit?: number } {
  return { ...(cursor !== undefined ? { cursor } : {}), ...(limit !== undefined ? { limit: Number(limit) } : {}) };
}

function asOfFrom(query: NominationAtQueryDto): AsOf {
  if (query.asOf !== undefined && query.revision !== undefined) {
    throw new ProblemError('validation_failed', 'Give asOf or revision, not both.', {
      errors: [{ field: 'asOf', message: 'asOf and revision are mutually exclusive' }],
    });
  }
  if (query.asOf !== undefined) return { asOf: new Date(query.asOf) };
  if (query.revision !== undefined) return { revision: Number(query.revision) };
  return {};
}
