import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { AUDIT_SERVICES, SealRefused, type AuditServices } from '@app/audit';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { ROOT_LOGGER } from '@app/platform';

/**
 * Seals the log every AUDIT_SEAL_EVERY when anything but seals was appended (API.md, Audit). Any
 * number of workers may run it: the sealer takes a database lock, and one that finds nothing new
 * since the seal another just made does nothing. A log that does not verify is not sealed: that is
 * logged as an error on every round until someone looks.
 */
@Injectable()
export class AuditSealerRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly logger: Logger;

  constructor(
    @Inject(AUDIT_SERVICES) private readonly audit: AuditServices,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ROOT_LOGGER) logger: Logger,
  ) {
    this.logger = logger.child({ component: 'audit-sealer' });
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.round(), this.config.audit.sealEveryMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One round; a round still running when the next is due is not doubled. */
  round(): Promise<void> {
    this.running ??= this.sealOnce().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async sealOnce(): Promise<void> {
    const jobId = `seal-${Date.now()}`;
    try {
      const outcome = await this.audit.sealer.seal();
      if (outcome?.created === true) {
        const { sequence, position, eventCount } = outcome.seal;
        this.logger.info({ jobId, sequence, position, eventCount }, 'audit: log sealed');
      }
    } catch (error) {
      if (error instanceof SealRefused) {
        this.logger.error({ jobId, firstBroken: error.broken }, 'audit: the log does not verify; not sealed');
      } else {
        this.logger.warn({ jobId, err: error }, 'audit: sealing failed; retried next round');
      }
    }
  }
}
