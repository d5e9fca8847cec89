/** Injection tokens of the notification pipeline. */
export const MAILER = Symbol('MAILER');
/** The time the reminders and the digest go by; tests move it. */
export const NOTIFICATION_CLOCK = Symbol('NOTIFICATION_CLOCK');
export type NotificationClock = () => Date;
