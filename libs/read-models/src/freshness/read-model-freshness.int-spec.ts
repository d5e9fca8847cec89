import { once } from 'node:events';
import { Client } from 'pg';
import pino from 'pino';
import { createTestDatabase, type TestDatabase } from '@app/database/testing';
import { CHECKPOINT_CHANNEL } from '@app/platform';
import { ReadModelFreshness } from './read-model-freshness';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database?.drop();
});

describe('ReadModelFreshness', () => {
  it('waits on its LISTEN connection and, after shutdown, leaves that connection to the pool: the server ending it then is no double release', async () => {
    const freshness = new ReadModelFreshness(database.pool, pino({ level: 'silent' }));
    await database.pool.query("INSERT INTO subscription_checkpoints (name, position) VALUES ('nominations', 0)");
    const waiting = freshness.waitFor(['nominations'], 7n);
    // What the worker's checkpoint commit does.
    await database.pool.query("UPDATE subscription_checkpoints SET position = 7 WHERE name = 'nominations'");
    await database.pool.query('SELECT pg_notify($1, $2)', [CHECKPOINT_CHANNEL, 'nominations 7']);
    await waiting;
    const { rows: [listening] } = await database.pool.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'`,
    );
    expect(listening).toBeDefined();
    await freshness.onApplicationShutdown();

    // The connection that listened is idle in the pool now. The server ends it (a restart, a failover,
    // an administrator): the pool drops it and reports the error, and nothing throws.
    const poolError = once(database.pool, 'error');
    const admin = new Client({ connectionString: database.url });
    await admin.connect();
    try {
      expect((await admin.query('SELECT pg_terminate_backend($1) AS ended', [listening!.pid])).rows).toEqual([{ ended: true }]);
    } finally {
      await admin.end();
    }
    await poolError;
    expect((await database.pool.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });
});
