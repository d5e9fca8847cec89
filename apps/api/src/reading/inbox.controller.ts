import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type Actor, CurrentActor } from '@app/auth';
import { type InboxItem, InboxQuery, type PageOf } from '@app/read-models';
import { MinPosition, MinPositionDocs } from '../http/log-position';
import { ApiProblemResponses } from '../http/problem-responses';
import { PageQueryDto } from '../http/query.dto';
import { InboxPageDto } from './reading.dto';

@ApiTags('reading')
@ApiBearerAuth('bearer')
@Controller('inbox')
export class InboxController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get()
  @ApiOperation({
    summary: 'What waits for me · Hồ sơ chờ tôi xử lý',
    description: "An officer's in-review nominations at their unit, a decider's approved ones awaiting a decision, a proposer's returned ones; "
      + 'oldest due date first (then those without a deadline, longest waiting first); overdue ones flagged.',
  })
  @MinPositionDocs()
  @ApiOkResponse({ type: InboxPageDto })
  @ApiProblemResponses([400, 401, 429, 503])
  async inbox(@Query() query: PageQueryDto, @CurrentActor() actor: Actor, @MinPosition() minPosition: bigint | undefined): Promise<PageOf<InboxItem>> {
    return this.queryBus.execute(new InboxQuery(actor, {
      ...(query.cursor !== undefined ? { cursor: query.cursor } : {}), ...(query.limit !== undefined ? { limit: Number(query.limit) } : {}),
    }, { minPosition }));
  }
}
