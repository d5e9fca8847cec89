import type { PipeTransform } from '@nestjs/common';
import { ProblemError } from '../http/problem';

/** What class-validator's isUUID(value, 'all') accepts: versions 1 to 8, the RFC variant, nil and max. */
const UUID = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}|00000000-0000-0000-0000-000000000000|ffffffff-ffff-ffff-ffff-ffffffffffff)$/i;

/**
 * A path id that is not a UUID cannot name anything that exists, so it is answered like any other
 * missing resource (404) rather than as a malformed request.
 */
export class ResourceIdPipe implements PipeTransform<unknown, string> {
  constructor(private readonly what = 'resource') {}

  transform(value: unknown): string {
    if (typeof value !== 'string' || !UUID.test(value)) {
      throw new ProblemError('not_found', `No such ${this.what}.`);
    }
    return value.toLowerCase();
  }
}
