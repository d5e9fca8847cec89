import { backoffDelay } from './mail-sender';
import { classifySendError } from './mailer';
import { messageIdFor, outboxId, recipientKey } from './notification-ids';

describe('retries and message identity', () => {
  it('backs off exponentially with jitter between half and all of the step, capped', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, 1000, 60_000, () => 0))).toEqual([500, 1000, 2000, 4000]);
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, 1000, 60_000, () => 1))).toEqual([1000, 2000, 4000, 8000]);
    expect(backoffDelay(30, 1000, 60_000, () => 0.5)).toBe(45_000);
  });

  it('treats 5xx replies and unusable envelopes as permanent, everything else as transient', () => {
    expect(classifySendError({ responseCode: 550, response: '550 5.1.1 mailbox unavailable' })).toMatchObject({ permanent: true, responseCode: 550 });
    expect(classifySendError({ responseCode: 451, response: '451 4.3.0 try again later' })).toMatchObject({ permanent: false });
    expect(classifySendError({ code: 'ECONNECTION', message: 'connect ECONNREFUSED 127.0.0.1:1' })).toMatchObject({ permanent: false });
    expect(classifySendError({ code: 'EENVELOPE', message: 'No recipients defined' })).toMatchObject({ permanent: true });
  });

  it('derives the outbox id and the Message-ID from source and recipient', () => {
    const a = outboxId('event-1', 'stage_arrived', recipientKey({ id: 'o-120', email: 'x@y.vn' }));
    expect(outboxId('event-1', 'stage_arrived', recipientKey({ id: 'o-120', email: 'other@y.vn' }))).toBe(a);
    expect(outboxId('event-1', 'stage_arrived', recipientKey({ id: 'o-121', email: 'x@y.vn' }))).not.toBe(a);
    expect(outboxId('event-2', 'stage_arrived', recipientKey({ id: 'o-120', email: 'x@y.vn' }))).not.toBe(a);
    expect(recipientKey({ email: 'Hoa@Example.vn' })).toBe('mailto:hoa@example.vn');
    expect(messageIdFor(a, 'Khen thưởng <no-reply@sonla.gov.vn>')).toBe(`<${a}@sonla.gov.vn>`);
  });
});
