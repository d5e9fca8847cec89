import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import type { AppConfig } from '@app/config';
import { EVENT_STORE, type EventStore } from '@app/event-store';
import { ancestryOf, loadReferenceData, ruleSetInForce, vietnamDate, WorkingDayCalendar, type ReferenceData } from '@app/nomination';
import { Metrics } from '@app/observability';
import { PG_POOL, ROOT_LOGGER } from '@app/platform';
import { RecordsModule, STAFF_RECORDS, type StaffRecords } from '@app/records';
import { DigestService } from './digest.service';
import { MailProcessor } from './mail.processor';
import { MailSender } from './mail-sender';
import { MailTemplates } from './mail-templates';
import { FileMailer, SmtpMailer, type Mailer } from './mailer';
import { NotificationDispatcher } from './notification-dispatcher';
import { NotificationDispatcherConsumer } from './notification-dispatcher.consumer';
import { NotificationMetrics } from './notification-metrics';
import { MAIL_QUEUE, NotificationQueues, SCHEDULE_QUEUE } from './notification-queues';
import { NotificationSweeper } from './notification-sweeper';
import { MAILER, NOTIFICATION_CLOCK, type NotificationClock } from './notifications.tokens';
import { OutboxStore } from './outbox.store';
import { ReminderService, type UnitAbove } from './reminder.service';
import { ReminderStore } from './reminder.store';
import { ScheduleProcessor } from './schedule.processor';

const REFERENCE = Symbol('NOTIFICATION_REFERENCE_DATA');
const CALENDAR = Symbol('NOTIFICATION_CALENDAR');

function queues(config: AppConfig): DynamicModule[] {
  return [
    BullModule.forRoot({ connection: { url: config.redisUrl, maxRetriesPerRequest: null }, prefix: config.queuePrefix }),
    BullModule.registerQueue({ name: MAIL_QUEUE }, { name: SCHEDULE_QUEUE }),
  ];
}

/** The code set a staff record without one belongs to: that of the rule set in force today. */
const defaultCodeSet = (reference: ReferenceData) => (): string =>
  ruleSetInForce(reference.ruleSets, vietnamDate(new Date()))?.codeSet ?? reference.ruleSets[reference.ruleSets.length - 1]!.codeSet;

/**
 * The unit above a stage as the nomination recorded it at creation (its ancestry holds the route and
 * every unit above it), never the unit tree of today: after a unit was re-parented, the deciders of its
 * new parent are not sent older nominations (issue 12.14). A nomination recorded before its ancestry
 * was kept knows nothing above its deciding stage, so nobody there is told.
 */
const unitAbove: UnitAbove = async (nomination, stageIndex) => ancestryOf(nomination)[stageIndex + 1]?.unit;

const shared: Provider[] = [
  { provide: OutboxStore, inject: [PG_POOL], useFactory: (pool: Pool) => new OutboxStore(pool) },
  NotificationQueues,
  {
    provide: NotificationMetrics,
    inject: [Metrics, NotificationQueues, OutboxStore],
    useFactory: (metrics: Metrics, queues: NotificationQueues, outbox: OutboxStore) => {
      NotificationMetrics.registerGauges(metrics.registry, queues, outbox);
      return new NotificationMetrics(metrics.registry);
    },
  },
];

/**
 * The notification pipeline. `forWorker` runs it (dispatcher, e-mail and schedule processors,
 * sweeper); `forApi` gives the api what the admin routes and /metrics need (the outbox, the queues).
 */
@Module({})
export class NotificationsModule {
  static forApi(config: AppConfig): DynamicModule {
    return { module: NotificationsModule, imports: queues(config), providers: shared, exports: [OutboxStore, NotificationQueues] };
  }

