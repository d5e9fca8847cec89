import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** One message the peer accepted (it answered 250 to the DATA). */
export interface ReceivedMail {
  readonly messageId: string;
  /** Envelope recipients (RCPT TO). */
  readonly to: readonly string[];
  readonly subject: string;
  /** Raw header lines, unfolded, as received. */
  readonly headers: ReadonlyMap<string, string>;
  readonly raw: string;
  /** The whole message with quoted-printable undone (soft breaks removed, bytes read as UTF-8). */
  readonly decoded: string;
  /** When the client began sending this message's DATA (before any answering delay). */
  readonly dataStartedAt: number;
  readonly acceptedAt: number;
}

/** What the peer answers: accept, refuse for a while (451), or refuse some recipients for good (550). */
export interface PeerPolicy {
  mode: 'accept' | 'tempfail';
  rejectRecipients: Set<string>;
  /** Milliseconds to wait before answering a message (so that a kill can fall mid-send). */
  delayMs: () => number;
}

/** RFC 2047 encoded words (=?UTF-8?Q?…?= / =?UTF-8?B?…?=), adjacent ones joined. */
export function decodeEncodedWords(value: string): string {
  return value
    .replace(/(=\?[^?]+\?[QqBb]\?[^?]*\?=)\s+(?==\?)/g, '$1')
    .replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_all, _charset: string, encoding: string, text: string) => {
      const bytes = encoding.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64')
        : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1');
      return bytes.toString('utf8');
    });
}

export function decodeQuotedPrintable(text: string): string {
  const bytes = Buffer.from(text.replace(/=\r?\n/g, ''), 'utf8').toString('latin1')
    .replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

function parseHeaders(raw: string): Map<string, string> {
  const head = raw.split(/\r?\n\r?\n/, 1)[0]!.replace(/\r?\n[ \t]+/g, ' ');
  const headers = new Map<string, string>();
  for (const line of head.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
}

/**
 * A real SMTP server in the test process (the `smtp-server` package) on a free port, recording what it
 * accepted. Its policy can change while a test runs: refuse everything for a while, refuse an address.
 */
export class SmtpPeer {
  readonly received: ReceivedMail[] = [];
  readonly policy: PeerPolicy = { mode: 'accept', rejectRecipients: new Set(), delayMs: () => 0 };
  /** Transactions refused with 451 while `mode` was `tempfail`. */
  refusals = 0;
  private readonly events = new EventEmitter();

  private constructor(private readonly server: SMTPServer, readonly port: number) {}

  static async start(): Promise<SmtpPeer> {
    const self: { peer?: SmtpPeer } = {};
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      size: 10 * 1024 * 1024,
      onMailFrom(_address, _session, callback) {
        if (self.peer!.policy.mode === 'tempfail') {
          self.peer!.refusals += 1;
          self.peer!.events.emit('refused');
          callback(Object.assign(new Error('4.3.2 Service busy, try again later'), { responseCode: 451 }));
          return;
        }
        callback();
      },
      onRcptTo(address, _session, callback) {
        if (self.peer!.policy.rejectRecipients.has(address.address.toLowerCase())) {
          callback(Object.assign(new Error(`5.1.1 <${address.address}>: mailbox unavailable`), { responseCode: 550 }));
          return;
        }
        callback();
      },
      onData(stream, session, callback) {
        const dataStartedAt = Date.now();
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const answer = (): void => {
            const raw = Buffer.concat(chunks).toString('utf8');
            const headers = parseHeaders(raw);
            const mail: ReceivedMail = {
              messageId: headers.get('message-id') ?? '',
              to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
              subject: decodeEncodedWords(headers.get('subject') ?? ''),
              headers, raw, decoded: decodeQuotedPrintable(raw), dataStartedAt, acceptedAt: Date.now(),
            };
            self.peer!.received.push(mail);
            callback();
            self.peer!.events.emit('mail', mail);
          };
          const delay = self.peer!.policy.delayMs();
          if (delay > 0) setTimeout(answer, delay);
          else answer();
        });
      },
    });
    // A client killed mid-transaction resets its connection: that is the test, not a failure of the peer.
    server.on('error', () => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const port = ((server as unknown as { server: { address(): AddressInfo } }).server.address()).port;
    self.peer = new SmtpPeer(server, port);
    return self.peer;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** Resolves once `done(received)` holds, checked at every accepted mail (no polling). */
  async until(done: (received: readonly ReceivedMail[]) => boolean, timeoutMs = 60_000, what = 'mails'): Promise<void> {
    if (done(this.received)) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.events.off('mail', check);
        reject(new Error(`SMTP peer: ${what} not received within ${timeoutMs} ms (got ${this.received.length})`));
      }, timeoutMs);
      const check = (): void => {
        if (!done(this.received)) return;
        clearTimeout(timer);
        this.events.off('mail', check);
        resolve();
      };
      this.events.on('mail', check);
    });
  }

  /** Resolves once `refusals` reaches `n` (counted at each refusal, no polling). */
  async untilRefused(n: number, timeoutMs = 60_000): Promise<void> {
    if (this.refusals >= n) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.events.off('refused', check);
        reject(new Error(`SMTP peer: ${n} refusals not reached within ${timeoutMs} ms (got ${this.refusals})`));
      }, timeoutMs);
      const check = (): void => {
        if (this.refusals < n) return;
        clearTimeout(timer);
        this.events.off('refused', check);
        resolve();
      };
      this.events.on('refused', check);
    });
  }

  /** Distinct Message-IDs received, with how many times each arrived. */
  counts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const m of this.received) counts.set(m.messageId, (counts.get(m.messageId) ?? 0) + 1);
    return counts;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
