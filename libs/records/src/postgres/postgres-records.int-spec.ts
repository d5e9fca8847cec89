import { randomUUID } from 'node:crypto';
import { createPool } from '@app/database';
import { createTestDatabase, type TestDatabase } from '@app/database/testing';
import {
  describeDecisionClaimsContract,
  describeIdempotencyRecordsContract,
  describeStaffRecordsContract,
  describeUnitRecordsContract,
} from '../testing/records.contract';
import { PostgresDecisionClaims } from './postgres-decision-claims';
import { PostgresIdempotencyRecords } from './postgres-idempotency-records';
import { PostgresStaffRecords } from './postgres-staff-records';
import { PostgresUnitRecords } from './postgres-unit-records';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase({ max: 12 });
});

afterAll(async () => {
  await database?.drop();
});

describeUnitRecordsContract('PostgreSQL', () => new PostgresUnitRecords(database.pool));
describeStaffRecordsContract('PostgreSQL', () => new PostgresStaffRecords(database.pool));
describeDecisionClaimsContract('PostgreSQL', () => new PostgresDecisionClaims(database.pool));
describeIdempotencyRecordsContract('PostgreSQL', () => ({
  records: new PostgresIdempotencyRecords(database.pool),
  backdate: async (actorId, key, days) => {
    await database.pool.query(
      'UPDATE idempotency_records SET created_at = now() - make_interval(days => $3) WHERE actor_id = $1 AND key = $2',
      [actorId, key, days],
    );
  },
}));

describe('PostgresDecisionClaims on a small pool', () => {
  it('never lets nomination guards take every connection while their commands need one more (a bulk rejection)', async () => {
    const pool = createPool(database.url, { max: 4, applicationName: 'test-small' });
    try {
      const claims = new PostgresDecisionClaims(pool);
      // Each guard's command reads and appends on other connections of the same pool; with every
      // connection held by a guard, none would ever get one.
      const done = await Promise.all(Array.from({ length: 12 }, () => claims.withNominationGuard(randomUUID(), async () => {
        await pool.query('SELECT pg_sleep(0.01)');
        return (await pool.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one;
      })));
      expect(done).toEqual(Array.from({ length: 12 }, () => 1));
    } finally {
      await pool.end();
    }
  });
});
