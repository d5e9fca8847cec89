import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer, { type SendMailOptions, type Transporter } from 'nodemailer';
import { composeMessage } from './mime-message';

export interface OutgoingMail {
  /** RFC 5322 msg-id with angle brackets, derived from the notification (event and recipient). */
  readonly messageId: string;
  readonly from: string;
  readonly to: { readonly name: string | null; readonly address: string };
  readonly subject: string;
  readonly html: string;
  readonly text: string;
}

export interface MailReceipt {
  /** The server's acceptance line (SMTP), or the file written (development). */
  readonly response: string;
  readonly file?: string;
}

/** The mail port: SMTP in production, `.eml` files in development. */
export interface Mailer {
  readonly kind: 'smtp' | 'file';
  /** Resolves only once the message was accepted; throws MailSendError otherwise. */
  send(mail: OutgoingMail): Promise<MailReceipt>;
  close(): Promise<void>;
}

/**
 * A send that did not go through. `permanent` = retrying cannot help (the server refused the address
 * or the message with a 5xx reply); everything else (4xx replies, refused or dropped connections,
 * timeouts) is transient and retried. So is a 5xx refusal of the service itself, its credentials
 * (AUTH) or its sender address (MAIL FROM, that is MAIL_FROM): it is the same for every mail, a
 * configuration to fix, and failing every waiting mail at once for it would leave an administrator
 * hundreds of retries to make once it is fixed.
 */
export class MailSendError extends Error {
  constructor(message: string, readonly permanent: boolean, readonly responseCode?: number) {
    super(message);
  }
}

export function classifySendError(error: unknown): MailSendError {
  if (error instanceof MailSendError) return error;
  const e = error as { message?: string; responseCode?: unknown; code?: unknown; response?: unknown; command?: unknown };
  const responseCode = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const detail = typeof e.response === 'string' ? e.response : (e.message ?? String(error));
  const command = typeof e.command === 'string' ? e.command.toUpperCase() : '';
  if (e.code === 'EAUTH' || e.code === 'ENOAUTH' || command.startsWith('AUTH')) {
    return new MailSendError(`the SMTP server refused the service's credentials (SMTP_URL): ${detail}`, false, responseCode);
  }
  if (command === 'MAIL FROM') return new MailSendError(`the SMTP server refused the sender address (MAIL_FROM): ${detail}`, false, responseCode);
  if (responseCode !== undefined) return new MailSendError(detail, responseCode >= 500 && responseCode < 600, responseCode);
  // No SMTP reply at all: nodemailer refused the envelope itself (an address it cannot use), or the message.
  if (e.code === 'EENVELOPE' || e.code === 'EMESSAGE') return new MailSendError(detail, true);
  return new MailSendError(detail, false);
}

/** RFC 3834: automatic mail; out-of-office robots should not answer it. */
const AUTOMATIC_HEADERS = { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' };

function toNodemailer(mail: OutgoingMail): SendMailOptions {
  return {
    messageId: mail.messageId,
    from: mail.from,
    to: mail.to.name === null ? mail.to.address : { name: mail.to.name, address: mail.to.address },
    subject: mail.subject,
    html: mail.html,
    text: mail.text,
    headers: AUTOMATIC_HEADERS,
    textEncoding: 'quoted-printable',
  };
}

export interface SmtpMailerOptions {
  /** Pooled connections kept open to the server. */
  readonly maxConnections?: number;
  readonly connectionTimeoutMs?: number;
  /** Abort a send that hangs (a server that stops answering mid-message) after this long. */
  readonly socketTimeoutMs?: number;
}

/** nodemailer over SMTP with a connection pool (SMTP_URL: smtp:// with STARTTLS when offered, smtps:// for implicit TLS). */
export class SmtpMailer implements Mailer {
  readonly kind = 'smtp';
  private readonly transport: Transporter;

  constructor(smtpUrl: string, options: SmtpMailerOptions = {}) {
    const url = new URL(smtpUrl);
    const secure = url.protocol === 'smtps:';
    this.transport = nodemailer.createTransport({
      pool: true,
      host: url.hostname,
      port: url.port === '' ? (secure ? 465 : 25) : Number(url.port),
      secure,
      ...(url.username !== '' ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } } : {}),
      maxConnections: options.maxConnections ?? 5,
      maxMessages: Infinity,
      connectionTimeout: options.connectionTimeoutMs ?? 10_000,
      greetingTimeout: options.connectionTimeoutMs ?? 10_000,
      socketTimeout: options.socketTimeoutMs ?? 60_000,
    });
    // A pooled connection dropping while idle must not crash the worker; the next send reconnects.
    this.transport.on('error', () => undefined);
  }

  async send(mail: OutgoingMail): Promise<MailReceipt> {
    try {
      // Composed here in one buffer (composeMessage): the transport then writes the DATA in one go.
      const { envelope, raw } = composeMessage({ ...mail, headers: AUTOMATIC_HEADERS });
      const info = (await this.transport.sendMail({ envelope: { from: envelope.from, to: [...envelope.to] }, raw })) as { response?: string; rejected?: unknown[] };
      if (Array.isArray(info.rejected) && info.rejected.length > 0) throw new MailSendError(`recipient refused: ${info.response ?? ''}`, true);
      return { response: info.response ?? '' };
    } catch (error) {
      throw classifySendError(error);
    }
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}

/**
 * The development default (no SMTP_URL): each mail becomes `<dir>/<yyyy-mm-dd>/<message id>.eml`, the
 * exact bytes an SMTP server would have received. Written to a temporary name and renamed, so a killed
 * worker never leaves half a file, and rewritten identically when a mail is sent again.
 */
export class FileMailer implements Mailer {
  readonly kind = 'file';
  private readonly transport: Transporter;

  constructor(private readonly dir: string) {
    this.transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  }

  async send(mail: OutgoingMail): Promise<MailReceipt> {
    try {
      const info = (await this.transport.sendMail(toNodemailer(mail))) as { message: Buffer };
      const day = new Date().toISOString().slice(0, 10);
      const folder = path.resolve(this.dir, day);
      await mkdir(folder, { recursive: true });
      const file = path.join(folder, `${mail.messageId.replace(/[<>]/g, '').replace(/[^A-Za-z0-9.@-]/g, '_')}.eml`);
      const temporary = `${file}.${process.pid}.tmp`;
      await writeFile(temporary, info.message);
      await rename(temporary, file);
      return { response: `written to ${file}`, file };
    } catch (error) {
      throw new MailSendError((error as Error).message, false);
    }
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}
