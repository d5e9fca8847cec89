import { EventStoreError, EventStoreUnavailable } from '../event-store.errors';

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH']);
const NETWORK_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'Cannot use a pool after calling end',
  'Connection ended',
];

export function pgErrorCode(error: unknown): string | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

export function pgConstraint(error: unknown): string | undefined {
  const name = typeof error === 'object' && error !== null ? (error as { constraint?: unknown }).constraint : undefined;
  return typeof name === 'string' ? name : undefined;
}

/** Whether the database could not be reached or dropped the connection, as opposed to refusing a query. */
export function isConnectionFailure(error: unknown): boolean {
  const code = pgErrorCode(error);
  // Class 08: connection exception; 57P01-03: the server is shutting down or starting.
  if (code !== undefined && (code.startsWith('08') || /^57P0[1-3]$/.test(code) || NETWORK_CODES.has(code))) return true;
  if (error instanceof AggregateError) return error.errors.some(isConnectionFailure);
  const message = error instanceof Error ? error.message : '';
  return NETWORK_MESSAGES.some((m) => message.includes(m));
}

/** Port errors pass through; connection failures become EventStoreUnavailable; anything else is a bug. */
export function translateError(error: unknown, doing: string): unknown {
  if (error instanceof EventStoreError) return error;
  if (isConnectionFailure(error)) {
    return new EventStoreUnavailable(`PostgreSQL event store unavailable while ${doing}: ${describe(error)}`, { cause: error });
  }
  return error;
}

function describe(error: unknown): string {
  if (error instanceof AggregateError) return error.errors.map(describe).join('; ');
  return error instanceof Error ? error.message : String(error);
}
