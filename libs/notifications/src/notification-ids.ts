import { createHash } from 'node:crypto';

/** A UUID (version 8, RFC 9562) derived from its parts by SHA-256: the same inputs give the same id. */
export function derivedUuid(...parts: readonly string[]): string {
  const hash = createHash('sha256').update(parts.join('\u0000')).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x80;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** The outbox id of one notification: its source (event, reminder, digest), template and recipient. */
export function outboxId(source: string, template: string, recipientKey: string): string {
  return derivedUuid('notification', source, template, recipientKey);
}

/** The stable key of a recipient: the staff id, or the address itself for a nominee. */
export function recipientKey(recipient: { readonly id?: string; readonly email: string }): string {
  return recipient.id !== undefined ? `staff:${recipient.id}` : `mailto:${recipient.email.toLowerCase()}`;
}

/**
 * The Message-ID of a notification (RFC 5322 msg-id), derived from the outbox id and therefore from
 * the event and the recipient: a resend after a crash is recognisable as the same message.
 */
export function messageIdFor(id: string, mailFrom: string): string {
  const domain = /@([A-Za-z0-9.-]+)>?\s*$/.exec(mailFrom)?.[1] ?? 'nomination-approvals.invalid';
  return `<${id}@${domain}>`;
}
