/*
 * Seals across a store switch (npm run store:copy).
 *
 * A copy keeps every event, in order, with its id, stream, revision, content, chain hash and MAC, and
 * gives it a new position: positions belong to each store's log. A seal of the old log commits to the
 * old positions (they are in every leaf), so on the new log it would no longer match, and an auditor
 * holding one would be told the log was rewritten when it was only moved.
 *
 * What is built instead: after the copy, recordLogMigration() verifies the old log whole (a log that
 * does not verify is not vouched for), walks both logs side by side checking that the new one is the old
 * one event for event, stores for each copied event the position it had (audit_migrated_positions),
 * and stores a record of the copy signed with the service's key (audit_log_migrations): which log, into
 * which, the old log's latest seal, how many events, the last position on each side. The new log gets
 * seals of its own, from sequence 1, as any log does.
 *
 * A seal of the old log then still proves what it proved: verification against it (POST /audit/verify,
 * npm run audit:verify -- --seal) recomputes its root over the new log's events with their old
 * positions, and answers ok with the migration named, or names the first broken place as ever. None of
 * the stored rows is trusted: a changed old position or record fails the old seal's root, or the
 * record's signature.
 */
import type { Pool } from 'pg';
import { canonicalJson, type CanonicalEvent, type EventStore } from '@app/event-store';
import type { AuditKeyRing } from './audit-key-ring';
import type { AuditVerifier } from './audit-verifier';
import { canonicalBatches } from './log-reader';
import type { BrokenPlace } from './log-verification';
import type { Seal } from './seal';
import type { SealStore } from './seal-store';

export interface LogMigration {
  /** EventStore.identity() of the log copied from, and of this one. */
  readonly sourceLog: string;
  readonly targetLog: string;
  /** The old log's latest seal when it was copied (null: it had none). */
  readonly sourceSeal: Seal | null;
  readonly eventCount: number;
  /** The last copied event's position in this log, and in the old one (decimal strings). */
  readonly lastPosition: string;
  readonly lastSourcePosition: string;
  readonly migratedAt: string;
  readonly keyId: string;
  readonly signature: string;
}

/** The old log does not verify, or the new one is not a faithful copy of it: nothing is recorded. */
export class MigrationRefused extends Error {
  constructor(
    message: string,
    readonly broken?: BrokenPlace,
  ) {
    super(message);
  }
}

function migrationSigningText(migration: Omit<LogMigration, 'signature'> | LogMigration): string {
  const { signature: _signature, ...body } = migration as LogMigration;
  return canonicalJson(body);
}

const MAP_BATCH = 5_000;

/** The copy's record and old positions, in the new log's database. */
export class MigrationStore {
  constructor(
    private readonly pool: Pool,
    private readonly keys: AuditKeyRing,
  ) {}

  /** The newest migration record whose signature checks out; undefined when the log was never copied in. */
  async latest(): Promise<LogMigration | undefined> {
    const { rows } = await this.pool.query<{ body: LogMigration }>('SELECT body FROM audit_log_migrations ORDER BY id DESC LIMIT 10');
    return rows.map((r) => r.body).find((m) => typeof m === 'object' && m !== null && this.keys.verify(migrationSigningText(m), m.keyId, m.signature));
  }

  /** Old positions of this log's events in (after, upTo], by position. */
  async sourcePositions(after: bigint, upTo: bigint): Promise<Map<bigint, bigint>> {
    const { rows } = await this.pool.query<[string, string]>({
      text: 'SELECT position::text, source_position::text FROM audit_migrated_positions WHERE position > $1 AND position <= $2',
      values: [after.toString(), upTo.toString()],
      rowMode: 'array',
    });
    return new Map(rows.map(([position, source]) => [BigInt(position), BigInt(source)]));
  }

  async insert(migration: LogMigration): Promise<void> {
    await this.pool.query('INSERT INTO audit_log_migrations (source_log, body, migrated_at) VALUES ($1, $2, $3)', [
      migration.sourceLog, JSON.stringify(migration), migration.migratedAt,
    ]);
  }

  async map(positions: readonly bigint[], sources: readonly bigint[]): Promise<void> {
    await this.pool.query(
      `INSERT INTO audit_migrated_positions (position, source_position) SELECT * FROM unnest($1::numeric[], $2::numeric[])
       ON CONFLICT (position) DO UPDATE SET source_position = EXCLUDED.source_position`,
      [positions.map(String), sources.map(String)],
    );
  }
}

function sameEvent(a: CanonicalEvent, b: CanonicalEvent): boolean {
  return (
    a.id === b.id && a.streamId === b.streamId && a.revision === b.revision && a.type === b.type && a.hash === b.hash &&
    (a.mac ?? '') === (b.mac ?? '') && a.recordedAt === b.recordedAt
  );
}

/** Events of a log one at a time, read in batches. */
async function* eventsOf(store: EventStore): AsyncGenerator<CanonicalEvent> {
  for await (const batch of canonicalBatches(store, undefined)) yield* batch.events;
}

/**
 * After a copy of `source` into `target`: verifies the source, checks the target is the source event
 * for event in the same order, and records the old positions and the signed record in the target's
 * database. Returns the record. Throws MigrationRefused when either check fails.
 */
export async function recordLogMigration(options: {
  readonly source: { readonly store: EventStore; readonly verifier: AuditVerifier; readonly seals: SealStore };
  readonly target: { readonly store: EventStore; readonly migrations: MigrationStore };
  readonly keys: AuditKeyRing;
  readonly clock?: () => Date;
}): Promise<LogMigration> {
  const { source, target, keys } = options;
  const verification = await source.verifier.verifyLog();
  if (!verification.ok) {
    throw new MigrationRefused(`the log copied from does not verify (${verification.firstBroken?.problem ?? 'unknown'}): its copy is not vouched for`, verification.firstBroken);
  }
  const latest = await source.seals.latest();
  const targetEvents = eventsOf(target.store);
  let count = 0;
  let last: CanonicalEvent | undefined;
  let lastSource: CanonicalEvent | undefined;
  let positions: bigint[] = [];
  let sources: bigint[] = [];
  for await (const event of eventsOf(source.store)) {
    const copied = await targetEvents.next();
    if (copied.done === true) throw new MigrationRefused(`the copy ends after ${count} events; the log copied from goes on (${event.streamId} revision ${event.revision})`);
    if (!sameEvent(event, copied.value)) {
      throw new MigrationRefused(
        `event ${count + 1} of the copy is ${copied.value.streamId} revision ${copied.value.revision}, not ${event.streamId} revision ${event.revision} as in the log copied from`,
      );
    }
    count++;
    last = copied.value;
    lastSource = event;
    positions.push(copied.value.position);
    sources.push(event.position);
    if (positions.length >= MAP_BATCH) {
      await target.migrations.map(positions, sources);
      positions = [];
      sources = [];
    }
  }
  await targetEvents.return(undefined);
  if (positions.length > 0) await target.migrations.map(positions, sources);
  if (last === undefined || lastSource === undefined) throw new MigrationRefused('the log copied from is empty');
  const body: Omit<LogMigration, 'signature'> = {
    sourceLog: await source.store.identity(),
    targetLog: await target.store.identity(),
    sourceSeal: latest?.seal ?? null,
    eventCount: count,
    lastPosition: last.position.toString(),
    lastSourcePosition: lastSource.position.toString(),
    migratedAt: (options.clock ?? (() => new Date()))().toISOString(),
    keyId: keys.currentKeyId,
  };
  const migration: LogMigration = { ...body, signature: keys.sign(migrationSigningText(body)).signature };
  await target.migrations.insert(migration);
  return migration;
}
