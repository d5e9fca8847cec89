import { StreamNotFound, type CanonicalEvent, type EventStore } from '@app/event-store';
import { checkedBatches, checkedPackedBatches, ContentCheckPool, defaultVerifyThreads, placedEventOf } from './content-check-pool';
import { HASH_BY_CALLER, MAC_V2 } from './content-check';
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
  private readonly threads: number;
  private readonly batchSize: number | undefined;

  constructor(
    private readonly store: EventStore,
    private readonly keys: AuditKeyRing,
    private readonly seals: SealStore,
    private readonly migrations?: MigrationStore,
    /** `threads`: worker threads for the content checks (0: all in this one); `batchSize`: events per read. */
    options: { readonly threads?: number; readonly batchSize?: number } = {},
  ) {
    this.threads = Math.max(0, Math.floor(options.threads ?? defaultVerifyThreads()));
    this.batchSize = options.batchSize;
  }

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
      // What was found wrong with the stored copy (rewritten, or following no stored seal) is still
      // reported when the walk reaches it, as without a held seal: every stored seal is checked.
      const same = stored !== undefined && canonicalJson(stored.seal) === canonicalJson(held);
      // A genuine seal that is not this log's and is older than the copy that made this log is one of
      // the log copied from: checked with the events' old positions (log-migration.ts).
      migration = same ? undefined : await this.migrations?.latest();
      if (migration !== undefined && Date.parse(held.sealedAt) <= Date.parse(migration.migratedAt)) {
        sourceSeals.push(held);
      } else {
        migration = undefined;
        const checkpoint: SealCheckpoint = same ? stored : { seal: held, ...(stored?.problem === undefined ? {} : { problem: stored.problem }) };
        if (index >= 0) checkpoints[index] = checkpoint;
        else checkpoints.push(checkpoint);
        checkpoints.sort((a, b) => {
          const d = BigInt(a.seal.position) - BigInt(b.seal.position);
          return d < 0n ? -1 : d > 0n ? 1 : a.seal.sequence - b.seal.sequence;
        });
      }
    }
    const walk = new LogWalk(this.keys, checkpoints, sourceSeals);
    if (migration === undefined && this.threads > 0 && (this.store.readAllCanonicalPacked !== undefined || this.store.readAllCanonicalText !== undefined)) {
      return this.walkInThreads(walk, options.onProgress);
    }
    let after = -1n;
    outer: for await (const batch of canonicalBatches(this.store, undefined, this.batchSize)) {
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

  /**
   * The walk with the content checks (canonical JSON, chain link, MAC, leaves) in worker threads: this
   * thread reads the log in order, hands each batch with the previous stored hash of each event's stream
   * to a thread, and feeds the answers to the walk in log order, so the first broken place is the same
   * as the walk in one thread names. Batches keep being read and checked ahead while earlier answers are
   * walked; after a broken place nothing more is read.
   */
  private async walkInThreads(walk: LogWalk, onProgress: VerifyLogOptions['onProgress']): Promise<Verification> {
    const pool = new ContentCheckPool(this.keys.macKeyMaterial(), this.threads);
    const untilV1 = walk.leavesNeeded(1);
    const untilV2 = walk.leavesNeeded(2);
    const ahead = this.threads * 2;
    try {
      if (this.store.readAllCanonicalPacked !== undefined) {
        outer: for await (const { count, checkpoint, checks } of checkedPackedBatches(this.store, pool, { batchSize: this.batchSize, untilV1, untilV2, ahead })) {
          const { status, positions, revisions, streams, hashes, suffixes, v1, v2 } = checks;
          let nextSuffix = 0;
          for (let i = 0; i < count; i++) {
            const s = status[i]!;
            const mac = (s & MAC_V2) !== 0 ? 'v2.' : ((s >> 1) & 3) === 1 ? undefined : 'v1';
            const event = { position: positions[i]!, streamId: streams[i]!, revision: revisions[i]!, hash: hashes[i]!, ...(mac === undefined ? {} : { mac }) };
            const suffix = (s & HASH_BY_CALLER) !== 0 ? suffixes[nextSuffix++] : undefined;
            if (!walk.pushChecked(event, s, v1, v2, i * 32, suffix)) {
              onProgress?.(walk.checked, checkpoint);
              break outer;
            }
          }
          onProgress?.(walk.checked, checkpoint);
        }
      } else {
        outer: for await (const { rows, checkpoint, checks } of checkedBatches(this.store, pool, { batchSize: this.batchSize, untilV1, untilV2, ahead })) {
          const { status, v1, v2 } = checks;
          for (let i = 0; i < rows.length; i++) {
            if (!walk.pushChecked(placedEventOf(rows[i]!), status[i]!, v1, v2, i * 32)) {
              onProgress?.(walk.checked, checkpoint);
              break outer;
            }
          }
          onProgress?.(walk.checked, checkpoint);
        }
      }
    } finally {
      await pool.close();
    }
    return walk.end();
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
