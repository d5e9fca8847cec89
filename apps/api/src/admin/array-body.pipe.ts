import type { PipeTransform } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate, type ValidationError } from 'class-validator';
import { ProblemError } from '../http/problem';

type FieldError = { field: string; message: string };

const MAX_REPORTED_ERRORS = 50;

function flatten(error: ValidationError, prefix: string): FieldError[] {
  const field = `${prefix}.${error.property}`;
  return [
    ...Object.values(error.constraints ?? {}).map((message) => ({ field, message })),
    ...(error.children ?? []).flatMap((child) => flatten(child, field)),
  ];
}

/**
 * Validates a JSON array body item by item with the global pipe's rules (the global ValidationPipe
 * skips arrays). Unlike ParseArrayPipe it never splits strings or JSON-parses string items: the body
 * must already be an array of objects.
 */
export class ArrayBodyPipe<T extends object> implements PipeTransform<unknown, Promise<T[]>> {
  constructor(
    private readonly itemType: new () => T,
    private readonly maxItems: number,
  ) {}

  async transform(value: unknown): Promise<T[]> {
    if (!Array.isArray(value) || value.length > this.maxItems) {
      throw new ProblemError('validation_failed', 'The request is not valid.', {
        errors: [{ field: 'body', message: `body must be an array of at most ${this.maxItems} items` }],
      });
    }
    const items: T[] = [];
    const errors: FieldError[] = [];
    for (const [index, raw] of value.entries()) {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
        errors.push({ field: `[${index}]`, message: 'each item must be an object' });
        continue;
      }
      const item = plainToInstance(this.itemType, raw);
      const itemErrors = await validate(item, {
        whitelist: true,
        forbidNonWhitelisted: true,
        forbidUnknownValues: true,
        validationError: { target: false, value: false },
      });
      errors.push(...itemErrors.flatMap((error) => flatten(error, `[${index}]`)));
      items.push(item);
      if (errors.length >= MAX_REPORTED_ERRORS) break;
    }
    if (errors.length > 0) {
      throw new ProblemError('validation_failed', 'The request is not valid.', { errors: errors.slice(0, MAX_REPORTED_ERRORS) });
    }
    return items;
  }
}
