import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { EVENT_STORE, type EventStore } from '@app/event-store';
import { Metrics } from '@app/observability';
import { ReadModelFreshness } from '../freshness/read-model-freshness';
import { checkpointNameOf } from '../projection';
import { PROJECTIONS } from '../projections';

/** How far lag is counted in events; beyond it the gauge says "at least this many". */
export const LAG_SCAN_LIMIT = 1_000;

export interface ProjectionState {
  readonly name: string;
  readonly checkpoint: string | null;
  /** Events in the log after the checkpoint, counted up to LAG_SCAN_LIMIT. */
  readonly behindEvents: number;
  /** Age of the oldest event not yet projected; 0 when caught up. */
  readonly behindSeconds: number;
  readonly stuck: boolean;
}

/**
 * Where each projection stands, seen from the api process: its committed checkpoint (the worker runs
 * the projections) against the log. Served as Prometheus gauges and in /health/ready.
 */
@Injectable()
export class ProjectionStatus implements OnModuleInit {
  constructor(
    private readonly freshness: ReadModelFreshness,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly metrics: Metrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async states(now = new Date()): Promise<ProjectionState[]> {
    const names = PROJECTIONS.map(checkpointNameOf);
    const checkpoints = await this.freshness.checkpoints(names);
    return Promise.all(PROJECTIONS.map(async (projection) => {
      const name = checkpointNameOf(projection);
      const checkpoint = checkpoints.get(name) ?? null;
      const batch = await this.store.readAll({ ...(checkpoint !== null ? { after: checkpoint } : {}), limit: LAG_SCAN_LIMIT });
      const oldest = batch.events[0]?.recordedAt;
      const behindSeconds = oldest === undefined ? 0 : Math.max(0, (now.getTime() - oldest.getTime()) / 1000);
      return {
        name: projection.name, checkpoint: checkpoint?.toString() ?? null, behindEvents: batch.events.length, behindSeconds,
        stuck: behindSeconds > this.config.projectionStuckSeconds,
      };
    }));
  }

  onModuleInit(): void {
    const registry = this.metrics.registry;
    if (registry.getSingleMetric('projection_lag_events') !== undefined) return;
    let pending: Promise<ProjectionState[]> | undefined;
    // One scrape reads the states once for both gauges.
    const read = (): Promise<ProjectionState[]> => {
      pending ??= this.states().finally(() => setTimeout(() => { pending = undefined; }, 100));
      return pending;
    };
    new Gauge({
      name: 'projection_lag_events',
      help: `Events in the log not yet in each read model (counted up to ${LAG_SCAN_LIMIT})`,
      labelNames: ['projection'] as const,
      registers: [registry],
      async collect() {
        for (const s of await read().catch(() => [])) this.set({ projection: s.name }, s.behindEvents);
      },
    });
    new Gauge({
      name: 'projection_lag_seconds',
      help: 'Age of the oldest event not yet in each read model (0 when caught up)',
      labelNames: ['projection'] as const,
      registers: [registry],
      async collect() {
        for (const s of await read().catch(() => [])) this.set({ projection: s.name }, s.behindSeconds);
      },
    });
  }
}
