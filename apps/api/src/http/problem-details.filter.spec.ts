import type { ArgumentsHost } from '@nestjs/common';
import type { Logger } from 'pino';
import { EventStoreFailure, EventStoreUnavailable, RevisionConflict, StreamTruncated } from '@app/event-store';
import { ProblemDetailsFilter } from './problem-details.filter';

/** Runs the filter on one error and returns what it would send (the reply is a recording stand-in). */
function answer(error: unknown) {
  const logged: string[] = [];
  const logger = { error: (_: unknown, message: string) => logged.push(`error:${message}`), warn: (_: unknown, message: string) => logged.push(`warn:${message}`) };
  const sent: { status?: number; headers: Record<string, string>; body?: Record<string, unknown> } = { headers: {} };
  const reply = {
    status(status: number) {
      sent.status = status;
      return reply;
    },
    headers(headers: Record<string, string>) {
      Object.assign(sent.headers, headers);
      return reply;
    },
    header(name: string, value: string) {
      sent.headers[name] = value;
      return reply;
    },
    send(body: Record<string, unknown>) {
      sent.body = body;
      return reply;
    },
  };
  const host = {
    switchToHttp: () => ({ getResponse: () => reply, getRequest: () => ({ method: 'GET', url: '/nominations/n-1' }) }),
  } as unknown as ArgumentsHost;
  new ProblemDetailsFilter(logger as unknown as Logger).catch(error, host);
  return { ...sent, logged };
}

describe('ProblemDetailsFilter: event store errors', () => {
  it('answers an unavailable store with 503 and Retry-After', () => {
    const sent = answer(new EventStoreUnavailable('KurrentDB unavailable during read: connection refused'));
    expect(sent).toMatchObject({ status: 503, headers: { 'retry-after': '5' }, body: { code: 'event_store_unavailable' } });
  });

  it('answers a store that refuses the service for good with 503, no Retry-After, and logs it as an error', () => {
    const sent = answer(new EventStoreFailure('KurrentDB refused the append on nomination-1: access denied'));
    expect(sent).toMatchObject({ status: 503, body: { code: 'event_store_failure' } });
    expect(sent.headers['retry-after']).toBeUndefined();
    expect(sent.logged).toContain('error:event store refused the operation');
  });

  it('answers a history deleted or truncated in the store with 409 stream_truncated, logged as an error', () => {
    const sent = answer(new StreamTruncated('nomination-1', 3, 'starts at revision 3 in KurrentDB'));
    expect(sent).toMatchObject({ status: 409, body: { code: 'stream_truncated' } });
    expect(sent.logged).toContain('error:event store refused the operation');
  });

  it('does not log an ordinary revision conflict as an error', () => {
    const sent = answer(new RevisionConflict('nomination-1', 1, 2));
    expect(sent).toMatchObject({ status: 409, body: { code: 'revision_conflict' } });
    expect(sent.logged).toEqual([]);
  });
});
