import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { applyWorkerSettings } from './worker-settings';

// The real local Redis, under a prefix of this run's own that is deleted afterwards.
const REDIS_URL = 'redis://127.0.0.1:6379/0';
const PREFIX = `worker-settings-int-${process.pid}-${Date.now().toString(36)}`;
const connection = { url: REDIS_URL, maxRetriesPerRequest: null };

afterAll(async () => {
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${PREFIX}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

describe('applyWorkerSettings', () => {
  it('renews a running job\'s lock within the configured lock time, so a long job is never taken for stalled', async () => {
    const queue = new Queue('long', { connection, prefix: PREFIX });
    let renewals = 0;
    let runs = 0;
    const stalled: string[] = [];
    let renewedOften!: () => void;
    const often = new Promise<void>((resolve) => { renewedOften = resolve; });
    // The job holds on until its lock has been renewed six times (every 250 ms): well past the 1 s lock itself.
    const worker = new Worker('long', async () => { runs++; await often; return 'done'; }, { connection, prefix: PREFIX, autorun: false });
    applyWorkerSettings(worker, { concurrency: 2, lockMs: 1_000 });
    worker.on('locksRenewed', () => { if (++renewals >= 6) renewedOften(); });
    // A stall ends the wait too, so the failure shows as a stall rather than a timeout.
    worker.on('stalled', (jobId) => { stalled.push(jobId); renewedOften(); });
    const completed = new Promise<void>((resolve) => worker.on('completed', () => resolve()));
    try {
      await queue.add('long', {}, { jobId: 'j1' });
      void worker.run();
      // Unfixed, the first renewal comes after 7.5 s: the 1 s lock has long expired and the stall
      // check (every 500 ms) has put the job back to run again.
      await completed;
      expect(renewals).toBeGreaterThanOrEqual(6);
      expect(stalled).toEqual([]);
      expect(runs).toBe(1);
      expect(worker.concurrency).toBe(2);
    } finally {
      await worker.close();
      await queue.close();
    }
  }, 30_000);
});
