import { loadReferenceData, WorkingDayCalendar } from '@app/nomination';
import type { ConsumedEvent } from '@app/platform';
import { PROJECTIONS } from '../projections';
import { consumedNomination } from '../testing/consumed-events';
import { journeys } from '../testing/journeys';
import { decodeRows, type ShardRow } from './rebuild-shard';

const context = { calendar: new WorkingDayCalendar(loadReferenceData().holidays) };

/** Folds events into each projection's rows by key, as a replay does. */
function fold(events: readonly ConsumedEvent[]): Record<string, Record<string, unknown>> {
  return Object.fromEntries(PROJECTIONS.map((projection) => {
    const rows = new Map<string, unknown>();
    for (const event of events) {
      if (!(projection.categories as readonly string[]).includes(event.category)) continue;
      const key = projection.keyOf(event);
      if (key === null) continue;
      const next = projection.evolve((rows.get(key) ?? null) as never, event, context);
      if (next === null) rows.delete(key);
      else rows.set(key, next);
    }
    return [projection.name, Object.fromEntries(rows)];
  }));
}

describe('a rebuild shard’s events', () => {
  it('fold into exactly the rows the full events do, in every projection, though they carry no instant, metadata or hash', () => {
    const full = journeys(24).flatMap((journey) => consumedNomination(journey.id, journey.events));
    const rows: ShardRow[] = full.map((e) => ({
      position: e.position.toString(), window_end: '0', event_id: e.id, stream_id: e.streamId, revision: e.revision,
      type: e.event.type, data: JSON.parse(JSON.stringify(e.event.data)) as unknown,
    }));

    const shard = decodeRows(rows, new Set(['nomination', 'decision']));

    expect(shard).toHaveLength(full.length);
    const expected = fold(full);
    // Every projection that follows nominations has rows to compare (decisions follows decision streams only).
    for (const projection of PROJECTIONS) {
      if (projection.categories.includes('nomination')) expect(Object.keys(expected[projection.name]!).length).toBeGreaterThan(0);
    }
    expect(fold(shard)).toEqual(expected);
  });

  it('refuse to be read for what the shard did not fetch, so a projection that starts reading it fails the rebuild loudly', () => {
    const [journey] = journeys(1);
    const [e] = consumedNomination(journey!.id, journey!.events);
    const [shard] = decodeRows([{ position: '1', window_end: '1', event_id: e!.id, stream_id: e!.streamId, revision: 0, type: e!.event.type, data: e!.event.data }], new Set(['nomination']));

    expect(shard!.event).toEqual(e!.event);
    expect(() => shard!.recordedAt).toThrow(/does not fetch/);
    expect(() => shard!.metadata).toThrow(/does not fetch/);
    expect(() => shard!.hash).toThrow(/does not fetch/);
  });
});
