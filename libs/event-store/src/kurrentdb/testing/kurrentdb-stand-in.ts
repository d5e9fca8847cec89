/**
 * A single-node KurrentDB as @kurrent/kurrentdb-client sees it, in memory, for tests on machines
 * where no server can run. It replaces the network underneath one store's client instance; everything
 * above it is the real client code:
 *   - reads answer at the native bridge (`client.rustClient.readStream/readAll`), with the bridge's
 *     shapes (batches of Rust-side events, u64 revisions and positions as bigints, data as bytes) and
 *     its error objects (`name` StreamNotFoundError, StreamDeletedError, UnknownError...), so the
 *     client's own conversion (convertRustEvent, convertBridgeError, getStreamMetadata) runs;
 *   - subscriptions answer at the gRPC call (`GRPCStreamCreator`), so the client's request building and
 *     its Subscription transform (confirmation, checkpoint callbacks, caught-up) run;
 *   - appends replace `appendToStream` (the batch-append protocol is not modelled) and throw what the
 *     client throws for each server answer.
 *
 * It answers the way the server does as far as this adapter relies on it: conditional appends with
 * the server's idempotency for same ids at the same expected revision, implicitly committed events
 * with commit = prepare positions, $all reads that include their start position (forwards) or end
 * before it (backwards), filtered catch-up subscriptions that confirm, exclude their start position,
 * send a page-boundary checkpoint (next record start, prepare 0) when they go live, a checkpoint every
 * window of considered events, and a caught-up notice. Deletion as the server does it: a hard delete
 * writes a `$streamDeleted` tombstone (revision 2^63-1) into the stream itself, so it shows in filtered
 * $all reads and subscriptions, and the stream reads and appends as deleted; a soft delete writes `$tb`
 * (last revision + 1) into the `$$` metadata stream, the stream reads as not found, and a later append
 * continues the numbering after the old last revision; `$maxCount` and `$tb` hide the stream's older
 * events from stream reads (not from $all). Appends over the maximum append size (1 MiB by default)
 * are refused. Faults can be injected (see the public fields).
 *
 * It is no evidence of how a real server behaves: the contract suite and checklist against
 * KURRENTDB_URL are (see ../README.md).
 */
import { PassThrough } from 'node:stream';
import {
  MaxAppendSizeExceededError,
  NO_STREAM,
  StreamDeletedError,
  WrongExpectedVersionError,
  type AppendResult,
  type EventData,
  type Position,
} from '@kurrent/kurrentdb-client';
import streamsPb from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/streams_pb.js';
import sharedPb from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/shared_pb.js';

const { ReadResp } = streamsPb;
type ReadRequest = InstanceType<typeof streamsPb.ReadReq>;
type ReadResponse = InstanceType<typeof ReadResp>;

/** A log record as the server keeps it. */
export interface StoredEvent {
  readonly streamId: string;
  readonly id: string;
  readonly type: string;
  readonly revision: bigint;
  readonly created: Date;
  readonly isJson: boolean;
  /** Parsed JSON for JSON events (what the client's conversion gives back), bytes otherwise. */
  readonly data: unknown;
  readonly metadata: unknown;
  readonly position: Position;
}

/** The revision the server gives a tombstone: i64::MAX. */
export const TOMBSTONE_REVISION = 0x7fff_ffff_ffff_ffffn;
/** Distance between consecutive records' positions; a record "ends" one byte before the next starts. */
const RECORD_SIZE = 137n;
/** The server's filter window (events considered per page) when the client sets no maxSearchWindow. */
const DEFAULT_WINDOW = 32;
/** The server's default MaxAppendSize. */
export const DEFAULT_MAX_APPEND_SIZE = 1024 * 1024;
/** The native bridge hands events over in batches of this many. */
const BRIDGE_BATCH = 64;

interface LiveSubscriber {
  readonly send: (event: StoredEvent) => void;
}

interface StreamMetadata {
  readonly $tb?: number;
  readonly $maxCount?: number;
}

/** A raw gRPC error as grpc-js reports one: numeric status code, details, metadata. */
export function grpcError(code: number, details: string): Error {
  const metadata = { get: () => [], getMap: () => ({}) };
  return Object.assign(new Error(`${code} ${details}`), { code, details, metadata });
}

