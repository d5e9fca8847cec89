// Public surface of @app/notifications: who is told what, templates, the mailer and the pipeline.
export {
  TEMPLATE_NAMES, type TemplateName, LOCALES, type Locale, NOTIFICATION_PREFERENCES, type NotificationPreference,
  type OutboxEntry, type OutboxStatus, type OutboxUnit, type NotificationPayload, type DigestPayload, type Audience, type NotificationIntent, type Recipient,
} from './notification.types';
export { notificationsFor, reminderIntent, nominationLink, type NominationContext } from './notification-rules';
export { remindersForStage, workingDaysBefore, vietnamInstant, type ScheduledReminder, type ReminderKind } from './reminder-schedule';
export { MailTemplates, TemplateError, formatDate, type RenderedMail } from './mail-templates';
export { parseTemplate, renderNodes, escapeHtml, TemplateSyntaxError } from './template-engine';
export { FileMailer, SmtpMailer, MailSendError, classifySendError, type Mailer, type OutgoingMail, type MailReceipt } from './mailer';
export { backoffDelay, MailSender, type SendOutcome } from './mail-sender';
export { OutboxStore, decodeOutboxCursor, inTransaction, type ClaimOutcome, type OutboxPage, type OutboxScope, type RetryOutcome, type Queryable } from './outbox.store';
export { ReminderStore } from './reminder.store';
export { NotificationDispatcher, DISPATCHER_NAME, type DispatchOutcome } from './notification-dispatcher';
export { NotificationDispatcherConsumer } from './notification-dispatcher.consumer';
export { ReminderService } from './reminder.service';
export { DigestService, latestDigestDay } from './digest.service';
export { NotificationQueues, MAIL_QUEUE, SCHEDULE_QUEUE } from './notification-queues';
export { NotificationSweeper, type SweepResult } from './notification-sweeper';
export { NotificationMetrics } from './notification-metrics';
export { NotificationsModule } from './notifications.module';
export { MailProcessor } from './mail.processor';
export { ScheduleProcessor } from './schedule.processor';
export { MAILER, NOTIFICATION_CLOCK, type NotificationClock } from './notifications.tokens';
export { derivedUuid, messageIdFor, outboxId } from './notification-ids';
