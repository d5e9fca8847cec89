/**
 * The real-server checklist of ./README.md, as tests: what the stand-in models but only a KurrentDB
 * server can confirm. Runs whenever KURRENTDB_URL is set, e.g.
 *   KURRENTDB_URL='kurrentdb://127.0.0.1:2113?tls=false' npm run test:jest -- libs/event-store/src/kurrentdb
 * The two restart items also need KURRENTDB_RESTART_COMMAND, a shell command that restarts that server
 * (e.g. `docker restart kurrentdb`). Without them the items are reported as skipped under titles that
 * say NOT RUN, never as passed. Every test works in a namespace of its own on the shared server.
 */
import { exec } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { BACKWARDS, END, FORWARDS, KurrentDBClient, NO_STREAM, START, streamNameFilter, type EventData, type Position } from '@kurrent/kurrentdb-client';
import { EventStoreUnavailable, InvalidAppend, StreamTruncated } from '../event-store.errors';
import type { ExpectedRevision, NewEvent, RecordedEvent } from '../event-store.port';
import { verifyChain } from '../hash-chain';
import { KurrentDbEventStore } from './kurrentdb-event-store';
import { checkpointPosition, positionOf } from './kurrentdb-mapping';

const url = process.env['KURRENTDB_URL'];
const restartCommand = process.env['KURRENTDB_RESTART_COMMAND'];
const NOT_RUN = 'KurrentDB real-server checklist NOT RUN: KURRENTDB_URL is not set';

const event = (data: unknown = { note: 'Đề nghị khen thưởng' }): NewEvent => ({ id: randomUUID(), type: 'NominationSubmitted', data, metadata: { actor: 'real-server-check' } });
const foreign = (): EventData => ({ id: randomUUID(), contentType: 'application/json', type: 'OtherServiceEvent', data: { other: true }, metadata: {} });

