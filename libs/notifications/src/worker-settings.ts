import type { Worker } from 'bullmq';

/**
 * Applies the configured lock and stall settings to a worker @nestjs/bullmq created with the
 * decorator's static options, before it runs. BullMQ builds the worker's lock manager in the
 * constructor from the options then (a 30 s lock renewed every 7.5 s), so changing `opts` alone left
 * locks renewed on the default schedule: with NOTIFICATION_JOB_LOCK_MS under 15 s a job's lock expired
 * mid-send and stall detection ran the job a second time. The manager is rebuilt here from the new
 * options (it starts only with `run()`, which has not happened yet).
 */
export function applyWorkerSettings(worker: Worker, settings: { readonly concurrency: number; readonly lockMs: number }): void {
  worker.concurrency = settings.concurrency;
  Object.assign(worker.opts, {
    lockDuration: settings.lockMs,
    lockRenewTime: Math.floor(settings.lockMs / 2),
    stalledInterval: Math.max(500, Math.floor(settings.lockMs / 2)),
    // A job whose worker was killed comes back through stall detection; the outbox counts real attempts.
    maxStalledCount: 1_000,
  });
  (worker as unknown as { createLockManager(): void }).createLockManager();
}
