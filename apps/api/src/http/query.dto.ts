import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Length, Matches } from 'class-validator';
import { OptionalField } from './validation-rules';

/**
 * Every query accepts minPosition (API.md, Conventions), parsed by the MinPosition decorator where a
 * read model answers; declared here so it is not refused. Reference data and staff are not derived
 * from the log (PUT /units and PUT /staff write them before answering), so there it is checked and
 * nothing waits.
 */
export class FreshQueryDto {
  @ApiPropertyOptional({ example: '74123400003', description: 'Wait (up to 5 s) until the read model includes this log position.' })
  @OptionalField()
  @IsString()
  @Matches(/^\d{1,20}$/u, { message: '$property must be a log position (a whole number) from a command answer' })
  readonly minPosition?: string;
}

export class PageQueryDto extends FreshQueryDto {
  @ApiPropertyOptional({ description: 'Opaque, from the previous page\'s nextCursor.' })
  @OptionalField()
  @IsString()
  @Length(1, 500)
  readonly cursor?: string;

  @ApiPropertyOptional({ example: '50', description: '1–200, default 50.' })
  @OptionalField()
  @IsString()
  @Matches(/^(?:[1-9]|[1-9]\d|1\d\d|200)$/, { message: '$property must be a whole number from 1 to 200' })
  readonly limit?: string;
}

