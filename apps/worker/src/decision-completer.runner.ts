import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Pool } from 'pg';
import type { Logger } from 'pino';
import { EVENT_STORE, type EventStore } from '@app/event-store';
import { DurableSubscriber, PG_POOL, ROOT_LOGGER } from '@app/platform';
import { DecisionCompleter, DecisionWorkflow } from '@app/workflow';

/** Keeps the decision completer running in this worker (active in one worker at a time). */
@Injectable()
export class DecisionCompleterRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly subscriber: DurableSubscriber;

  constructor(
    @Inject(PG_POOL) pool: Pool,
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(ROOT_LOGGER) logger: Logger,
    decisions: DecisionWorkflow,
  ) {
    this.subscriber = new DurableSubscriber(pool, store, new DecisionCompleter(decisions), logger);
  }

  onApplicationBootstrap(): void {
    this.subscriber.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscriber.stop();
  }
}
