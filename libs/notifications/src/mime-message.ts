import { randomBytes } from 'node:crypto';
import MimeNode, { type MimeNodeHeaderValue } from 'nodemailer/lib/mime-node';
import { foldLines } from 'nodemailer/lib/mime-funcs';
import { encode as qpEncode, wrap as qpWrap } from 'nodemailer/lib/qp';

/** What a notification e-mail is made of (see Mailer). */
export interface MessageParts {
  readonly messageId: string;
  readonly from: string;
  readonly to: { readonly name: string | null; readonly address: string };
  readonly subject: string;
  readonly html: string;
  readonly text: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface ComposedMessage {
  readonly envelope: { readonly from: string; readonly to: readonly string[] };
  /** The whole RFC 5322 message, CRLF line ends. */
  readonly raw: Buffer;
}

const CRLF = '\r\n';

/** A body part: UTF-8, quoted-printable, lines of at most 76 characters, CRLF line ends. */
function bodyPart(contentType: string, content: string): string {
  const normalized = content.replace(/\r?\n|\r/g, CRLF);
  return `Content-Type: ${contentType}; charset=utf-8${CRLF}Content-Transfer-Encoding: quoted-printable${CRLF}${CRLF}${qpWrap(qpEncode(normalized), 76)}`;
}

/**
 * Builds a notification e-mail (multipart/alternative: text, then HTML) in memory, in one pass and with
 * no streams. The header values are encoded by nodemailer's own MimeNode rules (encoded words for the
 * Vietnamese subject and names, punycode for international domains) and the bodies by its
 * quoted-printable encoder, so the message says exactly what nodemailer's composer would have said;
 * only the streaming machinery, which cost more than rendering the templates, is left out.
 */
export function composeMessage(mail: MessageParts, date: Date = new Date()): ComposedMessage {
  const node = new MimeNode(false, { textEncoding: 'Q' });
  const header = (key: string, value: MimeNodeHeaderValue): string => foldLines(`${key}: ${node.encodeHeaderValue(key, value)}`, 76) + CRLF;
  const to: MimeNodeHeaderValue = mail.to.name === null ? mail.to.address : { name: mail.to.name, address: mail.to.address };
  node.setHeader('From', mail.from).setHeader('To', to);
  const envelope = node.getEnvelope();
  if (envelope.from === false || envelope.to.length === 0) throw Object.assign(new Error('the message has no usable sender or recipient'), { code: 'EENVELOPE' });
  const boundary = `----_NmA-${randomBytes(12).toString('hex')}`;
  let head = header('Content-Type', `multipart/alternative; boundary="${boundary}"`)
    + header('From', mail.from) + header('To', to) + header('Subject', mail.subject)
    + header('Message-ID', mail.messageId) + `Date: ${date.toUTCString().replace(/GMT/, '+0000')}${CRLF}` + `MIME-Version: 1.0${CRLF}`;
  for (const [key, value] of Object.entries(mail.headers)) head += header(key, value);
  const raw = `${head}${CRLF}--${boundary}${CRLF}${bodyPart('text/plain', mail.text)}${CRLF}--${boundary}${CRLF}${bodyPart('text/html', mail.html)}${CRLF}--${boundary}--${CRLF}`;
  return { envelope: { from: envelope.from, to: envelope.to }, raw: Buffer.from(raw, 'utf8') };
}
