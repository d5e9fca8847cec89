/*
 * Checking the log, event by event, in log order. Pure: the caller feeds events and seals, nothing here
 * does I/O, so the same code serves the api, the worker's sealer and `npm run audit:verify`.
 *
 * What one event must satisfy: it is the next revision of its stream (revisions 0, 1, 2... in log
 * order: a gap is a removed event, a repeat or a step back is a moved one), its stored chain hash is
 * SHA-256 over the previous one and its content, and its MAC is valid under a key of the ring. What a
 * seal must satisfy, once the walk has passed its position: as many events as it counted, the same
 * running root, and every stream it names at the revision and hash it names. The first thing that
 * fails is the answer; verification stops there.
 *
 * Instants. A version-2 MAC covers when its event was recorded; a version-1 MAC does not, and such an
 * event's instant is covered only by the root of a seal of version 2 made after it (seal.ts). Every
 * answer says how the instants it checked are covered (`instants`).
 */
import { canonicalJson, chainHashOfText, GENESIS_HASH, instantText, macVersionOf, type CanonicalEvent, type RecordedEvent } from '@app/event-store';
import type { AuditKeyRing } from './audit-key-ring';
import { extendRoot, GENESIS_ROOT, leafOf, sealVersion, type Seal, type SealHeads, type SealVersion } from './seal';

/** Stable names of what can be wrong, beside the sentence in `problem`. */
export type BrokenCode =
  | 'revision_missing'
  | 'revision_out_of_order'
  | 'position_out_of_order'
  | 'hash_mismatch'
  | 'mac_missing'
  | 'mac_unknown_key'
  | 'mac_invalid'
  | 'stream_missing'
  | 'sealed_revision_missing'
  | 'sealed_event_changed'
  | 'seal_count_mismatch'
  | 'seal_root_mismatch'
  | 'seal_signature_invalid'
  | 'seal_chain_broken'
  | 'seal_heads_changed'
  | 'seal_missing';

export interface BrokenPlace {
  readonly streamId: string;
  readonly revision?: number;
  readonly position?: string;
  readonly code: BrokenCode;
  readonly problem: string;
}

/**
 * What covers the recorded instants of the events checked: their own MAC (version 2), or, for events
 * whose MAC is of version 1 (written before the instant was covered), only the root of a seal of
 * version 2 made after them, or nothing yet.
 */
export interface InstantCoverage {
  /** Events whose MAC (version 2) covers their recorded instant. */
  readonly mac: number;
  /** Version-1 events at or before `sealedBy`'s position: their instant is covered by its root (and every later version-2 seal's). */
  readonly sealed: number;
  /** Version-1 events after every version-2 seal: nothing covers their instant yet. */
  readonly uncovered: number;
  /**
   * The newest version-2 seal covering the `sealed` events. Whole-log verification (and POST /audit/verify)
   * recomputed its root; a stream's own check names the newest stored one without replaying the log.
   */
  readonly sealedBy?: { readonly sequence: number; readonly position: string };
}

export interface Verification {
  readonly ok: boolean;
  /** Events checked (up to and including the broken one). */
  readonly checked: number;
  /** Seals whose position the check passed and found exact. */
  readonly sealsChecked: number;
  readonly instants: InstantCoverage;
  readonly firstBroken?: BrokenPlace;
  /** The held seal was one of the log this one was copied from: checked with the events' old positions. */
  readonly migratedFrom?: { readonly sourceLog: string; readonly migratedAt: string };
}

/** A seal to hold the log against, with what the seal store knows of it. */
export interface SealCheckpoint {
  readonly seal: Seal;
  /** The streams it names; undefined when not known (a held seal with no matching stored copy). */
  readonly heads?: SealHeads;
  /** Something already found wrong with the seal itself, reported when the walk reaches it. */
  readonly problem?: BrokenPlace;
}

interface StreamState {
  revision: number;
  hash: string;
  position: bigint;
}

/** The event as verification sees it: its content as canonical text, what the chain hash and the MAC cover. */
export function canonicalEventOf(event: RecordedEvent): CanonicalEvent {
  return {
    id: event.id,
    streamId: event.streamId,
    type: event.type,
    revision: event.revision,
    position: event.position,
    hash: event.hash,
    ...(event.mac === undefined ? {} : { mac: event.mac }),
    dataJson: canonicalJson(event.data),
    metadataJson: canonicalJson(event.metadata),
    recordedAt: instantText(event.recordedAt),
  };
}

