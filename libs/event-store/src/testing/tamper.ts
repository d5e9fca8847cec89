import { createHmac } from 'node:crypto';
import type { Pool } from 'pg';
import { instantText, MAC_V2_PREFIX, macInput, macInputV1, type EventAuthenticator, type MacCheckContent, type MacContent } from '../event-mac';
import type { RecordedEvent } from '../event-store.port';
import { canonicalJson } from '../hash-chain';

/**
 * Runs SQL against the log as the attacker of API.md's threat model would: a superuser who switches
 * the append-only triggers off for the session (session_replication_role = replica skips ordinary
 * triggers) and then rewrites rows. Tests connect as the superuser `postgres`, so this works there.
 */
export async function tamperWithLog(pool: Pool, statements: readonly (string | { text: string; values: unknown[] })[]): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SET LOCAL session_replication_role = replica');
    for (const statement of statements) await client.query(statement);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * An HMAC authenticator under a fixed test key, for adapter tests that must not depend on libs/audit:
 * version-2 MACs as the key ring makes them (over the chain hash and the instant), version 1 checked too.
 */
export function testAuthenticator(keyId = 'test-key'): EventAuthenticator {
  const key = Buffer.alloc(32, 42);
  const code = (content: MacContent) => createHmac('sha256', key).update(macInput(content)).digest('base64url');
  const codeV1 = (content: MacCheckContent) => createHmac('sha256', key).update(macInputV1(content)).digest('base64url');
  return {
    mac: (content) => `${MAC_V2_PREFIX}${keyId}.${code(content)}`,
    check: (content, stored) => {
      if (stored === undefined || stored === '') return 'missing';
      const v2 = stored.startsWith(MAC_V2_PREFIX);
      const [id, given] = (v2 ? stored.slice(MAC_V2_PREFIX.length) : stored).split('.');
      if (id !== keyId) return 'unknown_key';
      return given === (v2 ? code(content) : codeV1(content)) ? 'valid' : 'invalid';
    },
  };
}

/** What an authenticator checks a recorded event against: its canonical content, its place, hash and instant. */
export function macContentOf(event: RecordedEvent): MacCheckContent {
  return {
    streamId: event.streamId,
    revision: event.revision,
    id: event.id,
    type: event.type,
    hash: event.hash,
    recordedAt: instantText(event.recordedAt),
    dataJson: canonicalJson(event.data),
    metadataJson: canonicalJson(event.metadata),
  };
}

/**
 * Moves the whole log to positions that cross a power of ten, in the same order: the first `below`
 * events (half by default) at transaction id 10^k - 1, the rest at 10^k (positions 99…900000 + i, then
 * 100…000000 + i), as a cluster's transaction ids do now and then. A reader that sorts or compares
 * positions as text walks such a log out of order. Both ids are below the cluster's horizon, so every
 * reader sees the events, and events appended later get longer positions still. Run it before
 * anything records a position (checkpoints, seals). Returns the first position at 10^k.
 */
export async function crossPowerOfTen(pool: Pool, options: { readonly below?: number } = {}): Promise<bigint> {
  const { rows: [horizon] } = await pool.query<{ xmin: string }>('SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin');
  const xmin = BigInt(horizon!.xmin);
  let power = 10n;
  while (power * 10n < xmin) power *= 10n;
  if (power >= xmin) throw new Error(`the cluster's transaction ids (${xmin}) are too young to cross a power of ten below them`);
  const { rows: [counted] } = await pool.query<{ count: number }>('SELECT count(*)::int AS count FROM events');
  if (counted!.count > 100_000) throw new Error('crossPowerOfTen moves at most 100,000 events (two transactions\' worth)');
  const half = options.below ?? Math.floor(counted!.count / 2);
  const low = (power - 1n) * 100_000n;
  const high = power * 100_000n;
  await tamperWithLog(pool, [
    'CREATE TEMPORARY TABLE events_in_order ON COMMIT DROP AS SELECT row_number() OVER (ORDER BY position) - 1 AS n, * FROM events',
    'DELETE FROM events',
    {
      text: `INSERT INTO events (position, transaction_id, event_id, stream_id, revision, type, data, metadata, hash, recorded_at, mac)
             SELECT p, (p / 100000)::text::xid8, event_id, stream_id, revision, type, data, metadata, hash, recorded_at, mac
             FROM (SELECT CASE WHEN n < $1 THEN $2::bigint + n ELSE $3::bigint + n - $1 END AS p, * FROM events_in_order) AS moved`,
      values: [half, low.toString(), high.toString()],
    },
  ]);
  return high;
}