/** An error object as the native bridge throws it (before the client converts it). */
export function bridgeError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name, metadata: name === 'UnknownError' ? { detail: message } : {} });
}

export class KurrentDbStandIn {
  readonly log: StoredEvent[] = [];
  readonly streams = new Map<string, StoredEvent[]>();
  appendCalls = 0;
  /** Runs once right before the next append is applied: another writer getting in between. */
  beforeNextAppend: (() => void) | undefined;
  /** Opened subscription streams, newest last. */
  readonly subscriptions: PassThrough[] = [];
  /** How many subscription calls the client cancelled. */
  cancelledSubscriptions = 0;
  /** When true, open subscriptions stop forwarding live events without closing: a silent drop. */
  dropLiveEvents = false;
  /** When true, new subscriptions are accepted and then never answered (not even confirmed). */
  silentSubscriptions = false;
  /** Thrown (as the client would throw it) by the next append, then cleared. */
  failNextAppend: Error | undefined;
  /** Raised by every new subscription's gRPC call until cleared (a raw gRPC error). */
  failSubscriptions: Error | undefined;
  /** Thrown by the next native read, then cleared (a bridge error object). */
  failNextRead: Error | undefined;
  /** When true, appends are taken and never answered: the batch-append stream closed without a reply. */
  appendsNeverAnswer = false;
  /** When set, a filtered $all read returns at most this many events, however many it was asked for. */
  shortReadPages: number | undefined;
  maxAppendSize = DEFAULT_MAX_APPEND_SIZE;
  private readonly live = new Set<LiveSubscriber>();
  private readonly tombstoned = new Set<string>();
  private nextPosition = 1000n;

  /** Puts this stand-in behind `client` (a KurrentDBClient instance). */
  install(client: object): this {
    const target = client as Record<string, unknown>;
    target.appendToStream = this.appendToStream.bind(this);
    // The bridge's client object is a plain object made by createClient: its two reads are answered here.
    const bridge = (client as { rustClient: Record<string, unknown> }).rustClient;
    bridge.readStream = (stream: string, options: BridgeReadStreamOptions) => this.bridgeReadStream(stream, options);
    bridge.readAll = (options: BridgeReadAllOptions) => this.bridgeReadAll(options);
    // subscribeToAll itself stays the client's: it builds the real request and wraps the reply
    // stream in its Subscription transform. Only the gRPC call underneath is answered here.
    target.GRPCStreamCreator = (_client: unknown, _name: string, creator: (grpc: unknown) => PassThrough) => async () =>
      creator({ read: (request: ReadRequest) => this.openSubscription(request) });
    return this;
  }

  /** Writes without any check, as another application sharing the server would. */
  write(streamName: string, events: readonly EventData[]): StoredEvent[] {
    const stream = this.streams.get(streamName) ?? [];
    this.streams.set(streamName, stream);
    const written = events.map((e) =>
      this.record(streamName, stream, {
        id: e.id,
        type: e.type,
        revision: BigInt(stream.length),
        isJson: true,
        data: JSON.parse(JSON.stringify(e.data)) as unknown,
        metadata: JSON.parse(JSON.stringify(e.metadata ?? {})) as unknown,
      }),
    );
    return written;
  }

  /** A hard delete: the `$streamDeleted` tombstone goes into the stream itself, at revision i64::MAX. */
  tombstone(streamName: string): StoredEvent {
    const stream = this.streams.get(streamName) ?? [];
    this.streams.set(streamName, stream);
    this.tombstoned.add(streamName);
    return this.record(streamName, stream, {
      id: crypto.randomUUID(),
      type: '$streamDeleted',
      revision: TOMBSTONE_REVISION,
      isJson: false,
      data: new Uint8Array(),
      metadata: undefined,
    });
  }

  /** A soft delete: `$tb` = last revision + 1 in the metadata stream; the events stay in $all. */
  softDelete(streamName: string): void {
    const stream = this.streams.get(streamName) ?? [];
    this.setStreamMetadata(streamName, { ...this.metadataOf(streamName), $tb: stream.length });
  }

