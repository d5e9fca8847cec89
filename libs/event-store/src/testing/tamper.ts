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
