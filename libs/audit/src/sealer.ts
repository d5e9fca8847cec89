import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import { RevisionConflict, StreamNotFound, type EventStore, type RecordedEvent } from '@app/event-store';
import type { AuditKeyRing } from './audit-key-ring';
import { checkEvent, checkEventWith, macProblem, macProblemWith, type BrokenPlace, type PlacedEvent } from './log-verification';
import { checkedBatches, ContentCheckPool, defaultVerifyThreads, placedEventOf } from './content-check-pool';

interface StreamHead {
  revision: number;
  hash: string;
  position: bigint;
}

/** Above every position (u64 max): every leaf is needed. */
const MAX_POSITION = '18446744073709551615';
import type { SealStore } from './seal-store';
import { canonicalBatches } from './log-reader';
import {
  extendRoot,
  GENESIS_ROOT,
  headsDigest,
  leafHashV2,
  SEAL_EVENT_TYPE,
  sealVersion,
  SEAL_STREAM,
  sealDigest,
  sealSigningText,
  type Seal,
  type SealBody,
  type SealHeads,
} from './seal';

export const AUDIT_ERROR_CODES = ['seal_refused', 'seal_broken'] as const;
export type AuditErrorCode = (typeof AUDIT_ERROR_CODES)[number];

/** The sealer found something it will not put its signature under. */
export class SealRefused extends Error {
  readonly code = 'seal_refused' as const;
  constructor(readonly broken: BrokenPlace) {
    super(`Refusing to seal: ${broken.streamId}${broken.revision === undefined ? '' : ` revision ${broken.revision}`}: ${broken.problem}`);
  }
}

export interface SealOutcome {
  readonly seal: Seal;
  /** False when nothing had changed since the latest seal, which is returned instead. */
  readonly created: boolean;
}

// One sealer at a time across every api and worker process: seals form a chain.
const SEALER_LOCK = 0x5ea1_0001;

/**
 * Makes seals. Every event since the latest seal is checked before it is sealed (a seal vouches for
 * what it covers, so a forged event stops the sealer instead of being signed), the running root is
 * carried on from the latest seal's signed root, and the new seal goes into `audit_seals` and then,
 * as an event, into the log itself. Publishing into the log is caught up on every run, so a process
 * killed between the two leaves nothing missing for long.
 *
 * Every seal made here is of leaf version 2 (seal.ts): its leaves name each event's recorded instant.
 * When the latest seal is of version 1 (or there is none), there is no version-2 root to carry on, so
 * the sealer walks the whole log from its first event, checking every event as whole-log verification
 * does (chain, revisions, MAC), and builds one: the first version-2 seal then covers the instant of
 * every event before it, those whose version-1 MAC does not. Later seals carry its root on.
 */
export class Sealer {
  constructor(
    private readonly pool: Pool,
    private readonly store: EventStore,
    private readonly keys: AuditKeyRing,
    private readonly seals: SealStore,
    private readonly clock: () => Date = () => new Date(),
    /** Worker threads for the content checks (0: all in this one). */
    private readonly threads: number = defaultVerifyThreads(),
  ) {}

  /** Where publish() left the seal stream: its last revision and the next seal's sequence. */
  private published: { revision: number; sequence: number } | undefined;

  /**
   * Seals the log if anything but seals was appended since the latest seal. Returns the new seal, the
   * latest one when nothing changed, or undefined when the log holds nothing to seal yet.
   */
  async seal(): Promise<SealOutcome | undefined> {
    const outcome = await this.sealInTransaction();
    await this.publish();
    return outcome;
  }

