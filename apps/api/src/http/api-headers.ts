import { ApiHeader } from '@nestjs/swagger';

export const ETAG_HEADER = {
  ETag: { description: 'The nomination stream revision, e.g. "3".', schema: { type: 'string', example: '"3"' } },
};

export const LOCATION_HEADER = {
  Location: { description: 'Where the created resource is read.', schema: { type: 'string' } },
};

export const IdempotencyKeyHeader = (): MethodDecorator =>
  ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Any 1–200 characters. A retry with the same key and body returns the first response and writes nothing.',
  });

export const IfMatchHeader = (): MethodDecorator =>
  ApiHeader({
    name: 'If-Match',
    required: false,
    description: 'The revision last seen, e.g. "3" (from ETag), or *. A stale one gets 412 and nothing is written.',
  });
