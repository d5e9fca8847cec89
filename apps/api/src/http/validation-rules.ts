import { applyDecorators } from '@nestjs/common';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsISO8601,
  IsString,
  IsUUID,
  Length,
  Matches,
  ValidateIf,
} from 'class-validator';

/** GSO unit codes: province 2 digits, district 3, commune 5 (DOMAIN.md). */
export const UNIT_CODE = /^\d{2,5}$/;
export const CALENDAR_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Optional, but `null` is refused: class-validator's @IsOptional lets null through, and a null would
 * reach the domain as a value the contract never allows.
 */
export const OptionalField = (): PropertyDecorator => ValidateIf((_object: object, value: unknown) => value !== undefined);

/** Text PostgreSQL can store: no NUL character and no half of a surrogate pair (either was a 500). */
// eslint-disable-next-line no-control-regex -- NUL is exactly the character refused here.
export const STORABLE_TEXT = /^[^\u0000\uD800-\uDFFF]*$/u;

/** A string of `min`–`max` characters; never coerced from another type. */
export const Text = (min: number, max: number): PropertyDecorator =>
  applyDecorators(
    IsString(),
    Length(min, max),
    Matches(STORABLE_TEXT, { message: '$property must not contain NUL characters or unpaired surrogates' }),
  );

export const UnitCode = (): PropertyDecorator =>
  applyDecorators(IsString(), Matches(UNIT_CODE, { message: '$property must be a unit code of 2 to 5 digits' }));

/** `YYYY-MM-DD` naming a real day (strict mode refuses 2023-02-30). */
export const CalendarDate = (): PropertyDecorator =>
  applyDecorators(
    IsString(),
    Matches(CALENDAR_DATE, { message: '$property must be a date YYYY-MM-DD' }),
    IsISO8601({ strict: true }, { message: '$property must be a date YYYY-MM-DD' }),
  );

/** What `Instant()` admits, also the documented `pattern` of instant query parameters. */
export const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/**
 * An instant: ISO 8601 date and time with `Z` or an offset. Not a date alone, a week or ordinal date
 * (which Date cannot read) or a time without a zone (which Date would read in the server's own zone).
 */
export const Instant = (): PropertyDecorator =>
  applyDecorators(
    IsString(),
    Matches(INSTANT, { message: '$property must be an ISO 8601 instant with a time zone (2023-01-01T00:00:00Z)' }),
    IsISO8601({ strict: true }, { message: '$property must be an ISO 8601 instant with a time zone (2023-01-01T00:00:00Z)' }),
  );

/**
 * Ids are compared without regard to case, as the ids themselves are: one id sent in 40 case variants
 * is one id listed 40 times, and refused, not 40 commands folding the same stream.
 */
export const UuidList = (max: number): PropertyDecorator =>
  applyDecorators(
    IsArray(),
    ArrayMinSize(1),
    ArrayMaxSize(max),
    ArrayUnique((id: unknown) => (typeof id === 'string' ? id.toLowerCase() : id), {
      message: '$property must not list the same id twice (ids are compared without regard to case)',
    }),
    IsUUID('all', { each: true }),
  );
