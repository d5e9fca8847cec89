import { createHash } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import type { ClaimHolder, DecisionClaims, UnitClaims } from '../decision-claims.port';

function unitLockKey(codeSet: string, unit: string): string {
  return createHash('sha256').update(`decisions:${codeSet}:${unit}`).digest().readBigInt64BE(0).toString();
}

/**
 * A session advisory lock per issuing unit; the claims are read and written on the connection that
 * holds it, so a unit's decisions need one pooled connection each, never two.
 */
export class PostgresDecisionClaims implements DecisionClaims {
  constructor(private readonly pool: Pool) {}

  async withUnitLock<T>(codeSet: string, unit: string, work: (claims: UnitClaims) => Promise<T>): Promise<T> {
    const key = unitLockKey(codeSet, unit);
    const client = await this.pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1)', [key]);
      return await work(new PostgresUnitClaims(client));
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [key]).catch(() => undefined);
      client.release();
    }
  }
}

class PostgresUnitClaims implements UnitClaims {
  constructor(private readonly client: PoolClient) {}

  async claimedByOthers(decisionId: string, nominationIds: readonly string[]): Promise<ClaimHolder[]> {
    const { rows } = await this.client.query<{ nomination_id: string; decision_id: string }>(
      'SELECT nomination_id, decision_id FROM decision_claims WHERE nomination_id = ANY($1::uuid[]) AND decision_id <> $2',
      [nominationIds, decisionId],
    );
    return rows.map((r) => ({ nominationId: r.nomination_id, decisionId: r.decision_id }));
  }

  async claim(decisionId: string, nominationIds: readonly string[]): Promise<void> {
    await this.client.query(
      `INSERT INTO decision_claims (nomination_id, decision_id) SELECT unnest($1::uuid[]), $2
       ON CONFLICT (nomination_id) DO UPDATE SET decision_id = excluded.decision_id, claimed_at = now()`,
      [nominationIds, decisionId],
    );
  }
}
