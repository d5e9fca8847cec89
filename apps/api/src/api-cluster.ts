import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import { serveClusterMetrics } from '@app/observability';

const FIRST_RESTART_DELAY_MS = 500;
const MAX_RESTART_DELAY_MS = 30_000;
/** A process that ran this long before dying is restarted at once: it did not die of its start. */
const HEALTHY_AFTER_MS = 30_000;
const STOP_TIMEOUT_MS = 25_000;

export interface ApiProcessGroup {
  /** Stops restarting, sends SIGTERM to every process and resolves once all have exited (SIGKILL after a timeout). */
  stop(): Promise<void>;
}

/**
 * The primary of `count` api processes sharing one port (node's cluster, round robin). The api keeps
 * no state of its own between requests (the event log, records, rate limits and Idempotency-Key answers
 * live in PostgreSQL and Redis; the unit directory cache is re-read every few seconds), so any process
 * may answer any request. The primary serves nothing itself: it restarts a process that dies (backing
 * off while they keep dying young) and answers /metrics for the whole group.
 */
export function superviseApiProcesses(count: number, logger: Logger): ApiProcessGroup {
  let stopping = false;
  let restartDelay = FIRST_RESTART_DELAY_MS;
  const startedAt = new Map<number, number>();
  // Pending restarts keep the primary alive: were they unref'd, a group whose every process died young
  // (say, a port taken) would leave the primary with nothing to wait for, and it would exit 0 silently.
  const restarts = new Set<NodeJS.Timeout>();
  serveClusterMetrics();

  const fork = (): void => {
    const worker = cluster.fork();
    startedAt.set(worker.id, Date.now());
  };
  const live = (): Worker[] => Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);

  cluster.on('exit', (worker: Worker, code: number | null, signal: string | null) => {
    const lived = Date.now() - (startedAt.get(worker.id) ?? Date.now());
    startedAt.delete(worker.id);
    if (stopping) return;
    const healthy = lived >= HEALTHY_AFTER_MS;
    restartDelay = healthy ? FIRST_RESTART_DELAY_MS : Math.min(restartDelay * 2, MAX_RESTART_DELAY_MS);
    const delay = healthy ? 0 : restartDelay;
    logger.error({ pid: worker.process.pid, code, signal, livedMs: lived, restartInMs: delay }, 'api process died; starting another');
    const timer = setTimeout(() => {
      restarts.delete(timer);
      if (!stopping) fork();
    }, delay);
    restarts.add(timer);
  });

  for (let i = 0; i < count; i++) fork();
  logger.info({ processes: count }, 'api processes started');

  return {
    async stop(): Promise<void> {
      stopping = true;
      for (const timer of restarts) clearTimeout(timer);
      restarts.clear();
      const workers = live();
      const exited = Promise.all(workers.map((w) => (w.isDead() ? undefined : new Promise((resolve) => w.once('exit', resolve)))));
      for (const worker of workers) worker.process.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), STOP_TIMEOUT_MS);
      });
      if ((await Promise.race([exited, late])) === 'late') {
        logger.warn('api processes did not stop in time; killing them');
        for (const worker of live()) worker.process.kill('SIGKILL');
        await exited;
      }
      clearTimeout(timer);
    },
  };
}
