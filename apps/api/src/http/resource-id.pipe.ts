import type { PipeTransform } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { ProblemError } from '../http/problem';

/**
 * A path id that is not a UUID cannot name anything that exists, so it is answered like any other
 * missing resource (404) rather than as a malformed request.
 */
export class ResourceIdPipe implements PipeTransform<unknown, string> {
  constructor(private readonly what = 'resource') {}

  transform(value: unknown): string {
    if (typeof value !== 'string' || !isUUID(value, 'all')) {
      throw new ProblemError('not_found', `No such ${this.what}.`);
    }
    return value.toLowerCase();
  }
}