/** The checks one event must pass given its stream's previous event (undefined for revision 0). */
export function checkEvent(keys: AuditKeyRing, event: CanonicalEvent, previous: StreamState | undefined): BrokenPlace | undefined {
  const expectedRevision = previous === undefined ? 0 : previous.revision + 1;
  if (
    event.revision === expectedRevision &&
    (previous === undefined || event.position > previous.position) &&
    chainHashOfText(previous?.hash ?? GENESIS_HASH, event.revision, event.type, event.dataJson, event.metadataJson) === event.hash
  ) {
    return macProblem(keys, event);
  }
  // Something is wrong: which, and where (the checks again, in the order they are reported).
  const place = { streamId: event.streamId, revision: event.revision, position: event.position.toString() };
  if (event.revision > expectedRevision) {
    return {
      ...place,
      revision: expectedRevision,
      code: 'revision_missing',
      problem: `revision ${expectedRevision} is missing: the stream goes from ${expectedRevision - 1} to ${event.revision}`,
    };
  }
  if (event.revision < expectedRevision) {
    return { ...place, code: 'revision_out_of_order', problem: `revision ${event.revision} comes after revision ${expectedRevision - 1} in the log` };
  }
  if (previous !== undefined && event.position <= previous.position) {
    return { ...place, code: 'position_out_of_order', problem: `position ${event.position} is not after the previous revision's ${previous.position}` };
  }
  return { ...place, code: 'hash_mismatch', problem: 'the stored chain hash does not match the event and the one before it' };
}

/** Whether the event's MAC is valid, as a broken place when it is not. */
export function macProblem(keys: AuditKeyRing, event: CanonicalEvent): BrokenPlace | undefined {
  const mac = keys.check(event, event.mac);
  if (mac === 'valid') return undefined;
  const place = { streamId: event.streamId, revision: event.revision, position: event.position.toString() };
  switch (mac) {
    case 'missing':
      return { ...place, code: 'mac_missing', problem: 'the event carries no MAC: it was not written by the service' };
    case 'unknown_key':
      return { ...place, code: 'mac_unknown_key', problem: 'the event\'s MAC names a key the service does not have' };
    case 'invalid':
      return macVersionOf(event.mac) === 2
        ? { ...place, code: 'mac_invalid', problem: 'the event\'s MAC does not match its stream, revision, content or recorded instant: it was changed, moved or forged' }
        : { ...place, code: 'mac_invalid', problem: 'the event\'s MAC (version 1) does not match its stream, revision or content: it was changed, moved or forged' };
  }
}

/** Counts how the instants of the events walked are covered (InstantCoverage). */
class InstantCount {
  private mac = 0;
  private v1 = 0;
  private v1Sealed = 0;
  private sealedBy: { sequence: number; position: string } | undefined;

  add(event: CanonicalEvent): void {
    if (macVersionOf(event.mac) === 2) this.mac++;
    else this.v1++;
  }

  /** A version-2 seal was found exact: every version-1 event so far is covered by it. */
  sealed(seal: Seal): void {
    this.v1Sealed = this.v1;
    this.sealedBy = { sequence: seal.sequence, position: seal.position };
  }

  coverage(): InstantCoverage {
    return { mac: this.mac, sealed: this.v1Sealed, uncovered: this.v1 - this.v1Sealed, ...(this.sealedBy === undefined ? {} : { sealedBy: this.sealedBy }) };
  }
}

/** Running roots of each leaf version, each kept only as far as a seal of that version still needs it. */
class Roots {
  private readonly roots: Buffer[] = [Buffer.from(GENESIS_ROOT, 'hex'), Buffer.from(GENESIS_ROOT, 'hex')];
  /** The last position a seal of each version checks, or -1 when none does. */
  private readonly until: bigint[];

  constructor(seals: readonly Pick<Seal, 'version' | 'position'>[]) {
    this.until = [-1n, -1n];
    for (const seal of seals) {
      const v = sealVersion(seal) - 1;
      const position = BigInt(seal.position);
      if (position > this.until[v]!) this.until[v] = position;
    }
  }

  extend(event: CanonicalEvent, position: bigint): void {
    if (position <= this.until[0]!) this.roots[0] = extendRoot(this.roots[0]!, leafOf(1, { ...event, position }));
    if (position <= this.until[1]!) this.roots[1] = extendRoot(this.roots[1]!, leafOf(2, position === event.position ? event : { ...event, position }));
  }

