import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { type Actor, CurrentActor, Roles } from '@app/auth';
import { decodeOutboxCursor, NotificationQueues, OutboxStore, type OutboxEntry, type OutboxScope } from '@app/notifications';
import { ReferenceDataService } from '@app/application';
import { IdempotencyKeyHeader } from '../http/api-headers';
import { EmptyBodyDto } from '../http/empty-body.dto';
import { ProblemError } from '../http/problem';
import { ApiProblemResponses, ApiReadProblemResponses } from '../http/problem-responses';
import { ResourceIdPipe } from '../http/resource-id.pipe';
import { NotificationDto, NotificationPageDto, NotificationQueryDto } from './notifications.dto';
import { EmptyBodyPipe } from '../nominations/empty-body.pipe';

function toDto(entry: OutboxEntry): NotificationDto {
  return {
    id: entry.id, template: entry.template, status: entry.status, delivery: entry.delivery === 'immediate' ? 'immediate' : 'digest',
    recipient: entry.recipient, locale: entry.locale, nominationId: entry.nominationId, messageId: entry.messageId,
    attempts: entry.attempts, lastError: entry.lastError, occurredAt: entry.occurredAt.toISOString(), createdAt: entry.createdAt.toISOString(),
    sentAt: entry.sentAt?.toISOString() ?? null, failedAt: entry.failedAt?.toISOString() ?? null,
  };
}

/**
 * The outbox as its admins see it. Like every admin action (issue 12.14) it is bounded by the admin's
 * unit: a notification belongs to its staff recipient's unit (the proposing unit for a nominee's own
 * address), and an admin lists and retries those of their unit and of every unit under it, in each code
 * set, as the unit tree stood when the nomination was created (the row records that chain): after a
 * re-parenting the old parent keeps the older rows and the new parent does not gain them. Anyone else's
 * notification does not exist for them (404, as for an unknown id).
 */
@ApiTags('administration')
@ApiBearerAuth('bearer')
@Roles('admin')
@Controller('admin/notifications')
export class NotificationsController {
  constructor(
    private readonly outbox: OutboxStore,
    private readonly queues: NotificationQueues,
    private readonly referenceData: ReferenceDataService,
  ) {}

  /** The admin's unit: the rows whose recorded chain holds it (their unit and the units under it as recorded). */
  private scopeOf(actor: Actor): OutboxScope {
    return { unit: this.referenceData.domainActor(actor).unit };
  }

  @Get()
  @ApiOperation({
    summary: 'Notification e-mails, e.g. the failed ones · Thư thông báo (ví dụ: thư gửi lỗi)',
    description: '`status=failed` lists what was refused permanently (a rejected address) or gave up after the last retry, newest failure first, with the server\'s answer in `lastError`. '
      + 'Only notifications of the admin\'s unit and the units under it (the staff recipient\'s unit; for a nominee\'s own address, the proposing unit), '
      + 'as the unit tree stood when the nomination was created: re-parenting a unit later does not move its earlier notifications to its new parent.',
  })
  @ApiOkResponse({ type: NotificationPageDto })
  @ApiReadProblemResponses()
  async list(@CurrentActor() actor: Actor, @Query() query: NotificationQueryDto): Promise<NotificationPageDto> {
    const cursor = query.cursor === undefined ? undefined : decodeOutboxCursor(query.cursor);
    if (query.cursor !== undefined && cursor === undefined) {
      throw new ProblemError('validation_failed', 'The request is not valid.', { errors: [{ field: 'cursor', message: 'cursor is not one this service issued' }] });
    }
    const page = await this.outbox.list({
      limit: query.limit ?? 50,
      ...(query.status !== undefined ? { status: query.status } : {}),
      ...(query.nominationId !== undefined ? { nominationId: query.nominationId.toLowerCase() } : {}),
      ...(cursor !== undefined ? { cursor } : {}),
      scope: this.scopeOf(actor),
    });
    return { items: page.items.map(toDto), nextCursor: page.nextCursor };
  }

  @Post(':id/retry')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Send a failed notification again · Gửi lại thư lỗi',
    description: 'Puts a failed notification back in the queue with a fresh set of attempts (same Message-ID). 409 `invalid_transition` unless it is `failed`. '
      + 'A notification of a unit outside the admin\'s is 404, as an unknown one.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiBody({ type: EmptyBodyDto, required: false, description: 'Nothing, or `{}`.' })
  @IdempotencyKeyHeader()
  @ApiOkResponse({ type: NotificationDto })
  @ApiProblemResponses([400, 401, 403, 404, 409, 422, 429])
  // Takes no body; anything sent in one is refused (unknown JSON fields are never silently ignored).
  async retry(
    @CurrentActor() actor: Actor,
    @Param('id', new ResourceIdPipe('notification')) id: string,
    @Body(EmptyBodyPipe) _body: Record<string, never>,
  ): Promise<NotificationDto> {
    const outcome = await this.outbox.retry(id, this.scopeOf(actor));
    if (!outcome.ok) {
      if (outcome.reason === 'not_found') throw new ProblemError('not_found', 'No such notification.');
      throw new ProblemError('invalid_transition', `Only a failed notification can be retried; this one is ${outcome.status}.`);
    }
    await this.queues.enqueueMail([id]);
    return toDto(outcome.entry);
  }
}
