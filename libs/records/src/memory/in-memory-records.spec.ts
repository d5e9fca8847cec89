import {
  describeDecisionClaimsContract,
  describeIdempotencyRecordsContract,
  describeStaffRecordsContract,
  describeUnitRecordsContract,
} from '../testing/records.contract';
import { InMemoryDecisionClaims } from './in-memory-decision-claims';
import { entryId, InMemoryIdempotencyRecords } from './in-memory-idempotency-records';
import { InMemoryStaffRecords } from './in-memory-staff-records';
import { InMemoryUnitRecords } from './in-memory-unit-records';

class AgeableIdempotencyRecords extends InMemoryIdempotencyRecords {
  backdate(actorId: string, key: string, days: number): void {
    const entry = this.entries.get(entryId(actorId, key));
    if (entry !== undefined) entry.createdAt -= days * 24 * 60 * 60 * 1000;
  }
}

describeUnitRecordsContract('in memory', () => new InMemoryUnitRecords());
describeStaffRecordsContract('in memory', () => new InMemoryStaffRecords());
describeDecisionClaimsContract('in memory', () => new InMemoryDecisionClaims());
describeIdempotencyRecordsContract('in memory', () => {
  const records = new AgeableIdempotencyRecords();
  return { records, backdate: async (actorId, key, days) => records.backdate(actorId, key, days) };
});
