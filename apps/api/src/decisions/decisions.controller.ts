import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Post, Query, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { type Actor, CurrentActor, Roles } from '@app/auth';
import { type CommandEnvelope, type DecisionView, GetDecisionQuery, IssueDecisionCommand, RevokeDecisionCommand } from '@app/application';
import { Envelope } from '../http/command-envelope';
import { IdempotencyKeyHeader, LOCATION_HEADER } from '../http/api-headers';
import { ApiProblemResponses, ApiReadProblemResponses } from '../http/problem-responses';
import { ResourceIdPipe } from '../http/resource-id.pipe';
import { EVENT_STORE, type EventStore } from '@app/event-store';
import { type DecisionSummary, ListDecisionsQuery, type PageOf } from '@app/read-models';
import { LOG_POSITION_HEADER, MinPosition, MinPositionDocs, setLogPosition } from '../http/log-position';
import { DecisionPageDto, ListDecisionsQueryDto } from '../reading/reading.dto';
import { ProblemError } from '../http/problem';
import { DecisionViewDto, IssueDecisionDto, RevokeDecisionDto } from './decisions.dto';

const DECISION_ID = new ResourceIdPipe('decision');

@ApiTags('decisions')
@ApiBearerAuth('bearer')
@Controller('decisions')
export class DecisionsController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly queryBus: QueryBus,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  /**
   * The log position a decision command leaves behind: its own stream's and the nominations' it
   * awarded or revoked (the api applies those before answering), whichever is last.
   */
  private async positionAfter(reply: FastifyReply, decision: DecisionView): Promise<DecisionView> {
    const streams = [`decision-${decision.id}`, ...decision.nominations.map((n) => `nomination-${n.nominationId}`)];
    let last: bigint | undefined;
    for (const stream of streams) {
      const events = await this.store.readStream(stream).catch(() => []);
      const position = events[events.length - 1]?.position;
      if (position !== undefined && (last === undefined || position > last)) last = position;
    }
    const position = setLogPosition(reply, last);
    return position === undefined ? decision : { ...decision, position };
  }

  @Get()
  @ApiOperation({
    summary: 'List decisions · Danh sách quyết định khen thưởng',
    description: 'Decisions issued by your unit or a unit under it (narrowed by `unit`), by year of signing; newest first.',
  })
  @MinPositionDocs()
  @ApiOkResponse({ type: DecisionPageDto })
  @ApiProblemResponses([400, 401, 429, 503])
  async list(
    @Query() query: ListDecisionsQueryDto,
    @CurrentActor() actor: Actor,
    @MinPosition() minPosition: bigint | undefined,
  ): Promise<PageOf<DecisionSummary>> {
    return this.queryBus.execute(new ListDecisionsQuery(actor, {
      ...(query.unit !== undefined ? { unit: query.unit } : {}), ...(query.year !== undefined ? { year: Number(query.year) } : {}),
    }, {
      ...(query.cursor !== undefined ? { cursor: query.cursor } : {}), ...(query.limit !== undefined ? { limit: Number(query.limit) } : {}),
    }, { minPosition }));
  }

  @Post()
  @Roles('decider')
  @ApiOperation({
    summary: 'Issue an award decision · Ban hành quyết định khen thưởng',
    description: 'Every listed nomination must be approved with its deciding stage at the caller\'s unit; otherwise 409 naming the offending ids, and nothing is written.',
  })
  @IdempotencyKeyHeader()
  @ApiCreatedResponse({ type: DecisionViewDto, headers: { ...LOCATION_HEADER, ...LOG_POSITION_HEADER } })
  @ApiProblemResponses([400, 401, 403, 404, 409, 422, 429])
  async issue(
    @Body() body: IssueDecisionDto,
    @Envelope() envelope: CommandEnvelope,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<DecisionView> {
    const { number, signedOn, signer, reason, nominationIds } = body;
    const decision = await this.commandBus.execute(
      new IssueDecisionCommand(envelope, {
        number,
        signedOn,
        signer: { name: signer.name, title: signer.title },
        reason,
        nominationIds: nominationIds.map((id) => id.toLowerCase()),
      }),
    );
    void reply.header('location', `/decisions/${decision.id}`);
    return this.positionAfter(reply, decision);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Read a decision · Xem quyết định khen thưởng' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: DecisionViewDto })
  @ApiReadProblemResponses()
  async get(@Param('id', DECISION_ID) id: string, @CurrentActor() actor: Actor): Promise<DecisionView> {
    return this.queryBus.execute(new GetDecisionQuery(actor, id));
  }

  @Post(':id/revoke')
  @HttpCode(200)
  @Roles('decider')
  @ApiOperation({ summary: 'Revoke awards of a decision · Hủy bỏ quyết định khen thưởng' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @IdempotencyKeyHeader()
  @ApiOkResponse({ type: DecisionViewDto, headers: LOG_POSITION_HEADER })
  @ApiProblemResponses([400, 401, 403, 404, 409, 422, 429])
  async revoke(
    @Param('id', DECISION_ID) id: string,
    @Body() body: RevokeDecisionDto,
    @Envelope() envelope: CommandEnvelope,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Headers('if-match') ifMatch: string | undefined,
  ): Promise<DecisionView> {
    // A decision carries no entity tag (a revocation changes the nominations it names, each with its
    // own revision), so a conditional revoke cannot be honoured; it is refused rather than ignored.
    if (ifMatch !== undefined) {
      throw new ProblemError('validation_failed', 'If-Match is not accepted on revoke: a decision has no entity tag.', {
        errors: [{ field: 'If-Match', message: 'not accepted on revoke' }],
      });
    }
    const { nominationIds, ground, reason, number, signedOn } = body;
    const decision: DecisionView = await this.commandBus.execute(
      new RevokeDecisionCommand(envelope, id, {
        nominationIds: nominationIds.map((nominationId) => nominationId.toLowerCase()),
        ground,
        reason,
        number,
        signedOn,
      }),
    );
    return this.positionAfter(reply, decision);
  }
}