  root(version: SealVersion): string {
    return this.roots[version - 1]!.toString('hex');
  }
}

/** Walks the whole log in order against a list of seals sorted by position. */
export class LogWalk {
  private readonly streams = new Map<string, StreamState>();
  private readonly roots: Roots;
  private count = 0;
  private sealsChecked = 0;
  private broken: BrokenPlace | undefined;
  private next = 0;
  private readonly instants = new InstantCount();

  // Seals of the log this one was copied from, checked over the events' positions in that log.
  private readonly sourceRoots: Roots;
  private sourceCount = 0;
  private nextSource = 0;

  constructor(
    private readonly keys: AuditKeyRing,
    private readonly checkpoints: readonly SealCheckpoint[],
    private readonly sourceCheckpoints: readonly Seal[] = [],
  ) {
    this.roots = new Roots(checkpoints.map((c) => c.seal));
    this.sourceRoots = new Roots(sourceCheckpoints);
  }

  get checked(): number {
    return this.count;
  }

  get firstBroken(): BrokenPlace | undefined {
    return this.broken;
  }

  /** Returns false once something is broken: there is no point feeding more. */
  push(event: CanonicalEvent, sourcePosition?: bigint): boolean {
    if (this.broken !== undefined) return false;
    while (this.next < this.checkpoints.length && BigInt(this.checkpoints[this.next]!.seal.position) < event.position) {
      if (!this.checkSeal(this.checkpoints[this.next]!)) return false;
      this.next++;
    }
    if (this.nextSource < this.sourceCheckpoints.length) {
      // An event the copy did not bring (none: it came after) ends the old log's part.
      while (this.nextSource < this.sourceCheckpoints.length && (sourcePosition === undefined || BigInt(this.sourceCheckpoints[this.nextSource]!.position) < sourcePosition)) {
        if (!this.checkSourceSeal(this.sourceCheckpoints[this.nextSource]!)) return false;
        this.nextSource++;
      }
      if (sourcePosition !== undefined) {
        this.sourceCount++;
        this.sourceRoots.extend(event, sourcePosition);
      }
    }
    this.count++;
    const previous = this.streams.get(event.streamId);
    const broken = checkEvent(this.keys, event, previous);
    if (broken !== undefined) {
      this.broken = broken;
      return false;
    }
    if (previous === undefined) this.streams.set(event.streamId, { revision: event.revision, hash: event.hash, position: event.position });
    else {
      previous.revision = event.revision;
      previous.hash = event.hash;
      previous.position = event.position;
    }
    this.instants.add(event);
    this.roots.extend(event, event.position);
    return true;
  }

  /** The log has ended: every seal not yet passed must be satisfied by what was read. */
  end(): Verification {
    while (this.broken === undefined && this.next < this.checkpoints.length) {
      if (!this.checkSeal(this.checkpoints[this.next]!)) break;
      this.next++;
    }
    while (this.broken === undefined && this.nextSource < this.sourceCheckpoints.length) {
      if (!this.checkSourceSeal(this.sourceCheckpoints[this.nextSource]!)) break;
      this.nextSource++;
    }
    return {
      ok: this.broken === undefined,
      checked: this.count,
      sealsChecked: this.sealsChecked,
      instants: this.instants.coverage(),
      ...(this.broken === undefined ? {} : { firstBroken: this.broken }),
    };
  }

  private checkSeal({ seal, heads, problem }: SealCheckpoint): boolean {
    this.broken = problem ?? this.sealProblem(seal, heads);
    if (this.broken === undefined) {
      this.sealsChecked++;
      if (sealVersion(seal) === 2) this.instants.sealed(seal);
    }
    return this.broken === undefined;
  }

  private checkSourceSeal(seal: Seal): boolean {
    const name = `seal #${seal.sequence} of the log this one was copied from (position ${seal.position} there)`;
    if (this.sourceCount !== seal.eventCount) {
      this.broken = {
        streamId: '*',
        position: seal.position,
        code: 'seal_count_mismatch',
        problem: `the copied log holds ${this.sourceCount} events up to old position ${seal.position}; ${name} sealed ${seal.eventCount}`,
      };
    } else if (this.sourceRoots.root(sealVersion(seal)) !== seal.root) {
      this.broken = {
        streamId: '*',
        position: seal.position,
        code: 'seal_root_mismatch',
        problem: `the copied log up to old position ${seal.position} is not what ${name} sealed: events were changed, reordered, removed or inserted, or their old positions`,
      };
    } else {
      this.sealsChecked++;
    }
    return this.broken === undefined;
  }

