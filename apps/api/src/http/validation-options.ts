import type { ValidationPipeOptions } from '@nestjs/common';
import type { ValidationError } from 'class-validator';
import { ProblemError } from './problem';

/** The global validation pipe's options (api.app.ts): unknown fields refused, DTOs built without implicit conversion. */
export const VALIDATION_PIPE_OPTIONS: ValidationPipeOptions = {
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
  transform: true,
  validationError: { target: false, value: false },
  exceptionFactory: (errors) =>
    new ProblemError('validation_failed', 'The request is not valid.', {
      errors: errors.flatMap((e) => flattenValidationError(e, '')),
    }),
};

function flattenValidationError(error: ValidationError, prefix: string): { field: string; message: string }[] {
  const field = prefix ? `${prefix}.${error.property}` : error.property;
  const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
  return [...own, ...(error.children ?? []).flatMap((child) => flattenValidationError(child, field))];
}