  /** Writes stream metadata ($maxCount, $tb) as a `$metadata` event of `$$<stream>`. */
  setStreamMetadata(streamName: string, metadata: StreamMetadata): void {
    const metaStream = `$$${streamName}`;
    const stream = this.streams.get(metaStream) ?? [];
    this.streams.set(metaStream, stream);
    this.record(metaStream, stream, {
      id: crypto.randomUUID(),
      type: '$metadata',
      revision: BigInt(stream.length),
      isJson: true,
      data: { ...metadata },
      metadata: undefined,
    });
  }

  async appendToStream(streamName: string, events: EventData | EventData[], options: { streamState?: bigint | string } = {}): Promise<AppendResult> {
    this.appendCalls++;
    const batch = Array.isArray(events) ? events : [events];
    const hook = this.beforeNextAppend;
    this.beforeNextAppend = undefined;
    hook?.();
    if (this.appendsNeverAnswer) return new Promise<never>(() => undefined);
    const failure = this.failNextAppend;
    this.failNextAppend = undefined;
    await Promise.resolve();
    if (failure) throw failure;
    if (this.tombstoned.has(streamName)) throw StreamDeletedError.fromStreamName(streamName);
    const size = batch.reduce((sum, e) => sum + byteLength(e.data) + byteLength(e.metadata ?? {}), 0);
    if (size > this.maxAppendSize) throw MaxAppendSizeExceededError.fromMaxAppendSize(this.maxAppendSize);

    const stream = this.streams.get(streamName) ?? [];
    const last = stream.length - 1;
    // A soft-deleted stream with nothing after its $tb counts as not existing, and continues its numbering.
    const current = this.visible(streamName).length === 0 && this.metadataOf(streamName).$tb !== undefined ? -1 : last;
    const state = options.streamState;
    if (state !== undefined && state !== 'any') {
      const expected = state === NO_STREAM ? -1 : Number(state);
      if (expected !== current && !(expected === last && current === -1)) {
        const already = stream.slice(expected + 1, expected + 1 + batch.length);
        if (expected >= 0 && already.length === batch.length && already.every((s, i) => s.id === batch[i]!.id)) {
          return { success: true, nextExpectedRevision: already[already.length - 1]!.revision, position: already[0]!.position };
        }
        throw new WrongExpectedVersionError(undefined, {
          streamName,
          expected: state as bigint,
          current: current < 0 ? 'no_stream' : BigInt(current),
        });
      }
    }
    const written = this.write(streamName, batch);
    // For a batch, the reply names the first event: the adapter must not take it for the last.
    return { success: true, nextExpectedRevision: written[written.length - 1]!.revision, position: written[0]!.position };
  }

  // -------------------------------------------------------------------------------------------------
  // The native bridge's reads

  private bridgeReadStream(streamName: string, options: BridgeReadStreamOptions): AsyncIterable<BridgeResolvedEvent[]> {
    return batches(async () => {
      this.takeReadFailure();
      if (this.tombstoned.has(streamName)) throw bridgeError('StreamDeletedError', 'StreamDeletedError');
      const visible = this.visible(streamName);
      if (visible.length === 0) throw bridgeError('StreamNotFoundError', 'StreamNotFoundError');
      const backwards = options.direction === 'backwards' || options.fromRevision === 'end';
      const from = options.fromRevision;
      let list = backwards ? [...visible].reverse() : visible;
      if (typeof from === 'bigint') list = list.filter((e) => (backwards ? e.revision <= from : e.revision >= from));
      return list.slice(0, Number(options.maxCount));
    });
  }

