import { Body, Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { type Actor, CurrentActor, Roles } from '@app/auth';
import { type CommandEnvelope, type DecisionView, GetDecisionQuery, IssueDecisionCommand, RevokeDecisionCommand } from '@app/workflow';
import { Envelope } from '../http/command-envelope';
import { IdempotencyKeyHeader, LOCATION_HEADER } from '../http/api-headers';
import { ApiProblemResponses, ApiReadProblemResponses } from '../http/problem-responses';
import { ResourceIdPipe } from '../http/resource-id.pipe';
import { DecisionViewDto, IssueDecisionDto, RevokeDecisionDto } from './decisions.dto';

const DECISION_ID = new ResourceIdPipe('decision');

@ApiTags('decisions')
@ApiBearerAuth('bearer')
@Controller('decisions')
export class DecisionsController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly queryBus: QueryBus,
  ) {}

  @Post()
  @Roles('decider')
  @ApiOperation({
    summary: 'Issue an award decision · Ban hành quyết định khen thưởng',
    description: 'Every listed nomination must be approved with its deciding stage at the caller\'s unit; otherwise 409 naming the offending ids, and nothing is written.',
  })
  @IdempotencyKeyHeader()
  @ApiCreatedResponse({ type: DecisionViewDto, headers: LOCATION_HEADER })
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
    return decision;
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
  @ApiOkResponse({ type: DecisionViewDto })
  @ApiProblemResponses([400, 401, 403, 404, 409, 422, 429])
  async revoke(
    @Param('id', DECISION_ID) id: string,
    @Body() body: RevokeDecisionDto,
    @Envelope() envelope: CommandEnvelope,
  ): Promise<DecisionView> {
    const { nominationIds, ground, reason, number, signedOn } = body;
    return this.commandBus.execute(
      new RevokeDecisionCommand(envelope, id, {
        nominationIds: nominationIds.map((nominationId) => nominationId.toLowerCase()),
        ground,
        reason,
        number,
        signedOn,
      }),
    );
  }
}
