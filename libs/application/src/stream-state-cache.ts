import type { EventStore, RecordedEvent } from '@app/event-store';

/**
 * What the runner keeps of a stream between commands: the events as they were read or written (the
 * runner needs their command ids, times and payloads) and the state folded from them. Events are
 * immutable once written, so an entry is never wrong about what it holds, only possibly behind: a
 * newer event written by another process (or another command of this one) is not in it. The append
 * with the entry's revision as the expected one fails in that case, and the runner starts over from
 * the store (see runStreamCommand).
 */
export interface CachedStream<State> {
  readonly recorded: readonly RecordedEvent[];
  readonly state: State;
  /** The revision of the last event in `recorded` (-1 for none). */
  readonly revision: number;
}

interface Entry {
  readonly fold: object;
  readonly recorded: readonly RecordedEvent[];
  readonly state: unknown;
  readonly bytes: number;
}

export interface StreamStateCacheOptions {
  /** Most streams kept (least recently used go first); 0 keeps none. */
  readonly maxStreams: number;
  /** Approximate bytes of event payloads and metadata kept across all streams. */
  readonly maxBytes: number;
}

export interface StreamStateCacheStats {
  readonly streams: number;
  readonly bytes: number;
  /** Commands that started from an entry instead of reading the stream. */
  readonly hits: number;
  readonly misses: number;
  /** Entries found behind (a conflicting append, or an outcome that had to be confirmed on a fresh read). */
  readonly stale: number;
  readonly evictions: number;
}

// Per event, beyond its payload and metadata: ids, revision, position, date and the object overhead.
const EVENT_OVERHEAD_BYTES = 200;

/**
 * About the length of `value` as JSON, without building the string: JSON.stringify of every event a
 * command reads or writes cost several times what this walk does, on the path the cache is there to
 * shorten. Strings count their UTF-16 length, which is what they hold in memory.
 */
function jsonLength(value: unknown, depth = 0): number {
  switch (typeof value) {
    case 'string':
      return value.length + 2;
    case 'number':
      return 8;
    case 'boolean':
      return 5;
    case 'object': {
      if (value === null) return 4;
      if (depth > 16) return 64;
      let length = 2;
      if (Array.isArray(value)) {
        for (const item of value) length += jsonLength(item, depth + 1) + 1;
        return length;
      }
      for (const key in value) length += key.length + 4 + jsonLength((value as Record<string, unknown>)[key], depth + 1);
      return length;
    }
    default:
      return 0;
  }
}

function approximateBytes(event: RecordedEvent): number {
  return EVENT_OVERHEAD_BYTES + jsonLength(event.data) + jsonLength(event.metadata);
}

/**
 * A bounded, per-process LRU cache of folded streams, keyed by stream id and checked against the fold
 * it was made with (an entry folded by one evolve function is never handed to a command with another).
 * It only saves reads: correctness rests on the expected revision of every append.
 */
export class StreamStateCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;
  private counts = { hits: 0, misses: 0, stale: 0, evictions: 0 };

  constructor(private readonly options: StreamStateCacheOptions) {}

  get<State>(streamId: string, fold: object): CachedStream<State> | undefined {
    const entry = this.entries.get(streamId);
    if (entry === undefined || entry.fold !== fold) {
      this.counts.misses += 1;
      return undefined;
    }
    // Most recently used last: Map keeps insertion order.
    this.entries.delete(streamId);
    this.entries.set(streamId, entry);
    this.counts.hits += 1;
    return { recorded: entry.recorded, state: entry.state as State, revision: entry.recorded.length - 1 };
  }

  /**
   * Keeps what a command read or wrote. Never replaces an entry with an older revision of the same
   * stream (two commands of this process finishing out of order). `added` is how many events at the
   * end of `recorded` are new to the entry being extended, so the others' sizes are not recomputed.
   */
  remember<State>(streamId: string, fold: object, recorded: readonly RecordedEvent[], state: State, added = recorded.length): void {
    if (this.options.maxStreams <= 0 || recorded.length === 0) return;
    const previous = this.entries.get(streamId);
    if (previous !== undefined && previous.fold === fold && previous.recorded.length > recorded.length) return;
    let bytes = 0;
    const reuse = previous !== undefined && previous.fold === fold && previous.recorded.length === recorded.length - added;
    if (reuse) bytes = previous.bytes;
    for (let i = reuse ? recorded.length - added : 0; i < recorded.length; i++) bytes += approximateBytes(recorded[i]!);
    if (bytes > this.options.maxBytes) {
      this.forget(streamId);
      return;
    }
    this.forget(streamId);
    this.entries.set(streamId, { fold, recorded, state, bytes });
    this.bytes += bytes;
    for (const [oldest, entry] of this.entries) {
      if (this.entries.size <= this.options.maxStreams && this.bytes <= this.options.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= entry.bytes;
      this.counts.evictions += 1;
    }
  }

  /** The entry was found behind: drop it, so the next command reads the stream. */
  stale(streamId: string): void {
    this.counts.stale += 1;
    this.forget(streamId);
  }

  forget(streamId: string): void {
    const entry = this.entries.get(streamId);
    if (entry === undefined) return;
    this.entries.delete(streamId);
    this.bytes -= entry.bytes;
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }

  stats(): StreamStateCacheStats {
    return { streams: this.entries.size, bytes: this.bytes, ...this.counts };
  }
}

const caches = new WeakMap<EventStore, StreamStateCache>();

/**
 * Gives every runStreamCommand on `store` in this process the cache. Opt-in per store: a process that
 * attaches none (the worker, scripts, most tests) reads every stream, as before.
 */
export function attachStreamStateCache(store: EventStore, cache: StreamStateCache): void {
  caches.set(store, cache);
}

export function streamStateCacheOf(store: EventStore): StreamStateCache | undefined {
  return caches.get(store);
}