  private sealProblem(seal: Seal, heads: SealHeads | undefined): BrokenPlace | undefined {
    const name = `seal #${seal.sequence} (position ${seal.position})`;
    // The streams first: they name the place; the count and the root only say that something differs.
    for (const [streamId, [revision, hash]] of Object.entries(heads ?? {})) {
      const state = this.streams.get(streamId);
      if (state === undefined) {
        return { streamId, revision: 0, code: 'stream_missing', problem: `the stream is missing: ${name} sealed it at revision ${revision}` };
      }
      if (state.revision < revision) {
        return {
          streamId,
          revision: state.revision + 1,
          code: 'sealed_revision_missing',
          problem: `revisions ${state.revision + 1} to ${revision} are missing: ${name} sealed the stream at revision ${revision}`,
        };
      }
      if (state.revision > revision || state.hash !== hash) {
        return { streamId, revision, code: 'sealed_event_changed', problem: `the stream at ${name} is not what was sealed (revision ${revision}, hash ${hash})` };
      }
    }
    if (this.count !== seal.eventCount) {
      return {
        streamId: '*',
        position: seal.position,
        code: 'seal_count_mismatch',
        problem: `the log holds ${this.count} events up to position ${seal.position}; ${name} sealed ${seal.eventCount}`,
      };
    }
    if (this.roots.root(sealVersion(seal)) !== seal.root) {
      return {
        streamId: '*',
        position: seal.position,
        code: 'seal_root_mismatch',
        problem: `the log up to position ${seal.position} is not what ${name} sealed: events were changed, reordered, removed or inserted`,
      };
    }
    return undefined;
  }
}

/**
 * One stream's own check: its events in revision order, then the newest stored seal naming it, which
 * catches a removed newest event or a removed stream as long as a seal has seen them. `covering` is the
 * newest stored seal, named in the answer as what covers the instants of version-1 events before it
 * (this check does not replay the log to recompute its root; whole-log verification does).
 */
export function verifyStreamEvents(
  keys: AuditKeyRing,
  streamId: string,
  events: readonly CanonicalEvent[],
  sealed: SealCheckpoint | undefined,
  covering?: Seal,
): Verification {
  let previous: StreamState | undefined;
  let checked = 0;
  const instants = new InstantCount();
  const answer = (firstBroken?: BrokenPlace, sealsChecked = 0): Verification => ({
    ok: firstBroken === undefined,
    checked,
    sealsChecked,
    instants: instants.coverage(),
    ...(firstBroken === undefined ? {} : { firstBroken }),
  });
  const coveringV2 = covering !== undefined && sealVersion(covering) === 2 ? covering : undefined;
  let sealedYet = false;
  for (const event of events) {
    checked++;
    const broken = checkEvent(keys, event, previous);
    if (broken !== undefined) return answer(broken);
    if (coveringV2 !== undefined && !sealedYet && event.position > BigInt(coveringV2.position)) {
      instants.sealed(coveringV2);
      sealedYet = true;
    }
    instants.add(event);
    previous = { revision: event.revision, hash: event.hash, position: event.position };
  }
  if (coveringV2 !== undefined && !sealedYet) instants.sealed(coveringV2);
  if (sealed === undefined) return answer();
  if (sealed.problem !== undefined) return answer(sealed.problem);
  const entry = sealed.heads?.[streamId];
  if (entry === undefined) return answer();
  const [revision, hash] = entry;
  const { seal } = sealed;
  const name = `seal #${seal.sequence} (position ${seal.position})`;
  const atSeal = events.filter((event) => event.position <= BigInt(seal.position)).at(-1);
  if (atSeal === undefined) {
    return answer({ streamId, revision: 0, code: 'stream_missing', problem: `the stream is missing: ${name} sealed it at revision ${revision}` });
  }
  if (atSeal.revision < revision) {
    return answer({
      streamId,
      revision: atSeal.revision + 1,
      code: 'sealed_revision_missing',
      problem: `revisions ${atSeal.revision + 1} to ${revision} are missing: ${name} sealed the stream at revision ${revision}`,
    });
  }
  if (atSeal.revision > revision || atSeal.hash !== hash) {
    return answer({ streamId, revision, code: 'sealed_event_changed', problem: `the stream at ${name} is not what was sealed (revision ${revision}, hash ${hash})` });
  }
  return answer(undefined, 1);
}
