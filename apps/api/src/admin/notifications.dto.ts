import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { OptionalField } from '../http/validation-rules';

export const OUTBOX_STATUSES = ['pending', 'sent', 'failed'] as const;

export class NotificationQueryDto {
  @ApiPropertyOptional({ enum: OUTBOX_STATUSES, example: 'failed', description: 'Only notifications with this status.' })
  @OptionalField()
  @IsIn(OUTBOX_STATUSES)
  readonly status?: (typeof OUTBOX_STATUSES)[number];

  @ApiPropertyOptional({ format: 'uuid', description: 'Only notifications about this nomination.' })
  @OptionalField()
  @IsUUID('all')
  readonly nominationId?: string;

  @ApiPropertyOptional({ description: 'Opaque; the `nextCursor` of the previous page.' })
  @OptionalField()
  @IsString()
  @MaxLength(500)
  readonly cursor?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @OptionalField()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  readonly limit?: number;
}

// OpenAPI only.

export class NotificationRecipientDto {
  @ApiPropertyOptional({ type: String, nullable: true, example: 'muongla-noivu-01', description: 'Staff id; null for a nominee\'s own address.' }) readonly id: string | null;
  @ApiProperty({ example: 'hang.nt@muongla.sonla.gov.vn' }) readonly email: string;
  @ApiPropertyOptional({ type: String, nullable: true, example: 'Nguyễn Thị Hằng' }) readonly name: string | null;
}

export class NotificationDto {
  @ApiProperty({ format: 'uuid' }) readonly id: string;
  @ApiProperty({ example: 'stage_arrived', description: 'stage_arrived, returned, awaiting_decision, not_awarded, awarded, revoked, due_soon, overdue or daily_digest.' }) readonly template: string;
  @ApiProperty({ enum: OUTBOX_STATUSES }) readonly status: string;
  @ApiProperty({ enum: ['immediate', 'digest'], description: '`digest`: waits for the recipient\'s daily digest.' }) readonly delivery: string;
  @ApiProperty({ type: NotificationRecipientDto }) readonly recipient: NotificationRecipientDto;
  @ApiProperty({ enum: ['vi', 'en'] }) readonly locale: string;
  @ApiPropertyOptional({ type: String, nullable: true, format: 'uuid' }) readonly nominationId: string | null;
  @ApiProperty({ example: '<0b4c…@localhost>', description: 'Derived from the event and the recipient: a resend carries the same one.' }) readonly messageId: string;
  @ApiProperty({ example: 1 }) readonly attempts: number;
  @ApiPropertyOptional({ type: String, nullable: true, example: '550 5.1.1 <x@y.vn>: mailbox unavailable' }) readonly lastError: string | null;
  @ApiProperty({ example: '2023-03-20T02:00:00.000Z', description: 'When the event (or reminder, digest) happened.' }) readonly occurredAt: string;
  @ApiProperty({ example: '2023-03-20T02:00:00.120Z' }) readonly createdAt: string;
  @ApiPropertyOptional({ type: String, nullable: true }) readonly sentAt: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) readonly failedAt: string | null;
}

export class NotificationPageDto {
  @ApiProperty({ type: [NotificationDto] }) readonly items: NotificationDto[];
  @ApiPropertyOptional({ type: String, nullable: true }) readonly nextCursor: string | null;
}
