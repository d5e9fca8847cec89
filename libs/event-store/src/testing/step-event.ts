import { randomUUID } from 'node:crypto';
import type { NewEvent } from '../event-store.port';

/** The i-th of a run of small events by one commune officer: what the audit specs seal and verify. */
export function stepEvent(i: number): NewEvent {
  return {
    id: randomUUID(),
    type: `Step${i}`,
    data: { schemaVersion: 1, note: `Bước ${i} — Xã Chiềng Lao`, i },
    metadata: { actor: { id: `u-${i}`, name: 'Lò Thị Mai', roles: ['officer'], unit: '03814' } },
  };
}
