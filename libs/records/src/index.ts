/*
 * What the service keeps in PostgreSQL beside the event log: units admins edited, the staff directory,
 * decision claims and Idempotency-Key answers. Each is a small port with a PostgreSQL adapter and an
 * in-memory one, both passing the same contract suite (testing/records.contract.ts), so the
 * application layer and the api never talk to the driver.
 */
export * from './unit-records.port';
export * from './staff-records.port';
export * from './decision-claims.port';
export * from './idempotency-records.port';
export { RecordsModule } from './records.module';
export { InMemoryUnitRecords } from './memory/in-memory-unit-records';
export { InMemoryStaffRecords } from './memory/in-memory-staff-records';
export { InMemoryDecisionClaims } from './memory/in-memory-decision-claims';
export { InMemoryIdempotencyRecords } from './memory/in-memory-idempotency-records';
export { PostgresUnitRecords } from './postgres/postgres-unit-records';
export { PostgresStaffRecords } from './postgres/postgres-staff-records';
export { PostgresDecisionClaims } from './postgres/postgres-decision-claims';
export { PostgresIdempotencyRecords } from './postgres/postgres-idempotency-records';
