import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { OutboxStore } from './outbox.store';
import type { NotificationQueues } from './notification-queues';

/**
 * Notification figures in /metrics. Counters and the latency histogram belong to the worker process
 * that sends; the gauges (queue depth, outbox rows by status) are read from Redis and PostgreSQL at
 * scrape time, so every process reports the same cluster-wide figures.
 */
export class NotificationMetrics {
  readonly sent: Counter<'template'>;
  readonly failed: Counter<'template' | 'reason'>;
  readonly retried: Counter<'template'>;
  readonly latency: Histogram<'template'>;
  readonly smtp: Histogram;

  constructor(registry: Registry) {
    this.sent = new Counter({ name: 'notifications_sent_total', help: 'E-mails accepted by the SMTP server (or written to MAIL_DIR)', labelNames: ['template'], registers: [registry] });
    this.failed = new Counter({ name: 'notifications_failed_total', help: 'E-mails marked failed: refused permanently, or out of attempts', labelNames: ['template', 'reason'], registers: [registry] });
    this.retried = new Counter({ name: 'notifications_retried_total', help: 'Transient send failures that will be retried', labelNames: ['template'], registers: [registry] });
    this.latency = new Histogram({
      name: 'notification_delivery_seconds',
      help: 'From the event (or reminder, digest) that caused a notification to its acceptance by the SMTP server',
      labelNames: ['template'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800],
      registers: [registry],
    });
    this.smtp = new Histogram({
      name: 'notification_smtp_send_seconds', help: 'Duration of one SMTP transaction',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10], registers: [registry],
    });
  }

  /** Adds the scrape-time gauges; both the api and the worker call this. */
  static registerGauges(registry: Registry, queues: NotificationQueues, outbox: OutboxStore): void {
    if (registry.getSingleMetric('notification_queue_jobs') !== undefined) return;
    new Gauge({
      name: 'notification_queue_jobs', help: 'Jobs in the notification queues by state (queue depth)', labelNames: ['queue', 'state'], registers: [registry],
      async collect() {
        for (const d of await queues.depth().catch(() => [])) this.set({ queue: d.queue, state: d.state }, d.jobs);
      },
    });
    new Gauge({
      name: 'notification_outbox_rows', help: 'Notifications in the outbox by status (digest = waiting for a daily digest)', labelNames: ['status'], registers: [registry],
      async collect() {
        const counts = await outbox.countByStatus().catch(() => undefined);
        if (counts !== undefined) for (const [status, n] of Object.entries(counts)) this.set({ status }, n);
      },
    });
  }
}