  private async sealInTransaction(): Promise<SealOutcome | undefined> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [SEALER_LOCK]);
      const latest = await this.seals.latest(client);
      if (latest?.problem !== undefined) throw new SealRefused(latest.problem);

      // A version-2 root to carry on, or the whole log to walk (see above).
      const carried = latest !== undefined && sealVersion(latest.seal) === 2 ? latest.seal : undefined;
      let root: Buffer = Buffer.from(carried?.root ?? GENESIS_ROOT, 'hex');
      let count = carried?.eventCount ?? 0;
      const since = latest === undefined ? undefined : BigInt(latest.seal.position);
      let last: bigint | undefined;
      let changed = false;
      const heads: SealHeads = {};
      const previous = new Map<string, StreamHead>();
      // The stream's event before this one may be older than the latest seal: the MAC then vouches
      // for the event by itself, and its chain link is left to verification. Walking the whole log,
      // every event but a stream's first has its previous one.
      const take = (event: PlacedEvent, broken: (before: StreamHead | undefined) => BrokenPlace | undefined, leaf: Buffer): void => {
        const before = previous.get(event.streamId);
        const problem = broken(before);
        if (problem !== undefined) throw new SealRefused(problem);
        if (before === undefined) previous.set(event.streamId, { revision: event.revision, hash: event.hash, position: event.position });
        else {
          before.revision = event.revision;
          before.hash = event.hash;
          before.position = event.position;
        }
        root = extendRoot(root, leaf);
        count++;
        last = event.position;
        if (since === undefined || event.position > since) {
          heads[event.streamId] = [event.revision, event.hash];
          if (event.streamId !== SEAL_STREAM) changed = true;
        }
      };
      const from = carried === undefined ? undefined : since;
      if (carried === undefined && this.threads > 0 && this.store.readAllCanonicalText !== undefined) {
        // A walk of the whole log: the content checks in worker threads, as whole-log verification makes
        // them (audit-verifier.ts). The usual seal covers a minute's events, not worth starting threads for.
        const pool = new ContentCheckPool(this.keys.macKeyMaterial(), this.threads);
        try {
          for await (const { rows, checks } of checkedBatches(this.store, pool, { after: from, untilV1: null, untilV2: MAX_POSITION, ahead: this.threads * 2 })) {
            for (let i = 0; i < rows.length; i++) {
              const event = placedEventOf(rows[i]!);
              const status = checks.status[i]!;
              take(event, (before) => (before === undefined && carried !== undefined ? macProblemWith(event, status) : checkEventWith(event, before, status)),
                Buffer.from(checks.v2!.buffer, checks.v2!.byteOffset + i * 32, 32));
            }
          }
        } finally {
          await pool.close();
        }
      } else {
        for await (const batch of canonicalBatches(this.store, from)) {
          for (const event of batch.events) {
            take(event, (before) => (before === undefined && carried !== undefined ? macProblem(this.keys, event) : checkEvent(this.keys, event, before)), leafHashV2(event));
          }
        }
      }
      // A log sealed only in version 1 gets its first version-2 seal at once, changed or not.
      if (latest !== undefined && carried === undefined) changed = true;
      if (!changed || last === undefined) {
        await client.query('ROLLBACK');
        return latest === undefined ? undefined : { seal: latest.seal, created: false };
      }
      const body: SealBody = {
        version: 2,
        sequence: (latest?.seal.sequence ?? 0) + 1,
        position: last.toString(),
        eventCount: count,
        root: root.toString('hex'),
        previous: latest === undefined ? GENESIS_ROOT : sealDigest(latest.seal),
        headsDigest: headsDigest(heads),
        sealedAt: this.clock().toISOString(),
        keyId: this.keys.currentKeyId,
      };
      const seal: Seal = { ...body, signature: this.keys.sign(sealSigningText(body)).signature };
      await this.seals.insert(client, seal, heads);
      await client.query('COMMIT');
      return { seal, created: true };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /**
   * Appends to the log every stored seal it does not hold yet, in order. The stream holds this log's
   * seals from revision 0, or, in a log copied from another store, after the copied seals of that log
   * (which stay as history: log-migration.ts), so our seal n is at revision offset + n - 1.
   *
   * The stream is read whole only the first time (and after another process published in between);
   * then this process remembers where it stands and appends from there, since the worker seals every
   * minute and the stream grows by a seal each time: reading all of it every round grew without bound.
   * Appending at the remembered revision is safe: the store refuses it if the stream moved meanwhile.
   */
  async publish(): Promise<void> {
    let { revision, sequence } = this.published ?? (await this.publishedSoFar());
    this.published = undefined;
    for (const seal of await this.seals.from(sequence)) {
      try {
        await this.store.append(
          SEAL_STREAM,
          [{ id: sealEventId(seal), type: SEAL_EVENT_TYPE, data: seal, metadata: { sealedBy: 'service' } }],
          revision < 0 ? 'no_stream' : revision,
        );
        revision++;
        sequence = seal.sequence + 1;
      } catch (error) {
        // Another process published it first: read the stream again next time.
        if (error instanceof RevisionConflict) return;
        throw error;
      }
    }
    this.published = { revision, sequence };
  }

  /** The seal stream's last revision (-1: none) and the sequence of the first of our seals it lacks. */
  private async publishedSoFar(): Promise<{ revision: number; sequence: number }> {
    let events: readonly RecordedEvent[];
    try {
      events = await this.store.readStream(SEAL_STREAM);
    } catch (error) {
      if (!(error instanceof StreamNotFound)) throw error;
      events = [];
    }
    let offset = events.length;
    if (events.length > 0) {
      const first = await this.seals.bySequence(1);
      const id = first === undefined ? undefined : sealEventId(first.seal);
      const at = id === undefined ? -1 : events.findIndex((event) => event.id === id);
      if (at >= 0) offset = at;
    }
    return { revision: events.length - 1, sequence: events.length - offset + 1 };
  }
}

/** The seal event's id, derived from the seal so that publishing it twice writes it once. */
export function sealEventId(seal: Seal): string {
  const hex = createHash('sha256').update(`seal:${sealDigest(seal)}`).digest('hex');
  // An RFC 9562 version 8 (custom) UUID.
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
