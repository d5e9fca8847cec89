import { Inject } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { Pool } from 'pg';
import { EVENT_STORE, type EventStore, type RecordedEvent, StreamNotFound } from '@app/event-store';
import {
  type Actor as DomainActor,
  canView,
  type ExistingNomination,
  foldNomination,
  nominationCodec,
  nominationStreamId,
  NotFoundError,
  searchKey,
  vietnamDate,
} from '@app/nomination';
import { PG_POOL } from '@app/platform';
import { CLOCK, type Clock, foldRecorded, type HistoryEntry, ReferenceDataService, toNominationView } from '@app/application';
import { decodeCursor, encodeCursor, limitOf, type Page, type PageOf } from '../cursor';
import { ReadModelFreshness } from '../freshness/read-model-freshness';
import { ancestryScopeSql, type Jurisdiction, jurisdictionOf } from '../jurisdiction';
import { checkpointNameOf } from '../projection';
import { ListNominationsQuery, type NominationFilter, type NominationRead, ReadNominationHistoryQuery, ReadNominationQuery } from '../read-models.queries';
import { nominationsProjection } from './nominations.projection';
import type { NominationSummary } from './nominations.row';

const PROJECTION = [checkpointNameOf(nominationsProjection)];

/** `%` and `_` in a search word are letters, not patterns. */
const likeWord = (word: string): string => `%${word.replace(/[\\%_]/gu, (c) => `\\${c}`)}%`;

/** The WHERE clause of the caller's jurisdiction over rm_nominations (its recorded ancestry), appending its parameters. */
function jurisdictionSql(params: unknown[], mine: Jurisdiction): string {
  return `code_set = $${params.push(mine.codeSet)} AND ${ancestryScopeSql(params, 'ancestry_units', mine)}`;
}

/**
 * The statement GET /nominations runs: the caller's jurisdiction, every filter, the keyset page. The
 * list item is stored whole (`summary`, written by the projection); only `overdue`, which depends on
 * today, is added here, by the database: no state is read and no row reshaped. Exported so bench:read
 * explains exactly this statement.
 */
export function listNominationsSql(
  jurisdiction: Jurisdiction,
  filter: NominationFilter,
  page: Page,
  today: string,
): { readonly text: string; readonly values: unknown[]; readonly limit: number } {
  const params: unknown[] = [];
  const where = [jurisdictionSql(params, jurisdiction)];
  // Nominations whose recorded chain holds the unit: its route passes through it, or it was proposed under it.
  if (filter.unit !== undefined) where.push(`ancestry_units @> ARRAY[$${params.push(filter.unit)}::text]`);
  if (filter.status !== undefined) where.push(`status = $${params.push(filter.status)}`);
  if (filter.level !== undefined) where.push(`current_level = $${params.push(filter.level)}`);
  if (filter.decidingLevel !== undefined) where.push(`deciding_level = $${params.push(filter.decidingLevel)}`);
  if (filter.awardCode !== undefined) where.push(`award_code = $${params.push(filter.awardCode)}`);
  if (filter.year !== undefined) where.push(`year = $${params.push(filter.year)}`);
  if (filter.ruleSet !== undefined) where.push(`rule_set = $${params.push(filter.ruleSet)}`);
  for (const word of searchKey(filter.q ?? '').split(' ').filter((w) => w !== '')) {
    where.push(`search_key LIKE $${params.push(likeWord(word))}`);
  }
  const after = decodeCursor('nominations', page.cursor, ['instant', 'uuid']);
  if (after !== undefined) where.push(`(created_at, id) < ($${params.push(after[0])}::timestamptz, $${params.push(after[1])}::uuid)`);
  const limit = limitOf(page);
  const day = params.push(today);
  return {
    text: `SELECT id, created_at, summary || jsonb_build_object('overdue', status = 'in_review' AND due_on < $${day}::date) AS item
       FROM rm_nominations WHERE ${where.join(' AND ')}
       ORDER BY created_at DESC, id DESC LIMIT ${limit + 1}`,
    values: params,
    limit,
  };
}

@QueryHandler(ListNominationsQuery)
export class ListNominationsHandler implements IQueryHandler<ListNominationsQuery> {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly reference: ReferenceDataService,
    private readonly freshness: ReadModelFreshness,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ actor: authActor, filter, page, fresh }: ListNominationsQuery): Promise<PageOf<NominationSummary>> {
    await this.freshness.waitFor(PROJECTION, fresh.minPosition);
    const now = this.clock();
    const actor = this.reference.domainActor(authActor, now);
    const { text, values, limit } = listNominationsSql(jurisdictionOf(actor), filter, page, vietnamDate(now));
    const { rows } = await this.pool.query<{ id: string; item: NominationSummary; created_at: Date }>(text, values);
    const items = rows.slice(0, limit).map((r) => r.item);
    const last = rows.length > limit ? rows[limit - 1]! : undefined;
    return { items, nextCursor: last === undefined ? null : encodeCursor('nominations', [last.created_at.toISOString(), last.id]) };
  }
}

