import type { PipeTransform } from '@nestjs/common';
import { ProblemError } from '../http/problem';

/**
 * For commands whose body is `{}`. A class with no rules cannot go through the global ValidationPipe
 * (forbidUnknownValues refuses it), so the route takes the raw body and this pipe allows nothing in it.
 * A missing body counts as `{}`; `null` does not.
 */
export class EmptyBodyPipe implements PipeTransform<unknown, Record<string, never>> {
  transform(value: unknown): Record<string, never> {
    if (value === undefined) return {};
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new ProblemError('validation_failed', 'The request is not valid.', {
        errors: [{ field: 'body', message: 'body must be an empty object' }],
      });
    }
    const unknown = Object.keys(value);
    if (unknown.length > 0) {
      throw new ProblemError('validation_failed', 'The request is not valid.', {
        errors: unknown.slice(0, 20).map((field) => ({ field, message: `property ${field} should not exist` })),
      });
    }
    return {};
  }
}
