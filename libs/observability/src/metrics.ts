import cluster from 'node:cluster';
import { AggregatorRegistry, Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * One registry per process, served at GET /metrics in Prometheus text format; in a cluster of api
 * processes the primary sums every process's registry (see cluster-metrics.ts).
 */
export class Metrics {
  readonly registry = new Registry();

  readonly httpRequests = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly commands = new Counter({
    name: 'nomination_commands_total',
    help: 'Commands handled, by command name and outcome code',
    labelNames: ['command', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly jobs = new Counter({
    name: 'jobs_total',
    help: 'Background jobs by queue and outcome',
    labelNames: ['queue', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly consumerEvents = new Counter({
    name: 'durable_consumer_events_total',
    help: 'Events handled and committed by each durable consumer (projection, outbox, process manager)',
    labelNames: ['consumer'] as const,
    registers: [this.registry],
  });

  readonly consumerSkipped = new Counter({
    name: 'durable_consumer_skipped_events_total',
    help: 'Events a durable consumer skipped: undecodable, or failing for a reason that is not transient',
    labelNames: ['consumer', 'reason'] as const,
    registers: [this.registry],
  });

  readonly consumerFeedBatches = new Counter({
    name: 'durable_consumer_feed_batches_total',
    help: "Batches of the worker's one shared read of the log, each read and decoded once for every consumer that has caught up",
    registers: [this.registry],
  });

  readonly consumerFeedEvents = new Counter({
    name: 'durable_consumer_feed_events_total',
    help: "Events read by the worker's shared read of the log",
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    if (cluster.isWorker) {
      AggregatorRegistry.setRegistries(this.registry);
      // Constructing one is what makes prom-client answer the primary's requests for this process's metrics.
      new AggregatorRegistry();
    }
  }
}
