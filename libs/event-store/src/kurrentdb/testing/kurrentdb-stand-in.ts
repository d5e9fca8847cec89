/**
 * A single-node KurrentDB as @kurrent/kurrentdb-client sees it, in memory, for tests on machines
 * where no server can run. It replaces the network methods of one store's client instance; everything
 * above them (the adapter, the client's own subscription request building and its Subscription
 * transform, which turn protobuf messages into events and checkpoint callbacks) is the real code.
 *
 * It answers the way the server does as far as this adapter relies on it: conditional appends with
 * the server's idempotency for same ids at the same expected revision, implicitly committed events
 * with commit = prepare positions, $all reads that include their start position (forwards) or end
 * before it (backwards), filtered catch-up subscriptions that exclude their start position, send a
 * page-boundary checkpoint (next record start, prepare 0) when they go live, a checkpoint every
 * window of considered events, and a caught-up notice. It is no evidence of how a real server
 * behaves: the contract suite against KURRENTDB_URL is.
 */
import { PassThrough } from 'node:stream';
import {
  BACKWARDS,
  END,
  NO_STREAM,
  START,
  StreamNotFoundError,
  WrongExpectedVersionError,
  type AppendResult,
  type EventData,
  type Position,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
} from '@kurrent/kurrentdb-client';
import streamsPb from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/streams_pb.js';
import sharedPb from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/shared_pb.js';

const { ReadResp } = streamsPb;
type ReadRequest = InstanceType<typeof streamsPb.ReadReq>;
type ReadResponse = InstanceType<typeof ReadResp>;

export type StoredEvent = RecordedEvent & { readonly position: Position };

/** Distance between consecutive records' positions; a record "ends" one byte before the next starts. */
const RECORD_SIZE = 137n;
/** The server's filter window (events considered per page) when the client sets no maxSearchWindow. */
const DEFAULT_WINDOW = 32;

interface LiveSubscriber {
  readonly send: (event: StoredEvent) => void;
}

export class KurrentDbStandIn {
  readonly log: StoredEvent[] = [];
  readonly streams = new Map<string, StoredEvent[]>();
  appendCalls = 0;
  /** Runs once right before the next append is applied: another writer getting in between. */
  beforeNextAppend: (() => void) | undefined;
  /** Opened subscription streams, newest last. */
  readonly subscriptions: PassThrough[] = [];
  private readonly live = new Set<LiveSubscriber>();
  private nextPosition = 1000n;
  /** When true, open subscriptions stop forwarding live events without closing: a silent drop. */
  dropLiveEvents = false;

  /** Puts this stand-in behind `client` (a KurrentDBClient instance). */
  install(client: object): this {
    const target = client as Record<string, unknown>;
    target.appendToStream = this.appendToStream.bind(this);
    target.readStream = this.readStream.bind(this);
    target.readAll = this.readAll.bind(this);
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
    const written = events.map((e) => {
      const position = this.nextPosition;
      this.nextPosition += RECORD_SIZE;
      const stored = {
        streamId: streamName,
        id: e.id,
        isJson: true,
        revision: BigInt(stream.length),
        type: e.type,
        created: new Date(),
        data: JSON.parse(JSON.stringify(e.data)) as unknown,
        metadata: JSON.parse(JSON.stringify(e.metadata ?? {})) as unknown,
        position: { commit: position, prepare: position },
      } as StoredEvent;
      stream.push(stored);
      this.log.push(stored);
      return stored;
    });
    for (const subscriber of this.live) for (const event of written) subscriber.send(event);
    return written;
  }

  async appendToStream(streamName: string, events: EventData | EventData[], options: { streamState?: bigint | string } = {}): Promise<AppendResult> {
    this.appendCalls++;
    const batch = Array.isArray(events) ? events : [events];
    const hook = this.beforeNextAppend;
    this.beforeNextAppend = undefined;
    hook?.();
    await Promise.resolve();
    const stream = this.streams.get(streamName) ?? [];
    const current = stream.length - 1;
    const state = options.streamState;
    if (state !== undefined && state !== 'any') {
      const expected = state === NO_STREAM ? -1 : Number(state);
      if (expected !== current) {
        const already = stream.slice(expected + 1, expected + 1 + batch.length);
        if (already.length === batch.length && already.every((s, i) => s.id === batch[i]!.id)) {
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

  readStream(streamName: string, options: ReadStreamOptions = {}): AsyncIterableIterator<{ event: StoredEvent; commitPosition: bigint }> {
    const streams = this.streams;
    return (async function* () {
      await Promise.resolve();
      const stream = streams.get(streamName);
      if (!stream) throw new StreamNotFoundError(undefined, streamName);
      const max = Number(options.maxCount ?? Number.MAX_SAFE_INTEGER);
      const backwards = options.direction === BACKWARDS;
      const from = options.fromRevision ?? (backwards ? END : START);
      let list = backwards ? [...stream].reverse() : stream;
      if (typeof from === 'bigint') list = list.filter((e) => (backwards ? e.revision <= from : e.revision >= from));
      for (const event of list.slice(0, max)) yield { event, commitPosition: event.position.commit };
    })();
  }

  readAll(options: ReadAllOptions = {}): AsyncIterableIterator<{ event: StoredEvent; commitPosition: bigint }> {
    const log = this.log;
    return (async function* () {
      await Promise.resolve();
      const prefixes = options.filter && 'prefixes' in options.filter ? options.filter.prefixes : undefined;
      const max = Number(options.maxCount ?? Number.MAX_SAFE_INTEGER);
      const backwards = options.direction === BACKWARDS;
      const from = options.fromPosition ?? (backwards ? END : START);
      let list = backwards ? [...log].reverse() : [...log];
      if (typeof from === 'object') {
        list = list.filter((e) => (backwards ? e.position.commit < from.commit : e.position.commit >= from.commit));
      }
      if (prefixes) list = list.filter((e) => prefixes.some((p) => e.streamId.startsWith(p)));
      for (const event of list.slice(0, max)) yield { event, commitPosition: event.position.commit };
    })();
  }

  private openSubscription(request: ReadRequest): PassThrough {
    const options = request.getOptions()!;
    const all = options.getAll()!;
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
      this.live.delete(subscriber);
      stream.end();
    };
    Object.assign(stream, { cancel });
    stream.on('close', () => this.live.delete(subscriber));
    this.subscriptions.push(stream);

    // Catch up on a later tick, as the server does after confirming the subscription.
    setImmediate(() => {
      if (stream.destroyed) return;
      const backlog = this.log.filter((e) => start === undefined || e.position.commit > start);
      for (const event of backlog) consider(event);
      if (filter) {
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
    .set('content-type', 'application/json')
    .set('created', String(BigInt(event.created.getTime()) * 10_000n));
  record.setData(Buffer.from(JSON.stringify(event.data)));
  record.setCustomMetadata(Buffer.from(JSON.stringify(event.metadata)));
  const read = new ReadResp.ReadEvent();
  read.setEvent(record);
  read.setCommitPosition(String(event.position.commit));
  return new ReadResp().setEvent(read);
}

function checkpointMessage(commit: bigint, prepare: bigint): ReadResponse {
  return new ReadResp().setCheckpoint(new ReadResp.Checkpoint().setCommitPosition(String(commit)).setPreparePosition(String(prepare)));
}
