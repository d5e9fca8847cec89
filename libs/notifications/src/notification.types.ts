import type { LocalizedText } from '@app/nomination';

/** The templates of API.md's table, plus the daily digest. Persisted in the outbox: never rename. */
export const TEMPLATE_NAMES = [
  'stage_arrived', 'returned', 'awaiting_decision', 'not_awarded', 'awarded', 'revoked', 'due_soon', 'overdue', 'daily_digest',
] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

export const LOCALES = ['vi', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

export const NOTIFICATION_PREFERENCES = ['immediate', 'daily_digest'] as const;
export type NotificationPreference = (typeof NOTIFICATION_PREFERENCES)[number];

/** `digest` = an item waiting for its recipient's daily digest; `digested` = already folded into one. */
export type Delivery = 'immediate' | 'digest' | 'digested';
export type OutboxStatus = 'pending' | 'sent' | 'failed';

/**
 * What a notification says, fixed when it is created so that a resend says the same thing. Dates are
 * Vietnam calendar dates `YYYY-MM-DD`; localisable values carry both languages.
 */
export interface NotificationPayload {
  readonly nominationId: string;
  readonly nomineeName: string;
  readonly awardName: LocalizedText;
  readonly year: number;
  /** The stage concerned: where the dossier arrived, returned from, is due or overdue at. */
  readonly stage?: { readonly unit: string; readonly unitName: string; readonly level: string };
  readonly dueOn?: string;
  readonly resubmission?: boolean;
  readonly reason?: string;
  readonly reasonCode?: string;
  readonly missing?: readonly string[];
  readonly ground?: string;
  readonly decisionNumber?: string;
  readonly signedOn?: string;
  readonly link: string;
}

/** The daily digest: every item that waited for this recipient's digest, oldest first. */
export interface DigestPayload {
  readonly digestOn: string;
  /** The Vietnam wall-clock time the digest is assembled at (DIGEST_TIME). */
  readonly digestTime: string;
  readonly items: readonly (NotificationPayload & { readonly template: TemplateName })[];
  readonly link: string;
}

export interface Recipient {
  /** Staff id; undefined for a nominee's own address. */
  readonly id?: string;
  readonly email: string;
  readonly name?: string;
  readonly locale: Locale;
  readonly preference: NotificationPreference;
  /** The unit of the staff member's record; undefined for a nominee's own address. */
  readonly unit?: OutboxUnit;
}

/**
 * The unit a notification belongs to, whose admins (and those above) list and retry it: the recipient's
 * unit for staff, the proposing unit for a nominee's own address. Recorded when the row is written.
 */
export interface OutboxUnit {
  readonly codeSet: string;
  readonly code: string;
}

/**
 * A nomination's unit chain as recorded when it was created (NominationCreated `ancestry`, lowest unit
 * first: the proposing unit, then every unit above it in its code set). An outbox row about the
 * nomination takes its own chain from it, never from the unit tree of the moment (issue 12.14).
 */
export interface RecordedChain {
  readonly codeSet: string;
  readonly proposingUnit: string;
  readonly units: readonly string[];
}

/** Who is told: the active staff of a unit with a role, one staff member, or a plain address. */
export type Audience =
  | { readonly kind: 'role'; readonly unit: string; readonly codeSet: string; readonly role: 'officer' | 'decider' | 'proposer' }
  /** A staff member by id; when absent or inactive, the fallback audience is told instead. */
  | { readonly kind: 'staff'; readonly id: string; readonly fallback: Audience }
  | { readonly kind: 'address'; readonly email: string; readonly name: string };

export interface NotificationIntent {
  readonly template: Exclude<TemplateName, 'daily_digest'>;
  readonly audiences: readonly Audience[];
  readonly payload: NotificationPayload;
}

/** One outbox row as the processor and the admin listing see it. */
export interface OutboxEntry {
  readonly id: string;
  readonly template: TemplateName;
  readonly delivery: Delivery;
  readonly source: string;
  readonly nominationId: string | null;
  readonly recipient: { readonly id: string | null; readonly email: string; readonly name: string | null };
  readonly locale: Locale;
  readonly messageId: string;
  readonly payload: NotificationPayload | DigestPayload;
  readonly status: OutboxStatus;
  readonly attempts: number;
  readonly lastError: string | null;
  readonly occurredAt: Date;
  readonly createdAt: Date;
  readonly sentAt: Date | null;
  readonly failedAt: Date | null;
  readonly unit: OutboxUnit | null;
  /** The row's unit and the units above it as recorded (lowest first): the admins who list and retry it. */
  readonly ancestry: readonly string[];
}

/** A row about to be written to the outbox. */
export interface NewOutboxEntry {
  readonly id: string;
  readonly template: TemplateName;
  readonly delivery: 'immediate' | 'digest';
  readonly source: string;
  readonly nominationId: string | null;
  readonly recipient: Recipient;
  readonly messageId: string;
  readonly payload: NotificationPayload | DigestPayload;
  readonly occurredAt: Date;
  /** Log position of the source event (none for reminders and digests): retention purges behind the dispatcher only. */
  readonly sourcePosition?: bigint;
  readonly unit: OutboxUnit | null;
  /** The unit and the units above it as recorded (see `outboxAncestry`); empty when the unit is unknown. */
  readonly ancestry: readonly string[];
}
