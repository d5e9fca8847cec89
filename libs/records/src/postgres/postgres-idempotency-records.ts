import type { Pool } from 'pg';
import type { IdempotencyRecords, IdempotencyReservation, StoredResponse } from '../idempotency-records.port';

export class PostgresIdempotencyRecords implements IdempotencyRecords {
  constructor(private readonly pool: Pool) {}

  async reserve(actorId: string, key: string, requestHash: string): Promise<IdempotencyReservation> {
    const inserted = await this.pool.query(
      `INSERT INTO idempotency_records (actor_id, key, request_hash) VALUES ($1, $2, $3)
       ON CONFLICT (actor_id, key) DO NOTHING RETURNING 1`,
      [actorId, key, requestHash],
    );
    if (inserted.rowCount !== 0) return { status: 'reserved' };
    const { rows } = await this.pool.query<{
      request_hash: string; status_code: number | null; response_headers: Record<string, string> | null; response_body: unknown;
    }>(
      'SELECT request_hash, status_code, response_headers, response_body FROM idempotency_records WHERE actor_id = $1 AND key = $2',
      [actorId, key],
    );
    const record = rows[0];
    // Purged or released between the two statements: the key is free again.
    if (record === undefined) return this.reserve(actorId, key, requestHash);
    if (record.status_code === null) return { status: 'taken', requestHash: record.request_hash };
    return {
      status: 'taken',
      requestHash: record.request_hash,
      response: { statusCode: record.status_code, headers: record.response_headers ?? {}, body: record.response_body },
    };
  }

  async complete(actorId: string, key: string, response: StoredResponse): Promise<void> {
    await this.pool.query(
      `UPDATE idempotency_records SET status_code = $3, response_headers = $4, response_body = $5, completed_at = now()
       WHERE actor_id = $1 AND key = $2`,
      [actorId, key, response.statusCode, JSON.stringify(response.headers), JSON.stringify(response.body ?? null)],
    );
  }

  async release(actorId: string, key: string): Promise<void> {
    await this.pool.query('DELETE FROM idempotency_records WHERE actor_id = $1 AND key = $2 AND completed_at IS NULL', [actorId, key]);
  }

  async purgeOlderThan(days: number): Promise<number> {
    const result = await this.pool.query(
      'DELETE FROM idempotency_records WHERE created_at < now() - make_interval(days => $1)',
      [days],
    );
    return result.rowCount ?? 0;
  }
}
