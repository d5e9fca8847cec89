import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { createRootLogger } from '@app/observability';
import { IdempotencyPurgeRunner } from '../apps/worker/src/idempotency-purge.runner';
import { WorkerModule } from '../apps/worker/src/worker.module';
import { TestApi } from './support/test-api';

describe('the worker purges idempotency records past their retention', () => {
  let api: TestApi;
  let worker: INestApplicationContext;
  beforeAll(async () => {
    api = await TestApi.start({ IDEMPOTENCY_RETENTION_DAYS: '30' });
    worker = await NestFactory.createApplicationContext(
      WorkerModule.forRoot(api.config, createRootLogger({ level: 'silent', service: 'worker-test' })),
      { logger: false },
    );
    await worker.init();
  });
  afterAll(async () => {
    await worker.close();
    await api.close();
  });

  it('deletes records older than the retention and keeps recent ones', async () => {
    await api.database.pool.query(
      `INSERT INTO idempotency_records (actor_id, key, request_hash, created_at) VALUES
         ('u1', 'old', 'h', now() - interval '31 days'), ('u1', 'recent', 'h', now() - interval '29 days')`,
    );
    expect(await worker.get(IdempotencyPurgeRunner).purge()).toBe(1);
    const { rows } = await api.database.pool.query<{ key: string }>('SELECT key FROM idempotency_records ORDER BY key');
    expect(rows.map((r) => r.key)).toEqual(['recent']);
  });
});
