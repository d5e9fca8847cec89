import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { ProblemError } from './problem';

/**
 * A JSON `null` body is refused before validation: Nest's ValidationPipe would turn it into `{}`, and a
 * command whose fields are all optional (approve) would then run on a body nobody sent.
 */
@Injectable()
export class NullBodyPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'body' && value === null) {
      throw new ProblemError('validation_failed', 'The request body must be a JSON object.', {
        errors: [{ field: 'body', message: 'must be a JSON object, not null' }],
      });
    }
    return value;
  }
}