  private bridgeReadAll(options: BridgeReadAllOptions): AsyncIterable<BridgeResolvedEvent[]> {
    return batches(async () => {
      this.takeReadFailure();
      const prefixes = options.filter?.prefixes;
      let max = Number(options.maxCount);
      const from = options.fromPosition;
      // As in the bridge: reading from 'start' goes forwards, from 'end' backwards, whatever the direction.
      const backwards = from === 'end' || (from !== 'start' && options.direction === 'backwards');
      let list = backwards ? [...this.log].reverse() : [...this.log];
      if (typeof from === 'object') {
        list = list.filter((e) => (backwards ? e.position.commit < from.commit : e.position.commit >= from.commit));
      }
      if (prefixes) {
        list = list.filter((e) => prefixes.some((p) => e.streamId.startsWith(p)));
        if (this.shortReadPages !== undefined) {
          // Short by this many events after the start position (which a forward read includes).
          const includesStart = typeof from === 'object' && list[0]?.position.commit === from.commit;
          max = Math.min(max, this.shortReadPages + (includesStart ? 1 : 0));
        }
      }
      return list.slice(0, max);
    });
  }

  private takeReadFailure(): void {
    const failure = this.failNextRead;
    this.failNextRead = undefined;
    if (failure) throw failure;
  }

  // -------------------------------------------------------------------------------------------------
  // Subscriptions

  private openSubscription(request: ReadRequest): PassThrough {
    const options = request.getOptions()!;
    const all = options.getAll()!;
    const fromEnd = all.hasEnd();
    const start = all.hasPosition() ? BigInt(all.getPosition()!.getCommitPosition()) : undefined;
    const filter = options.hasFilter() ? options.getFilter()! : undefined;
    const prefixes = filter?.getStreamIdentifier()?.getPrefixList() ?? [];
    const window = (filter?.hasMax() ? filter.getMax() : DEFAULT_WINDOW) * Math.max(1, filter?.getCheckpointintervalmultiplier() ?? 1);
    const matches = (event: StoredEvent) => prefixes.length === 0 || prefixes.some((p) => event.streamId.startsWith(p));

    const stream = new PassThrough({ objectMode: true });
    const subscriber: LiveSubscriber = {
      send: (event) => {
        if (this.dropLiveEvents || stream.destroyed) return;
        consider(event);
      },
    };
    let considered = 0;
    const consider = (event: StoredEvent) => {
      if (matches(event)) stream.write(eventMessage(event));
      if (filter && ++considered % window === 0) stream.write(checkpointMessage(event.position.commit, event.position.commit));
    };
    const cancel = () => {
      this.cancelledSubscriptions++;
      this.live.delete(subscriber);
      stream.end();
    };
    Object.assign(stream, { cancel });
    stream.on('close', () => this.live.delete(subscriber));
    this.subscriptions.push(stream);

    const failure = this.failSubscriptions;
    if (this.silentSubscriptions) return stream;
    // Confirm and catch up on a later tick, as the server does.
    setImmediate(() => {
      if (stream.destroyed) return;
      if (failure) {
        stream.destroy(failure);
        return;
      }
      stream.write(new ReadResp().setConfirmation(new ReadResp.SubscriptionConfirmation().setSubscriptionId('stand-in')));
      const backlog = fromEnd ? [] : this.log.filter((e) => start === undefined || e.position.commit > start);
      for (const event of backlog) consider(event);
      if (filter && !fromEnd) {
        // Going live: "everything before the next record" (the record after the last one, prepare 0).
        const last = this.log[this.log.length - 1];
        if (last !== undefined && (start === undefined || last.position.commit > start)) {
          stream.write(checkpointMessage(last.position.commit + RECORD_SIZE, 0n));
        }
      }
      stream.write(new ReadResp().setCaughtUp(new ReadResp.CaughtUp()));
      this.live.add(subscriber);
    });
    return stream;
  }

  // -------------------------------------------------------------------------------------------------
  // Helpers

  private record(streamName: string, stream: StoredEvent[], fields: Omit<StoredEvent, 'streamId' | 'created' | 'position'>): StoredEvent {
    const position = this.nextPosition;
    this.nextPosition += RECORD_SIZE;
    const stored: StoredEvent = { ...fields, streamId: streamName, created: new Date(), position: { commit: position, prepare: position } };
    stream.push(stored);
    this.log.push(stored);
    for (const subscriber of this.live) subscriber.send(stored);
    return stored;
  }

  private metadataOf(streamName: string): StreamMetadata {
    const meta = this.streams.get(`$$${streamName}`);
    return (meta?.[meta.length - 1]?.data as StreamMetadata | undefined) ?? {};
  }

