import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { MailSendError, SmtpMailer, type OutgoingMail } from './mailer';

/*
 * How a real SMTP server's refusals reach the sender, over a real connection (the smtp-server package
 * in this process): a refusal of this one message or address is permanent; a refusal of the service's
 * own credentials or sender address is the same for every mail, a configuration to fix, so it is
 * retried rather than failing every queued mail at once.
 */

const GOOD = { user: 'khenthuong', pass: 'đúng-mật-khẩu' };

let server: SMTPServer;
let port: number;

beforeAll(async () => {
  server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authOptional: false,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === GOOD.user && auth.password === GOOD.pass) callback(null, { user: auth.username });
      else callback(Object.assign(new Error('5.7.8 Authentication credentials invalid'), { responseCode: 535 }));
    },
    onMailFrom(address, _session, callback) {
      if (address.address.startsWith('unknown@')) callback(Object.assign(new Error('5.7.1 Sender address rejected: not owned by user'), { responseCode: 553 }));
      else callback();
    },
    onRcptTo(address, _session, callback) {
      if (address.address.startsWith('gone@')) callback(Object.assign(new Error('5.1.1 Mailbox unavailable'), { responseCode: 550 }));
      else callback();
    },
    onData(stream, _session, callback) {
      stream.resume();
      stream.on('end', () => callback());
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  port = (server.server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const mail = (overrides: Partial<OutgoingMail> = {}): OutgoingMail => ({
  messageId: `<${Date.now()}.${Math.random().toString(36).slice(2)}@khenthuong.sonla.gov.vn>`,
  from: 'Khen thưởng tỉnh Sơn La <no-reply@sonla.gov.vn>',
  to: { name: 'Cầm Văn Thanh', address: 'thanh.cv@chienglao.muongla.gov.vn' },
  subject: 'Hồ sơ đề nghị khen thưởng',
  html: '<p>Xin chào</p>',
  text: 'Xin chào',
  ...overrides,
});

async function failureOf(mailer: SmtpMailer, outgoing: OutgoingMail): Promise<MailSendError> {
  try {
    await mailer.send(outgoing);
  } catch (error) {
    expect(error).toBeInstanceOf(MailSendError);
    return error as MailSendError;
  } finally {
    await mailer.close();
  }
  throw new Error('the send went through');
}

const url = (credentials: { user: string; pass: string }): string =>
  `smtp://${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.pass)}@127.0.0.1:${port}`;

describe('SmtpMailer against a real SMTP server', () => {
  it('delivers with the right credentials', async () => {
    const mailer = new SmtpMailer(url(GOOD));
    try {
      expect((await mailer.send(mail())).response).toMatch(/^250/);
    } finally {
      await mailer.close();
    }
  });

  it('counts refused credentials (535) as transient: the service is misconfigured, not the mail', async () => {
    const failure = await failureOf(new SmtpMailer(url({ ...GOOD, pass: 'sai' })), mail());
    expect(failure).toMatchObject({ permanent: false, responseCode: 535 });
    expect(failure.message).toContain('535');
  });

  it('counts a refused sender address (MAIL FROM, 553) as transient: MAIL_FROM is the same for every mail', async () => {
    const failure = await failureOf(new SmtpMailer(url(GOOD)), mail({ from: 'Khen thưởng <unknown@sonla.gov.vn>' }));
    expect(failure).toMatchObject({ permanent: false, responseCode: 553 });
  });

  it('counts a refused recipient (RCPT TO, 550) as permanent: that address will not take it', async () => {
    const failure = await failureOf(new SmtpMailer(url(GOOD)), mail({ to: { name: null, address: 'gone@sonla.gov.vn' } }));
    expect(failure).toMatchObject({ permanent: true, responseCode: 550 });
  });
});
