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
