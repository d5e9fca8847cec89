import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsUUID, Matches, Max, Min } from 'class-validator';
import { FreshQueryDto } from '../http/query.dto';
import { Instant, INSTANT, OptionalField, Text, UnitCode } from '../http/validation-rules';

/** An instant query parameter as documented: ISO 8601 date and time with `Z` or an offset (else 400 validation_failed). */
const instant = (example: string, description: string) => ({
  example, pattern: INSTANT.source,
  description: `${description} An instant: ISO 8601 date and time with a zone (\`Z\` or \`+07:00\`); a date alone, a week or ordinal date, or a time without a zone is 400 validation_failed.`,
});

const CURSOR = /^[A-Za-z0-9_-]{1,64}$/;
const TYPE_LIST = /^[A-Za-z][A-Za-z0-9]{0,99}(,[A-Za-z][A-Za-z0-9]{0,99}){0,49}$/;

/** minPosition is accepted like every query's (API.md, read your own writes), not refused as unknown. */
export class AuditEventsQueryDto extends FreshQueryDto {
  @ApiPropertyOptional({ format: 'uuid' }) @OptionalField() @IsUUID() readonly nominationId?: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'The decision\'s own events and the nominations\' events it caused (awarded, revoked).' })
  @OptionalField() @IsUUID() readonly decisionId?: string;
  @ApiPropertyOptional({ example: 'o-120', description: 'The acting user\'s id (the token\'s sub).' }) @OptionalField() @Text(1, 200) readonly actor?: string;
  @ApiPropertyOptional({ example: '120', description: 'Only what this unit\'s auditors see; it must be the caller\'s unit or under it (else 403).' })
  @OptionalField() @UnitCode() readonly unit?: string;
  @ApiPropertyOptional({ example: 'StageApproved,NominationRejected', description: 'One event type or several, comma-separated.' })
  @OptionalField() @Matches(TYPE_LIST) readonly type?: string;
  @ApiPropertyOptional(instant('2023-01-01T00:00:00+07:00', 'Recorded at or after this instant (inclusive). With `to`, a range of recorded time, not of log positions (`cursor` pages by position).'))
  @OptionalField() @Instant() readonly from?: string;
  @ApiPropertyOptional(instant('2024-01-01T00:00:00+07:00', 'Recorded before this instant (exclusive).'))
  @OptionalField() @Instant() readonly to?: string;
  @ApiPropertyOptional({ description: 'nextCursor of the previous page.' }) @OptionalField() @Matches(CURSOR) readonly cursor?: string;
  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 200, description: 'Ignored for CSV, which streams every row.' })
  @OptionalField() @Type(() => Number) @IsInt() @Min(1) @Max(200) readonly limit?: number;
}

export class AuditReadsQueryDto {
  @ApiPropertyOptional({ example: 'a-120', description: 'The reader\'s user id.' }) @OptionalField() @Text(1, 200) readonly actor?: string;
  @ApiPropertyOptional(instant('2026-12-01T00:00:00Z', 'Read at or after this instant (inclusive).')) @OptionalField() @Instant() readonly from?: string;
  @ApiPropertyOptional(instant('2026-12-02T00:00:00Z', 'Read before this instant (exclusive).')) @OptionalField() @Instant() readonly to?: string;
  @ApiPropertyOptional() @OptionalField() @Matches(CURSOR) readonly cursor?: string;
  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 200 }) @OptionalField() @Type(() => Number) @IsInt() @Min(1) @Max(200) readonly limit?: number;
}

class AuditActorDto {
  @ApiProperty({ type: String, nullable: true, example: 'o-120' }) readonly id: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'Nguyễn Thị Hằng' }) readonly name: string | null;
  @ApiProperty({ type: String, nullable: true, example: '120' }) readonly unit: string | null;
  @ApiProperty({ type: [String], example: ['officer'] }) readonly roles: string[];
}

export class AuditEventDto {
  @ApiProperty({ example: '7303000001', description: 'Log position (decimal string).' }) readonly position: string;
  @ApiProperty({ example: 'nomination-6f1c…' }) readonly streamId: string;
  @ApiProperty({ example: 3 }) readonly revision: number;
  @ApiProperty({ example: 'StageApproved' }) readonly type: string;
  @ApiProperty({ example: '2023-03-20T02:15:00.000Z' }) readonly at: string;
  @ApiProperty({ type: AuditActorDto }) readonly actor: AuditActorDto;
  @ApiPropertyOptional({ format: 'uuid' }) readonly nominationId?: string;
  @ApiPropertyOptional({ format: 'uuid' }) readonly decisionId?: string;
  // JsonValue is added to the components by openapi-document.ts.
  @ApiProperty({ type: 'object', additionalProperties: { $ref: '#/components/schemas/JsonValue' }, description: 'The event\'s payload, as the domain defines it; its shape is given by `type`.' })
  readonly data: object;
}

export class AuditEventPageDto {
  @ApiProperty({ type: [AuditEventDto] }) readonly items: AuditEventDto[];
  @ApiProperty({ nullable: true, type: String }) readonly nextCursor: string | null;
}

class AuditReaderDto {
  @ApiProperty() readonly id: string;
  @ApiProperty() readonly name: string;
  @ApiProperty() readonly unit: string;
  @ApiProperty({ type: [String] }) readonly roles: string[];
}

export class AuditReadDto {
  @ApiProperty() readonly id: string;
  @ApiProperty({ example: '2026-12-01T09:30:00.000Z' }) readonly at: string;
  @ApiProperty({ type: AuditReaderDto }) readonly actor: AuditReaderDto;
  @ApiProperty({
    enum: ['audit-events', 'audit-verify', 'audit-verify-seal', 'audit-seal'],
    description: 'audit-events: GET /audit/events; audit-verify: GET /audit/verify (one stream, or the whole log); audit-verify-seal: POST /audit/verify; audit-seal: GET /audit/seals/latest.',
  })
  readonly resource: string;
  @ApiProperty({ enum: ['json', 'csv'] }) readonly format: string;
  @ApiProperty({ type: 'object', additionalProperties: { $ref: '#/components/schemas/JsonValue' }, example: { unit: '120', types: ['StageApproved'] } })
  readonly filter: object;
  @ApiProperty({ example: 50, description: 'Rows returned (for an export: rows sent; for a verification: events checked).' }) readonly rows: number;
  @ApiProperty({ description: 'False for an export the reader broke off, or a verification still running or cut short.' }) readonly complete: boolean;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { $ref: '#/components/schemas/JsonValue' },
    example: { ok: false, sealsChecked: 3, firstBroken: { streamId: 'nomination-6f1c…', revision: 2, code: 'mac_invalid', problem: '…' } },
    description: 'For a verification, what it found: { ok, sealsChecked, firstBroken? } ({ found: false } for a stream not found within the jurisdiction); for a seal read, { sequence, position }.',
  })
  readonly result?: object;
}

export class AuditReadPageDto {
  @ApiProperty({ type: [AuditReadDto] }) readonly items: AuditReadDto[];
  @ApiProperty({ nullable: true, type: String }) readonly nextCursor: string | null;
}