/**
 * Jurisdiction before any stream is read (issue 12): from the read model's row, or, when the read model
 * has not seen the nomination yet, from its first event only (it holds the recorded ancestry). Outside
 * the jurisdiction, the answer is the same 404 as for an id that does not exist.
 */
async function assertVisible(pool: Pool, store: EventStore, actor: DomainActor, nominationId: string): Promise<void> {
  const notFound = new NotFoundError(`Nomination ${nominationId} not found`);
  const params: unknown[] = [nominationId];
  const { rows } = await pool.query<{ visible: boolean }>(
    `SELECT (${jurisdictionSql(params, jurisdictionOf(actor))}) AS visible FROM rm_nominations WHERE id = $1`, params,
  );
  if (rows[0] !== undefined) {
    if (!rows[0].visible) throw notFound;
    return;
  }
  let first: readonly RecordedEvent[];
  try {
    first = await store.readStream(nominationStreamId(nominationId), { toRevision: 0 });
  } catch (error) {
    if (error instanceof StreamNotFound) throw notFound;
    throw error;
  }
  if (!canView(actor, foldNomination(first.map((e) => nominationCodec.decode(e))))) throw notFound;
}

@QueryHandler(ReadNominationQuery)
export class ReadNominationHandler implements IQueryHandler<ReadNominationQuery> {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly reference: ReferenceDataService,
    private readonly freshness: ReadModelFreshness,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ actor: authActor, nominationId, at, fresh }: ReadNominationQuery): Promise<NominationRead> {
    await this.freshness.waitFor(PROJECTION, fresh.minPosition);
    const actor = this.reference.domainActor(authActor, this.clock());
    await assertVisible(this.pool, this.store, actor, nominationId);
    if (at.asOf === undefined && at.revision === undefined) {
      const { rows } = await this.pool.query<{ state: ExistingNomination; revision: number; position: string }>(
        'SELECT state, revision, position FROM rm_nominations WHERE id = $1', [nominationId],
      );
      if (rows[0] !== undefined) {
        return { view: { ...toNominationView(rows[0].state, rows[0].revision), position: rows[0].position }, revision: rows[0].revision };
      }
      // Not projected yet (the worker is behind and no minPosition was given): the stream is the truth.
    }
    // As of a time or revision: fold the stream up to that point.
    let events: readonly RecordedEvent[];
    try {
      events = await this.store.readStream(nominationStreamId(nominationId), {
        ...(at.revision !== undefined ? { toRevision: at.revision } : {}),
        ...(at.asOf !== undefined ? { until: at.asOf } : {}),
      });
    } catch (error) {
      if (error instanceof StreamNotFound) throw new NotFoundError(`Nomination ${nominationId} did not exist at that point`);
      throw error;
    }
    const revision = events.length - 1;
    // A revision the stream has not reached is not "the view as it was then": the newest one would
    // answer with another revision than asked for.
    if (at.revision !== undefined && revision < at.revision) throw new NotFoundError(`Nomination ${nominationId} has no revision ${at.revision}`);
    const state = foldRecorded(events);
    if (state.status === 'none') throw new NotFoundError(`Nomination ${nominationId} did not exist at that point`);
    return { view: { ...toNominationView(state, revision), position: events[revision]!.position.toString() }, revision };
  }
}

@QueryHandler(ReadNominationHistoryQuery)
export class ReadNominationHistoryHandler implements IQueryHandler<ReadNominationHistoryQuery> {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly reference: ReferenceDataService,
    private readonly freshness: ReadModelFreshness,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ actor: authActor, nominationId, page, fresh }: ReadNominationHistoryQuery): Promise<PageOf<HistoryEntry>> {
    await this.freshness.waitFor(PROJECTION, fresh.minPosition);
    const actor = this.reference.domainActor(authActor, this.clock());
    await assertVisible(this.pool, this.store, actor, nominationId);
    const after = decodeCursor('history', page.cursor, ['revision']);
    const from = after === undefined ? 0 : Number(after[0]) + 1;
    const limit = limitOf(page);
    let events: readonly RecordedEvent[];
    try {
      // A nomination has tens of events, not thousands: the stream is read up to the page's end.
      events = await this.store.readStream(nominationStreamId(nominationId), { toRevision: from + limit });
    } catch (error) {
      if (error instanceof StreamNotFound) throw new NotFoundError(`Nomination ${nominationId} not found`);
      throw error;
    }
    const slice = events.slice(from, from + limit);
    const items = slice.map((e) => {
      const { data } = nominationCodec.decode(e);
      return { revision: e.revision, type: e.type, at: data.at, actor: data.by, data, hash: e.hash, position: e.position.toString() };
    });
    const more = events.length > from + limit;
    return { items, nextCursor: more && slice.length > 0 ? encodeCursor('history', [slice[slice.length - 1]!.revision]) : null };
  }
}
