import { composeMessage } from './mime-message';

const decodeWords = (value: string): string => value
  .replace(/(=\?[^?]+\?Q\?[^?]*\?=)\s+(?==\?)/g, '$1')
  .replace(/=\?UTF-8\?Q\?([^?]*)\?=/g, (_m, text: string) =>
    Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/g, (_x, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1').toString('utf8'));
const decodeQp = (text: string): string =>
  Buffer.from(text.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1').toString('utf8');

const mail = {
  messageId: '<8f14e45f-ceea-4e7a-8000-000000000001@sonla.gov.vn>',
  from: 'Khen thưởng <no-reply@sonla.gov.vn>',
  to: { name: 'Cầm Thị Duyên', address: 'duyen.ct@chiềnglao.sonla.gov.vn' },
  subject: '[Khen thưởng] Hồ sơ mới: Tổ dân phố số 12 – Chiềng Lao – Bằng khen của Chủ tịch UBND tỉnh',
  text: 'Kính gửi Cầm Thị Duyên,\n\nHồ sơ đề nghị khen thưởng dưới đây đã được chuyển đến UBND xã Chiềng Lao.\n.\nhttps://khenthuong.sonla.gov.vn/nominations/1\n',
  html: '<p>Kính gửi <strong>Cầm Thị Duyên</strong>,</p>\n<table><tr><th>Đối tượng</th><td>Tổ dân phố số 12</td></tr></table>\n',
  headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' },
};

describe('composeMessage', () => {
  const { envelope, raw } = composeMessage(mail, new Date('2026-12-01T01:30:00Z'));
  const message = raw.toString('utf8');
  const [head, ...rest] = message.split('\r\n\r\n');
  const headers = new Map(head!.replace(/\r\n[ \t]+/g, ' ').split('\r\n').map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));

  it('is 7-bit ASCII with CRLF line ends no longer than 78 characters', () => {
    expect([...message].every((c) => c === '\t' || c === '\r' || c === '\n' || (c >= ' ' && c <= '~'))).toBe(true);
    expect(message.replace(/\r\n/g, '').includes('\n')).toBe(false);
    expect(message.split('\r\n').every((line) => line.length <= 78)).toBe(true);
  });

  it('carries the Message-ID, the date and the automatic-mail headers, and encodes Vietnamese as UTF-8 words', () => {
    expect(headers.get('message-id')).toBe(mail.messageId);
    expect(headers.get('date')).toBe('Tue, 01 Dec 2026 01:30:00 +0000');
    expect(headers.get('mime-version')).toBe('1.0');
    expect(headers.get('auto-submitted')).toBe('auto-generated');
    expect(headers.get('x-auto-response-suppress')).toBe('All');
    expect(decodeWords(headers.get('subject')!)).toBe(mail.subject);
    expect(decodeWords(headers.get('from')!)).toBe('Khen thưởng <no-reply@sonla.gov.vn>');
    // An international domain goes out as punycode, in the header and in the envelope alike.
    expect(decodeWords(headers.get('to')!)).toBe('Cầm Thị Duyên <duyen.ct@xn--chinglao-x50d.sonla.gov.vn>');
    expect(envelope).toEqual({ from: 'no-reply@sonla.gov.vn', to: ['duyen.ct@xn--chinglao-x50d.sonla.gov.vn'] });
  });

  it('holds the text and the HTML as quoted-printable UTF-8 alternatives', () => {
    const boundary = /boundary="([^"]+)"/.exec(headers.get('content-type')!)![1]!;
    expect(headers.get('content-type')).toMatch(/^multipart\/alternative;/);
    const parts = rest.join('\r\n\r\n').split(`--${boundary}`);
    expect(parts[parts.length - 1]).toBe('--\r\n');
    const [text, html] = parts.slice(1, 3).map((part) => {
      const trimmed = part.replace(/^\r\n/, '');
      const split = trimmed.indexOf('\r\n\r\n');
      return { head: trimmed.slice(0, split), body: decodeQp(trimmed.slice(split + 4).replace(/\r\n$/, '')) };
    });
    expect(text!.head).toBe('Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable');
    expect(html!.head).toBe('Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable');
    expect(text!.body).toBe(mail.text.replace(/\n/g, '\r\n'));
    expect(html!.body).toBe(mail.html.replace(/\n/g, '\r\n'));
  });

  it('refuses a message without a usable recipient as an envelope error (permanent)', () => {
    expect(() => composeMessage({ ...mail, to: { name: null, address: '' } })).toThrow(expect.objectContaining({ code: 'EENVELOPE' }));
  });
});
