import { Module } from '@nestjs/common';
import type { Pool } from 'pg';
import { PG_POOL } from '@app/platform';
import { DECISION_CLAIMS } from './decision-claims.port';
import { IDEMPOTENCY_RECORDS } from './idempotency-records.port';
import { PostgresDecisionClaims } from './postgres/postgres-decision-claims';
import { PostgresIdempotencyRecords } from './postgres/postgres-idempotency-records';
import { PostgresStaffRecords } from './postgres/postgres-staff-records';
import { PostgresUnitRecords } from './postgres/postgres-unit-records';
import { STAFF_RECORDS } from './staff-records.port';
import { UNIT_RECORDS } from './unit-records.port';

/** The PostgreSQL adapters of the records ports, on the process's pool. */
@Module({
  providers: [
    { provide: UNIT_RECORDS, inject: [PG_POOL], useFactory: (pool: Pool) => new PostgresUnitRecords(pool) },
    { provide: STAFF_RECORDS, inject: [PG_POOL], useFactory: (pool: Pool) => new PostgresStaffRecords(pool) },
    { provide: DECISION_CLAIMS, inject: [PG_POOL], useFactory: (pool: Pool) => new PostgresDecisionClaims(pool) },
    { provide: IDEMPOTENCY_RECORDS, inject: [PG_POOL], useFactory: (pool: Pool) => new PostgresIdempotencyRecords(pool) },
  ],
  exports: [UNIT_RECORDS, STAFF_RECORDS, DECISION_CLAIMS, IDEMPOTENCY_RECORDS],
})
export class RecordsModule {}
