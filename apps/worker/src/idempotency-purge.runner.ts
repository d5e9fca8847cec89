import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Pool } from 'pg';
import type { Logger } from 'pino';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { PG_POOL, ROOT_LOGGER } from '@app/platform';

const PURGE_EVERY_MS = 60 * 60 * 1000;

/**
 * Deletes stored Idempotency-Key answers older than the retention period. A client retries within
 * minutes, not months; the table must not grow with every write forever. Several workers may run it
 * at once: the DELETE is idempotent.
 */
@Injectable()
export class IdempotencyPurgeRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.purge().catch((error: unknown) => this.logger.warn({ err: error }, 'idempotency purge failed')), PURGE_EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Returns the number of records deleted. */
  async purge(): Promise<number> {
    const result = await this.pool.query(
      "DELETE FROM idempotency_records WHERE created_at < now() - make_interval(days => $1)",
      [this.config.idempotencyRetentionDays],
    );
    if ((result.rowCount ?? 0) > 0) this.logger.info({ deleted: result.rowCount }, 'purged old idempotency records');
    return result.rowCount ?? 0;
  }
}
