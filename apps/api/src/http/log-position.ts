import { applyDecorators, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { ApiHeader, ApiQuery } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ProblemError } from './problem';

/** Log positions are unsigned 64-bit integers (KurrentDB commit positions may exceed 2^63). */
const POSITION = /^\d{1,20}$/u;
const MAX_POSITION = 2n ** 64n - 1n;

export const LOG_POSITION_HEADER = {
  'Log-Position': {
    description: 'Log position this command wrote (or had written). Send it back as minPosition / Min-Position to read your own write.',
    schema: { type: 'string', example: '74123400003' },
  },
};

/** Sets the Log-Position header of a command answer and returns the position as the body carries it. */
export function setLogPosition(reply: FastifyReply, position: bigint | undefined): string | undefined {
  if (position === undefined) return undefined;
  void reply.header('log-position', position.toString());
  return position.toString();
}

function parsePosition(value: string, field: string): bigint {
  const position = POSITION.test(value) ? BigInt(value) : -1n;
  if (position < 0n || position > MAX_POSITION) {
    throw new ProblemError('validation_failed', `${field} must be a log position (a whole number) from a command answer.`, {
      errors: [{ field, message: 'must be a whole number from Log-Position' }],
    });
  }
  return position;
}

/**
 * The position the caller wants reflected (query parameter `minPosition` or header `Min-Position`):
 * the query waits up to 5 s for the read model to reach it, then answers 503 read_model_behind.
 */
export const MinPosition = createParamDecorator((_data: unknown, context: ExecutionContext): bigint | undefined => {
  const request = context.switchToHttp().getRequest<FastifyRequest>();
  const query = (request.query as Record<string, unknown> | undefined)?.['minPosition'];
  const header = request.headers['min-position'];
  const positions: bigint[] = [];
  if (query !== undefined) {
    if (typeof query !== 'string') throw new ProblemError('validation_failed', 'Give minPosition once.', { errors: [{ field: 'minPosition', message: 'given more than once' }] });
    positions.push(parsePosition(query, 'minPosition'));
  }
  if (header !== undefined) positions.push(parsePosition(Array.isArray(header) ? header.join(',') : header, 'Min-Position'));
  return positions.length === 0 ? undefined : positions.reduce((a, b) => (a > b ? a : b));
});

/** OpenAPI for the read-your-writes parameters of a query route. */
export const MinPositionDocs = (): MethodDecorator =>
  applyDecorators(
    ApiQuery({ name: 'minPosition', required: false, type: String, description: 'Wait (up to 5 s) until the read model includes this log position; 503 read_model_behind otherwise.' }),
    ApiHeader({ name: 'Min-Position', required: false, description: 'Same as minPosition.' }),
  );
