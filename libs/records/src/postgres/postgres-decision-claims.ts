import { createHash } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { type ClaimHolder, type DecisionClaims, NominationLockBusy, type RevocationNumberHolder, type UnitClaims } from '../decision-claims.port';

function lockKey(name: string): string {
  return createHash('sha256').update(name).digest().readBigInt64BE(0).toString();
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/iu;

const unitLockKey = (codeSet: string, unit: string): string => lockKey(`decisions:${codeSet}:${unit}`);
const nominationLockKey = (nominationId: string): string => lockKey(`decision-claim:${nominationId.toLowerCase()}`);

/**
 * Session advisory locks: one per issuing unit, one per nomination. The claims are read and written on
 * the connection that holds the unit's lock, so a unit's decisions need one pooled connection each,
 * never two; a guard takes one connection for as long as its command runs.
 */
export class PostgresDecisionClaims implements DecisionClaims {
  /**
   * A guard holds its connection while its command takes others from the same pool for reads and the
   * append; a quarter of the pool at most, so guards (a bulk rejection runs eight at once) can never
   * take every connection and wait for one another's.
   */
  private readonly guardSlots: Slots;

  constructor(private readonly pool: Pool) {
    this.guardSlots = new Slots(Math.max(1, Math.floor((pool.options.max ?? 10) / 4)));
  }

  async withUnitLock<T>(codeSet: string, unit: string, work: (claims: UnitClaims) => Promise<T>): Promise<T> {
    const key = unitLockKey(codeSet, unit);
    const client = await this.pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1)', [key]);
      return await work(new PostgresUnitClaims(client));
    } finally {
      // The unit's lock and every nomination lock taken under it.
      await client.query('SELECT pg_advisory_unlock_all()').catch(() => undefined);
      client.release();
    }
  }

  async withNominationGuard<T>(nominationId: string, work: (claim: ClaimHolder | undefined) => Promise<T>): Promise<T> {
    return this.guardSlots.run(() => this.guard(nominationId, work));
  }

  private async guard<T>(nominationId: string, work: (claim: ClaimHolder | undefined) => Promise<T>): Promise<T> {
    const key = nominationLockKey(nominationId);
    const client = await this.pool.connect();
    let locked = false;
    try {
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [key]);
      locked = rows[0]!.locked;
      if (!locked) throw new NominationLockBusy(nominationId);
      // Claims are keyed by uuid; any other id names no claimed nomination.
      const claimed = UUID.test(nominationId)
        ? await client.query<{ decision_id: string }>('SELECT decision_id FROM decision_claims WHERE nomination_id = $1::uuid', [nominationId])
        : { rows: [] };
      const holder = claimed.rows[0];
      return await work(holder === undefined ? undefined : { nominationId, decisionId: holder.decision_id });
    } finally {
      if (locked) await client.query('SELECT pg_advisory_unlock($1)', [key]).catch(() => undefined);
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

  async holdNominations(nominationIds: readonly string[]): Promise<void> {
    // In one order everywhere, so two holders listing the same nominations cannot deadlock.
    const keys = [...new Set(nominationIds.map(nominationLockKey))].sort();
    for (const key of keys) await this.client.query('SELECT pg_advisory_lock($1)', [key]);
  }

  async revocationNumberHolder(numberId: string): Promise<RevocationNumberHolder | undefined> {
    const { rows } = await this.client.query<{ decision_id: string; revocation_id: string }>(
      'SELECT decision_id, revocation_id FROM revocation_numbers WHERE number_id = $1::uuid',
      [numberId],
    );
    const row = rows[0];
    return row === undefined ? undefined : { decisionId: row.decision_id, revocationId: row.revocation_id };
  }

  async takeRevocationNumber(numberId: string, holder: RevocationNumberHolder): Promise<void> {
    await this.client.query(
      `INSERT INTO revocation_numbers (number_id, decision_id, revocation_id) VALUES ($1, $2, $3)
       ON CONFLICT (number_id) DO UPDATE SET decision_id = excluded.decision_id, revocation_id = excluded.revocation_id, claimed_at = now()`,
      [numberId, holder.decisionId, holder.revocationId],
    );
  }
}

/** At most `size` callers at a time; the others wait in this process, holding nothing. */
class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(size: number) {
    this.free = size;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next !== undefined) next();
      else this.free++;
    }
  }
}
