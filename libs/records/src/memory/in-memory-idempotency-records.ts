import type { IdempotencyRecords, IdempotencyReservation, StoredResponse } from '../idempotency-records.port';

interface Entry {
  readonly requestHash: string;
  createdAt: number;
  /** JSON text, so an answer replays as first sent and cannot be changed through a reference. */
  response?: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export class InMemoryIdempotencyRecords implements IdempotencyRecords {
  protected readonly entries = new Map<string, Entry>();

  constructor(private readonly clock: () => Date = () => new Date()) {}

  async reserve(actorId: string, key: string, requestHash: string): Promise<IdempotencyReservation> {
    const id = entryId(actorId, key);
    const entry = this.entries.get(id);
    if (entry === undefined) {
      this.entries.set(id, { requestHash, createdAt: this.clock().getTime() });
      return { status: 'reserved' };
    }
    if (entry.response === undefined) return { status: 'taken', requestHash: entry.requestHash };
    return { status: 'taken', requestHash: entry.requestHash, response: JSON.parse(entry.response) as StoredResponse };
  }

  async complete(actorId: string, key: string, response: StoredResponse): Promise<void> {
    const entry = this.entries.get(entryId(actorId, key));
    if (entry !== undefined) {
      entry.response = JSON.stringify({ statusCode: response.statusCode, headers: response.headers, body: response.body ?? null });
    }
  }

  async release(actorId: string, key: string): Promise<void> {
    const id = entryId(actorId, key);
    if (this.entries.get(id)?.response === undefined) this.entries.delete(id);
  }

  async purgeOlderThan(days: number): Promise<number> {
    const cutoff = this.clock().getTime() - days * DAY_MS;
    let deleted = 0;
    for (const [id, entry] of this.entries) {
      if (entry.createdAt < cutoff) {
        this.entries.delete(id);
        deleted++;
      }
    }
    return deleted;
  }
}

export function entryId(actorId: string, key: string): string {
  return `${actorId}\u0000${key}`;
}
