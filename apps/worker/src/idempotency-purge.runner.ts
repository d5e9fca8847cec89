import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { ROOT_LOGGER } from '@app/platform';
import { IDEMPOTENCY_RECORDS, type IdempotencyRecords } from '@app/records';

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
    @Inject(IDEMPOTENCY_RECORDS) private readonly records: IdempotencyRecords,
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
    const deleted = await this.records.purgeOlderThan(this.config.idempotencyRetentionDays);
    if (deleted > 0) this.logger.info({ deleted }, 'purged old idempotency records');
    return deleted;
  }
}
