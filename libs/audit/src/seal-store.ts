import type { Pool, PoolClient } from 'pg';
import type { AuditKeyRing } from './audit-key-ring';
import type { BrokenPlace, SealCheckpoint } from './log-verification';
import { GENESIS_ROOT, headsDigest, isSeal, SEAL_STREAM, sealDigest, sealSigningText, type Seal, type SealHeads } from './seal';

interface SealRow {
  readonly sequence: string;
  readonly body: unknown;
  readonly heads: unknown;
}

const PAGE = 200;

/**
 * The `audit_seals` table. Nothing read from it is believed until checked: the body must be a seal
 * signed by a key of the ring, the heads must hash to its headsDigest, and each seal must name the
 * one before it. What fails becomes the checkpoint's `problem`.
 */
export class SealStore {
  constructor(
    private readonly pool: Pool,
    private readonly keys: AuditKeyRing,
  ) {}

  async insert(client: PoolClient, seal: Seal, heads: SealHeads): Promise<void> {
    await client.query(
      `INSERT INTO audit_seals (sequence, position, event_count, body, heads, sealed_at) VALUES ($1, $2, $3, $4, $5, $6)`,
      [seal.sequence, seal.position, seal.eventCount, JSON.stringify(seal), JSON.stringify(heads), seal.sealedAt],
    );
  }

  /** The newest stored seal, checked; undefined when there is none. */
  async latest(client: Pool | PoolClient = this.pool): Promise<SealCheckpoint | undefined> {
    const { rows } = await client.query<SealRow>('SELECT sequence, body, heads FROM audit_seals ORDER BY sequence DESC LIMIT 1');
    const row = rows[0];
    if (row === undefined) return undefined;
    const previous = Number(row.sequence) > 1 ? await this.bySequence(Number(row.sequence) - 1, client) : undefined;
    return this.check(row, previous?.seal, Number(row.sequence) > 1);
  }

  async bySequence(sequence: number, client: Pool | PoolClient = this.pool): Promise<SealCheckpoint | undefined> {
    const { rows } = await client.query<SealRow>('SELECT sequence, body, heads FROM audit_seals WHERE sequence = $1', [sequence]);
    return rows[0] === undefined ? undefined : this.check(rows[0], undefined, false);
  }

  /** The newest stored seal that names `streamId` among the streams it saw change. */
  async newestNaming(streamId: string): Promise<SealCheckpoint | undefined> {
    const { rows } = await this.pool.query<SealRow>(
      'SELECT sequence, body, heads FROM audit_seals WHERE heads ? $1 ORDER BY sequence DESC LIMIT 1',
      [streamId],
    );
    return rows[0] === undefined ? undefined : this.check(rows[0], undefined, false);
  }

  /** Every stored seal in order, checked one against the other, page by page. */
  async *all(): AsyncGenerator<SealCheckpoint> {
    let after = 0;
    let previous: Seal | undefined;
    for (;;) {
      const { rows } = await this.pool.query<SealRow>(
        'SELECT sequence, body, heads FROM audit_seals WHERE sequence > $1 ORDER BY sequence LIMIT $2',
        [after, PAGE],
      );
      for (const row of rows) {
        const checkpoint = this.check(row, previous, true);
        yield checkpoint;
        previous = checkpoint.problem === undefined ? checkpoint.seal : undefined;
        after = Number(row.sequence);
      }
      if (rows.length < PAGE) return;
    }
  }

  /** Seals from `sequence` on, oldest first (to publish them into the log). */
  async from(sequence: number, client: Pool | PoolClient = this.pool): Promise<Seal[]> {
    const { rows } = await client.query<SealRow>('SELECT sequence, body, heads FROM audit_seals WHERE sequence >= $1 ORDER BY sequence', [sequence]);
    return rows.map((row) => row.body as Seal);
  }

  /**
   * Checks one stored seal. With `chained`, also that it follows `previous` (the stored seal before
   * it, when that one checked out): a gap or a wrong link means a seal was removed or replaced.
   */
  check(row: SealRow, previous: Seal | undefined, chained: boolean): SealCheckpoint {
    const sequence = Number(row.sequence);
    const body = row.body;
    const broken = (code: BrokenPlace['code'], problem: string, position?: string): SealCheckpoint => ({
      seal: (isSeal(body) ? body : { sequence, position: position ?? '0' }) as Seal,
      problem: { streamId: SEAL_STREAM, revision: sequence - 1, ...(position === undefined ? {} : { position }), code, problem },
    });
    if (!isSeal(body) || body.sequence !== sequence) return broken('seal_signature_invalid', `stored seal #${sequence} is not a well-formed seal`);
    if (!this.keys.verify(sealSigningText(body), body.keyId, body.signature)) {
      return broken('seal_signature_invalid', `stored seal #${sequence} does not carry a valid signature of a service key`, body.position);
    }
    const heads = row.heads as SealHeads;
    if (headsDigest(heads) !== body.headsDigest) {
      return broken('seal_heads_changed', `the streams stored with seal #${sequence} are not the ones it signed`, body.position);
    }
    if (chained) {
      const expected = previous === undefined ? (sequence === 1 ? GENESIS_ROOT : undefined) : sealDigest(previous);
      if (previous !== undefined && previous.sequence !== sequence - 1) {
        return broken('seal_missing', `seal #${sequence - 1} is missing: seal #${sequence} follows the stored seal #${previous.sequence}`, body.position);
      }
      if (previous === undefined && sequence > 1) {
        return broken('seal_missing', `seal #${sequence - 1} is missing or broken: seal #${sequence} follows nothing stored`, body.position);
      }
      if (expected !== body.previous) {
        return broken('seal_chain_broken', `seal #${sequence} does not follow the stored seal #${sequence - 1}: a seal was removed or replaced`, body.position);
      }
    }
    return { seal: body, heads };
  }
}