  static forWorker(config: AppConfig, clock: NotificationClock = () => new Date()): DynamicModule {
    const settings = config.notifications;
    return {
      module: NotificationsModule,
      imports: [...queues(config), RecordsModule],
      providers: [
        ...shared,
        { provide: NOTIFICATION_CLOCK, useValue: clock },
        { provide: REFERENCE, useFactory: () => loadReferenceData() },
        { provide: CALENDAR, inject: [REFERENCE], useFactory: (reference: ReferenceData) => new WorkingDayCalendar(reference.holidays) },
        { provide: MailTemplates, useFactory: () => MailTemplates.load(settings.templatesDir) },
        {
          provide: MAILER,
          inject: [ROOT_LOGGER],
          useFactory: (logger: Logger): Mailer => {
            if (config.smtpUrl !== undefined) {
              return new SmtpMailer(config.smtpUrl, {
                maxConnections: Math.min(settings.concurrency, 10),
                socketTimeoutMs: settings.sendTimeoutMs,
                connectionTimeoutMs: Math.min(10_000, settings.sendTimeoutMs),
              });
            }
            logger.info({ dir: config.mailDir }, 'SMTP_URL is not set: e-mails are written as .eml files');
            return new FileMailer(config.mailDir);
          },
        },
        { provide: ReminderStore, useFactory: () => new ReminderStore() },
        {
          provide: MailSender,
          inject: [OutboxStore, MailTemplates, MAILER, NotificationMetrics, ROOT_LOGGER, STAFF_RECORDS],
          useFactory: (outbox: OutboxStore, templates: MailTemplates, mailer: Mailer, metrics: NotificationMetrics, logger: Logger, staff: StaffRecords) =>
            new MailSender(outbox, templates, mailer, metrics, {
              mailFrom: config.mailFrom, maxAttempts: settings.maxAttempts, retryBaseMs: settings.retryBaseMs, retryMaxMs: settings.retryMaxMs,
              // Longer than any send can last (it times out first), so two workers never send one row at once.
              claimMs: settings.sendTimeoutMs + 5_000,
            }, logger.child({ component: 'mail' }), staff),
        },
        {
          provide: NotificationDispatcher,
          inject: [EVENT_STORE, STAFF_RECORDS, OutboxStore, ReminderStore, CALENDAR, REFERENCE],
          useFactory: (store: EventStore, staff: StaffRecords, outbox: OutboxStore, reminders: ReminderStore, calendar: WorkingDayCalendar, reference: ReferenceData) =>
            new NotificationDispatcher(store, staff, outbox, reminders, calendar, {
              publicUrl: config.publicUrl, mailFrom: config.mailFrom, reminderTime: settings.reminderTime,
            }, defaultCodeSet(reference)),
        },
        {
          provide: ReminderService,
          inject: [PG_POOL, EVENT_STORE, STAFF_RECORDS, OutboxStore, ReminderStore, REFERENCE, NOTIFICATION_CLOCK],
          useFactory: (pool: Pool, store: EventStore, staff: StaffRecords, outbox: OutboxStore, reminders: ReminderStore, reference: ReferenceData, now: NotificationClock) =>
            new ReminderService(pool, store, staff, outbox, reminders, { publicUrl: config.publicUrl, mailFrom: config.mailFrom }, defaultCodeSet(reference), unitAbove, now),
        },
        {
          provide: DigestService,
          inject: [PG_POOL, OutboxStore, CALENDAR, STAFF_RECORDS],
          useFactory: (pool: Pool, outbox: OutboxStore, calendar: WorkingDayCalendar, staff: StaffRecords) =>
            new DigestService(pool, outbox, calendar, { publicUrl: config.publicUrl, mailFrom: config.mailFrom, digestTime: settings.digestTime }, staff),
        },
        NotificationDispatcherConsumer,
        MailProcessor,
        ScheduleProcessor,
        NotificationSweeper,
      ],
      exports: [OutboxStore, NotificationQueues, NotificationDispatcher, NotificationSweeper, MailSender, MAILER, NOTIFICATION_CLOCK],
    };
  }
}