if (url === undefined || url === '') {
  console.warn(`${NOT_RUN}. Set it (and KURRENTDB_RESTART_COMMAND for the restart items) to run it.`);
  describe.skip(NOT_RUN, () => {
    it('runs the checklist of libs/event-store/src/kurrentdb/README.md against a real server', () => undefined);
  });
} else {
  describe('KurrentDB real-server checklist', () => {
    let namespace: string;
    let raw: KurrentDBClient;
    const stores: KurrentDbEventStore[] = [];
    const open = (options: { maxAppendSizeBytes?: number } = {}) => {
      const store = new KurrentDbEventStore({
        connectionString: url,
        namespace,
        streamPrefixes: ['nomination-'],
        subscriptionIdleTimeoutMs: 5_000,
        subscriptionRetryDelayMs: 100,
        ...options,
      });
      stores.push(store);
      return store;
    };

    beforeEach(() => {
      namespace = `checklist-${randomBytes(6).toString('hex')}-`;
      raw = KurrentDBClient.connectionString(url);
    });
    afterEach(async () => {
      await Promise.all(stores.splice(0).map((s) => s.close()));
      await raw.dispose();
    });

    it('2. readAll with other services\' events between ours, paged by 4, returns every one of ours in order', async () => {
      const store = open();
      const ours: string[] = [];
      for (let i = 0; i < 9; i++) {
        const e = event();
        await store.append(`nomination-${i % 3}`, [e], i < 3 ? 'no_stream' : 'any');
        ours.push(e.id);
        await raw.appendToStream(`${namespace}other-${i}`, [foreign(), foreign()]);
      }
      const end = (await store.endPosition())!;
      const seen: RecordedEvent[] = [];
      let after: bigint | undefined;
      for (let pages = 0; after === undefined || after < end; pages++) {
        if (pages > 50) throw new Error(`paging stuck at ${String(after)}`);
        const batch = await store.readAll({ after, limit: 4 });
        expect(batch.events.length).toBeLessThanOrEqual(4);
        seen.push(...batch.events);
        after = batch.checkpoint;
      }
      expect(seen.map((e) => e.id)).toEqual(ours);
    });

    it('3. raw checkpoint shapes: exact ones name a record at or before the log end, page boundaries (C, 0) have a last event before C', async () => {
      const store = open();
      for (let i = 0; i < 40; i++) await raw.appendToStream(`${namespace}other-${i}`, [foreign()]);
      const last = await store.append('nomination-1', [event()], 'no_stream');
      const checkpoints: Position[] = [];
      const subscription = raw.subscribeToAll({
        fromPosition: START,
        filter: streamNameFilter({ prefixes: [`${namespace}nomination-`], checkpointReached: (_s, position) => void checkpoints.push(position) }),
      });
      await new Promise<void>((resolve, reject) => {
        subscription.on('caughtUp', () => resolve());
        subscription.on('error', reject);
        subscription.on('data', () => undefined);
      });
      await subscription.unsubscribe();
      expect(checkpoints.length).toBeGreaterThan(0);
      const end = (await store.endPosition())!;
      for (const position of checkpoints) {
        const kind = checkpointPosition(position);
        if (kind.kind === 'exact') {
          // What the adapter stores as is, and what endPosition() must never be below.
          expect(kind.position <= end).toBe(true);
        } else {
          let before: bigint | undefined;
          for await (const resolved of raw.readAll({ direction: BACKWARDS, fromPosition: { commit: kind.position, prepare: kind.position }, maxCount: 1 })) before = positionOf(resolved);
          expect(before !== undefined && before < kind.position).toBe(true);
        }
      }
      expect(last.position <= end).toBe(true);
    });

    it('4. deleted and truncated streams: tombstones skipped by readers, such streams refused, nothing written', async () => {
      const store = open();
      const warnings: string[] = [];
      const logged = new KurrentDbEventStore({ connectionString: url, namespace, streamPrefixes: ['nomination-'], logger: { warn: (m) => warnings.push(m) } });
      stores.push(logged);
      await store.append('nomination-hard', [event()], 'no_stream');
      await store.append('nomination-soft', [event(), event()], 'no_stream');
      await store.append('nomination-max', [event(), event(), event()], 'no_stream');
      await raw.tombstoneStream(`${namespace}nomination-hard`);
      await raw.deleteStream(`${namespace}nomination-soft`);
      await raw.setStreamMetadata(`${namespace}nomination-max`, { maxCount: 1 });
      const after = await store.append('nomination-live', [event()], 'no_stream');

      const all = await logged.readAll({ limit: 100 });
      expect(all.events.some((e) => e.type === '$streamDeleted')).toBe(false);
      expect(all.events.map((e) => e.position)).toContain(after.position);
      expect(warnings.some((w) => /tombstone/.test(w))).toBe(true);
      await expect(store.readStream('nomination-hard')).rejects.toBeInstanceOf(StreamTruncated);
      await expect(store.append('nomination-hard', [event()], 0)).rejects.toBeInstanceOf(StreamTruncated);
      await expect(store.readStream('nomination-soft')).rejects.toBeInstanceOf(StreamTruncated);
      await expect(store.append('nomination-soft', [event()], 'no_stream')).rejects.toBeInstanceOf(StreamTruncated);
      await expect(store.append('nomination-soft', [event()], 'any')).rejects.toBeInstanceOf(StreamTruncated);
      await expect(store.readStream('nomination-max')).rejects.toMatchObject({ constructor: StreamTruncated, firstRevision: 2 });
      await expect(store.readStream('nomination-max', { toRevision: 0 })).rejects.toBeInstanceOf(StreamTruncated);

      // A subscription from the start passes the tombstone and goes on.
      const received: string[] = [];
      const errors: Error[] = [];
      const subscription = store.subscribe({ onEvents: async (events) => void received.push(...events.map((e) => e.id)), onError: (e) => errors.push(e) });
      await subscription.waitFor(after.position, 20_000);
      await subscription.stop();
      expect(errors).toEqual([]);

      // What the server itself does with an append to the soft-deleted stream (recorded, not relied on).
      const outcome = await raw.appendToStream(`${namespace}nomination-soft`, [foreign()], { streamState: NO_STREAM }).then(
        (r) => `accepted at revision ${r.nextExpectedRevision}`,
        (e: unknown) => `refused: ${(e as Error).message}`,
      );
      console.info(`KurrentDB real-server checklist: NO_STREAM append to a soft-deleted stream was ${outcome}`);
    });

    const restart = (): Promise<void> =>
      new Promise((resolve, reject) => exec(restartCommand!, (error) => (error ? reject(error) : resolve())));
    const restartIt = restartCommand ? it : it.skip;
    const restartTitle = (title: string) => (restartCommand ? title : `NOT RUN (KURRENTDB_RESTART_COMMAND not set): ${title}`);

    /** Appends with the same ids and expected revision until the server answers: what a retrying client does. */
    async function appendRetrying(store: KurrentDbEventStore, stream: string, events: NewEvent[], expected: ExpectedRevision) {
      for (let attempt = 1; ; attempt++) {
        try {
          return await store.append(stream, events, expected);
        } catch (error) {
          if (!(error instanceof EventStoreUnavailable) || attempt > 120) throw error;
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      }
    }

    restartIt(restartTitle('5a. a server restart during a subscription: it resubscribes and delivers every event once, in order'), async () => {
      const store = open();
      const received: string[] = [];
      const errors: Error[] = [];
      const subscription = store.subscribe({ onEvents: async (events) => void received.push(...events.map((e) => e.id)), onError: (e) => errors.push(e) });
      const ids: string[] = [];
      let expected: ExpectedRevision = 'no_stream';
      let last = 0n;
      for (let i = 0; i < 20; i++) {
        if (i === 10) await restart();
        const e = event();
        const result = await appendRetrying(store, 'nomination-restart', [e], expected);
        ids.push(e.id);
        expected = result.nextRevision;
        last = result.position;
      }
      await subscription.waitFor(last, 120_000);
      await subscription.stop();
      expect(received).toEqual(ids);
      expect(errors).toEqual([]);
    }, 300_000);

    restartIt(restartTitle('5b. a server restart during an append loop: retried appends land once and the chain verifies'), async () => {
      const store = open();
      const stream = 'nomination-append-loop';
      let expected: ExpectedRevision = 'no_stream';
      const restarting = (async () => {
        await new Promise((resolve) => setTimeout(resolve, 200));
        await restart();
      })();
      for (let i = 0; i < 60; i++) expected = (await appendRetrying(store, stream, [event(), event()], expected)).nextRevision;
      await restarting;
      const stored = await store.readStream(stream);
      expect(stored).toHaveLength(120);
      expect(new Set(stored.map((e) => e.id)).size).toBe(120);
      expect(verifyChain(stored)).toEqual({ ok: true, checked: 120 });
    }, 300_000);

    it('6. two processes racing identical appends: the log holds the events once, and both are told they are in', async () => {
      const a = open();
      const b = open();
      await a.append('nomination-race', [event()], 'no_stream');
      for (let round = 0; round < 10; round++) {
        const events = [event(), event()];
        // Both at the stream's last revision, as two api processes retrying one command would.
        const results = await Promise.all([a.append('nomination-race', events, 2 * round), b.append('nomination-race', events, 2 * round)]);
        expect(results[0]!.nextRevision).toBe(results[1]!.nextRevision);
        expect(results.some((r) => r.written)).toBe(true);
      }
      const stored = await a.readStream('nomination-race');
      expect(stored).toHaveLength(21);
      expect(verifyChain(stored).ok).toBe(true);
    });

    it('7. an append over 1 MiB is refused as InvalidAppend, by the adapter and by the server', async () => {
      const big = { text: 'x'.repeat(1_100_000) };
      const store = open();
      await expect(store.append('nomination-big', [event(big)], 'no_stream')).rejects.toBeInstanceOf(InvalidAppend);
      // Past the adapter's own check, the server's MaxAppendSize (1 MiB by default) refuses it.
      const lenient = open({ maxAppendSizeBytes: 16 * 1024 * 1024 });
      await expect(lenient.append('nomination-big', [event(big)], 'no_stream')).rejects.toBeInstanceOf(InvalidAppend);
      await expect(store.readStream('nomination-big')).rejects.toThrow();
    });

    it('8. the log identity is recorded once and shared by every store on the server; ping confirms and leaves nothing open', async () => {
      const [a, b] = await Promise.all([open().identity(), open().identity()]);
      expect(a).toBe(b);
      let count = 0;
      for await (const _ of raw.readStream(`${namespace}log-identity`, { direction: FORWARDS, fromRevision: START })) count++;
      expect(count).toBe(1);
      const store = open();
      for (let i = 0; i < 20; i++) await store.ping();
      // The end is the newest record of the whole log (others may write meanwhile: at or past it).
      let newest: bigint | undefined;
      for await (const resolved of raw.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 })) newest = positionOf(resolved);
      const end = await store.endPosition();
      expect(newest !== undefined && end !== undefined && end >= newest).toBe(true);
    });
  });
}