  /** What a stream read shows: no tombstone, nothing before $tb, only the last $maxCount. */
  private visible(streamName: string): StoredEvent[] {
    const { $tb, $maxCount } = this.metadataOf(streamName);
    let events = (this.streams.get(streamName) ?? []).filter((e) => e.revision !== TOMBSTONE_REVISION);
    if ($tb !== undefined) events = events.filter((e) => e.revision >= BigInt($tb));
    if ($maxCount !== undefined) events = events.slice(Math.max(0, events.length - $maxCount));
    return events;
  }
}

interface BridgeReadStreamOptions {
  readonly fromRevision: bigint | string;
  readonly direction: string;
  readonly maxCount: bigint;
}

interface BridgeReadAllOptions {
  readonly fromPosition: { commit: bigint; prepare: bigint } | string;
  readonly direction: string;
  readonly maxCount: bigint;
  readonly filter?: { readonly prefixes?: readonly string[] };
}

/** A resolved event as the native bridge hands it over. */
interface BridgeResolvedEvent {
  readonly event: {
    readonly streamId: string;
    readonly id: string;
    readonly type: string;
    readonly isJson: boolean;
    readonly revision: bigint;
    readonly created: number;
    readonly data: Uint8Array;
    readonly metadata: Uint8Array;
    readonly position: Position;
  };
  readonly commitPosition: bigint;
}

/** The bridge's iteration: the events in batches; errors surface from the first next(). */
function batches(select: () => Promise<readonly StoredEvent[]>): AsyncIterable<BridgeResolvedEvent[]> {
  let pending: BridgeResolvedEvent[][] | undefined;
  return {
    [Symbol.asyncIterator]: () => ({
      async next() {
        await Promise.resolve();
        if (pending === undefined) {
          const selected = (await select()).map(toBridge);
          pending = [];
          for (let i = 0; i < selected.length; i += BRIDGE_BATCH) pending.push(selected.slice(i, i + BRIDGE_BATCH));
        }
        const value = pending.shift();
        return value === undefined ? { value: [], done: true } : { value, done: false };
      },
    }),
  };
}

function toBridge(event: StoredEvent): BridgeResolvedEvent {
  return {
    event: {
      streamId: event.streamId,
      id: event.id,
      type: event.type,
      isJson: event.isJson,
      revision: event.revision,
      created: event.created.getTime(),
      data: event.isJson ? Buffer.from(JSON.stringify(event.data)) : (event.data as Uint8Array),
      metadata: event.metadata === undefined ? new Uint8Array() : Buffer.from(JSON.stringify(event.metadata)),
      position: event.position,
    },
    commitPosition: event.position.commit,
  };
}

function byteLength(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? '');
}

function eventMessage(event: StoredEvent): ReadResponse {
  const record = new ReadResp.ReadEvent.RecordedEvent();
  record.setId(new sharedPb.UUID().setString(event.id));
  record.setStreamIdentifier(new sharedPb.StreamIdentifier().setStreamName(Buffer.from(event.streamId)));
  record.setStreamRevision(String(event.revision));
  record.setCommitPosition(String(event.position.commit));
  record.setPreparePosition(String(event.position.prepare));
  record
    .getMetadataMap()
    .set('type', event.type)
    .set('content-type', event.isJson ? 'application/json' : 'application/octet-stream')
    .set('created', String(BigInt(event.created.getTime()) * 10_000n));
  record.setData(event.isJson ? Buffer.from(JSON.stringify(event.data)) : (event.data as Uint8Array));
  if (event.metadata !== undefined) record.setCustomMetadata(Buffer.from(JSON.stringify(event.metadata)));
  const read = new ReadResp.ReadEvent();
  read.setEvent(record);
  read.setCommitPosition(String(event.position.commit));
  return new ReadResp().setEvent(read);
}

function checkpointMessage(commit: bigint, prepare: bigint): ReadResponse {
  return new ReadResp().setCheckpoint(new ReadResp.Checkpoint().setCommitPosition(String(commit)).setPreparePosition(String(prepare)));
}
