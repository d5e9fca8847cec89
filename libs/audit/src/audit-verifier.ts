import { StreamNotFound, type CanonicalEvent, type EventStore } from '@app/event-store';
import type { AuditKeyRing } from './audit-key-ring';
import { canonicalEventOf, LogWalk, verifyStreamEvents, type SealCheckpoint, type Verification } from './log-verification';
import { canonicalJson } from '@app/event-store';
import { SEAL_STREAM, sealSigningText, type Seal } from './seal';
import type { SealStore } from './seal-store';
import { canonicalBatches } from './log-reader';
import type { LogMigration, MigrationStore } from './log-migration';

export interface VerifyLogOptions {
  /** A seal the auditor kept: the log up to its position must be exactly what it sealed. */
  readonly heldSeal?: Seal;
  /** Called after every batch read, e.g. to keep an HTTP response or a terminal alive. */
  readonly onProgress?: (checked: number, position: bigint | undefined) => void;
}

/** Verification of one stream or of the whole log, against the stored seals and a held one. */
export class AuditVerifier {
  constructor(
    private readonly store: EventStore,
    private readonly keys: AuditKeyRing,
    private readonly seals: SealStore,
    private readonly migrations?: MigrationStore,
  ) {}

  /** Whether a seal given from outside is one of this service's (signature and key id). */
  isSignedSeal(seal: Seal): boolean {
    return this.keys.verify(sealSigningText(seal), seal.keyId, seal.signature);
  }

  async verifyLog(options: VerifyLogOptions = {}): Promise<Verification> {
    const checkpoints: SealCheckpoint[] = [];
    for await (const checkpoint of this.seals.all()) checkpoints.push(checkpoint);
    const sourceSeals: Seal[] = [];
    let migration: LogMigration | undefined;
    const held = options.heldSeal;
    if (held !== undefined) {
      if (!this.isSignedSeal(held)) {
        return {
          ok: false,
          checked: 0,
          sealsChecked: 0,
          instants: { mac: 0, sealed: 0, uncovered: 0 },
          firstBroken: {
            streamId: SEAL_STREAM,
            revision: held.sequence - 1,
            position: held.position,
            code: 'seal_signature_invalid',
            problem: 'the seal given does not carry a valid signature of a service key',
          },
        };
      }
      const index = checkpoints.findIndex((c) => c.seal.sequence === held.sequence);
      const stored = index < 0 ? undefined : checkpoints[index]!;
      // The held seal is the authority: a stored copy is used for its heads only when it is the same seal.
      const same = stored !== undefined && stored.problem === undefined && canonicalJson(stored.seal) === canonicalJson(held);
      // A genuine seal that is not this log's and is older than the copy that made this log is one of
      // the log copied from: checked with the events' old positions (log-migration.ts).
      migration = same ? undefined : await this.migrations?.latest();
      if (migration !== undefined && Date.parse(held.sealedAt) <= Date.parse(migration.migratedAt)) {
        sourceSeals.push(held);
      } else {
        migration = undefined;
        const checkpoint: SealCheckpoint = same ? stored : { seal: held };
        if (index >= 0) checkpoints[index] = checkpoint;
        else checkpoints.push(checkpoint);
        checkpoints.sort((a, b) => {
          const d = BigInt(a.seal.position) - BigInt(b.seal.position);
          return d < 0n ? -1 : d > 0n ? 1 : a.seal.sequence - b.seal.sequence;
        });
      }
    }
    const walk = new LogWalk(this.keys, checkpoints, sourceSeals);
    let after = -1n;
    outer: for await (const batch of canonicalBatches(this.store, undefined)) {
      const old = migration === undefined || batch.checkpoint === undefined ? undefined : await this.migrations!.sourcePositions(after, batch.checkpoint);
      for (const event of batch.events) {
        if (!walk.push(event, old?.get(event.position))) {
          options.onProgress?.(walk.checked, batch.checkpoint);
          break outer;
        }
      }
      after = batch.checkpoint ?? after;
      options.onProgress?.(walk.checked, batch.checkpoint);
    }
    const verification = walk.end();
    return migration === undefined ? verification : { ...verification, migratedFrom: { sourceLog: migration.sourceLog, migratedAt: migration.migratedAt } };
  }

  /** One stream's check; undefined when the stream neither exists nor was ever sealed. */
  async verifyStream(streamId: string): Promise<Verification | undefined> {
    let events: readonly CanonicalEvent[];
    if (this.store.readStreamCanonical !== undefined) events = await this.store.readStreamCanonical(streamId);
    else {
      try {
        events = (await this.store.readStream(streamId)).map(canonicalEventOf);
      } catch (error) {
        if (!(error instanceof StreamNotFound)) throw error;
        events = [];
      }
    }
    const sealed = await this.seals.newestNaming(streamId);
    if (events.length === 0 && sealed === undefined) return undefined;
    const latest = await this.seals.latest();
    return verifyStreamEvents(this.keys, streamId, events, sealed, latest?.problem === undefined ? latest?.seal : undefined);
  }
}
