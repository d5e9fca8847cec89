import { NotFoundException, type ArgumentsHost } from '@nestjs/common';
import type { Logger } from 'pino';
import { Forbidden, RateLimited, Unauthenticated } from '@app/auth';
import { EventStoreFailure, EventStoreUnavailable, RevisionConflict, StreamTruncated } from '@app/event-store';
import { EventDecodeError } from '@app/nomination';
import { ConcurrentChange, DecisionNumberTaken, StaleRevision } from '@app/application';
import { ProblemDetailsFilter } from './problem-details.filter';
import { ProblemError } from './problem';

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

describe('ProblemDetailsFilter: every status from the error table', () => {
  it('answers a stale If-Match with 412 and the public code revision_conflict, a lost race with 409', () => {
    expect(answer(new StaleRevision('nomination-1', 0, 1))).toMatchObject({ status: 412, body: { status: 412, code: 'revision_conflict', title: 'Precondition Failed' } });
    expect(answer(new ConcurrentChange('nomination-1'))).toMatchObject({ status: 409, body: { status: 409, code: 'revision_conflict' } });
  });

  it('answers auth errors with their statuses, headers and details', () => {
    expect(answer(new Unauthenticated('expired'))).toMatchObject({ status: 401, headers: { 'www-authenticate': expect.stringContaining('invalid_token') }, body: { code: 'unauthenticated' } });
    expect(answer(new Forbidden(['decider']))).toMatchObject({ status: 403, body: { code: 'forbidden', details: { requiredRoles: ['decider'] } } });
    expect(answer(new RateLimited(12, 60))).toMatchObject({ status: 429, headers: { 'retry-after': '12' }, body: { details: { retryAfterSeconds: 12, limitPerMinute: 60 } } });
  });

  it('answers a stored event this version cannot read as a logged 500 that leaks nothing', () => {
    const sent = answer(new EventDecodeError('nomination', 'NominationCreated', 'schema version 9 is unknown'));
    expect(sent).toMatchObject({ status: 500, body: { code: 'internal_error', detail: 'An unexpected error occurred; it has been logged.' } });
    expect(JSON.stringify(sent.body)).not.toContain('schema version');
    expect(sent.logged).toEqual(['error:unhandled error']);
  });

  it('gives the api\'s own problems and framework exceptions the table\'s statuses', () => {
    expect(answer(new ProblemError('uri_too_long', 'A path parameter is longer than allowed.'))).toMatchObject({ status: 414, body: { code: 'uri_too_long' } });
    expect(answer(new NotFoundException('Cannot GET /nowhere'))).toMatchObject({ status: 404, body: { code: 'not_found' } });
    expect(answer(new DecisionNumberTaken({ number: '7/QĐ-UBND', issuingUnit: '120', decisionId: 'd-1' })))
      .toMatchObject({ status: 409, body: { code: 'decision_number_taken', details: { number: '7/QĐ-UBND' } } });
  });
});
