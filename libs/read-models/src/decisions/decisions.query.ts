import { Inject } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { Pool } from 'pg';
import { type ActorRef, type CodeSetDefinition, type Signer, type UnitDirectory, vietnamDate } from '@app/nomination';
import { PG_POOL } from '@app/platform';
import { CLOCK, type Clock, ReferenceDataService } from '@app/application';
import { decodeCursor, encodeCursor, limitOf, type PageOf } from '../cursor';
import { ReadModelFreshness } from '../freshness/read-model-freshness';
import { ancestryScopeSql, jurisdictionOf } from '../jurisdiction';
import { checkpointNameOf } from '../projection';
import { ListDecisionsQuery } from '../read-models.queries';
import { decisionsProjection } from './decisions.projection';
import type { DecisionRow } from './decisions.row';

/** An item of GET /decisions (the lines are in GET /decisions/{id}). */
export interface DecisionSummary {
  readonly id: string;
  readonly number: string;
  readonly signedOn: string;
  readonly signer: Signer;
  readonly codeSet: string;
  readonly issuingUnit: string;
  readonly reason: string;
  readonly nominationCount: number;
  readonly revokedCount: number;
  readonly bonusTotal: number;
  readonly issuedAt: string;
  readonly issuedBy: ActorRef;
}

/**
 * The units of code sets no longer in force (`today` past their end) whose successor, in `codeSet`,
 * lies at or under `unit` in today's tree: Huyện Mường La (gso-2004) for Tỉnh Sơn La (gso-2025).
 */
function predecessorsWithin(
  codeSet: string,
  unit: string,
  directory: UnitDirectory,
  codeSets: readonly CodeSetDefinition[],
  today: string,
): { codeSet: string; code: string }[] {
  const ended = codeSets.filter((c) => c.id !== codeSet && c.validUntil !== null && c.validUntil < today);
  return ended.flatMap((c) => directory.units(c.id)
    .filter((predecessor) => {
      const successor = directory.successorOf(c.id, predecessor.code);
      return successor !== undefined && successor.codeSet === codeSet && directory.isAtOrUnder(codeSet, successor.code, unit);
    })
    .map((predecessor) => ({ codeSet: c.id, code: predecessor.code })));
}

@QueryHandler(ListDecisionsQuery)
export class ListDecisionsHandler implements IQueryHandler<ListDecisionsQuery> {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly reference: ReferenceDataService,
    private readonly freshness: ReadModelFreshness,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Decisions the caller reads (their unit is in the issuer's recorded ancestry), narrowed by `unit` to
   * those issued by it or a unit recorded under it, newest signed first; and those of units abolished by
   * a reform whose successor is at or under `unit` (default: the caller's) in today's tree: GET
   * /decisions/{id} shows them to the successor's chain, as the successor now revokes them.
   */
  async execute({ actor: authActor, filter, page, fresh }: ListDecisionsQuery): Promise<PageOf<DecisionSummary>> {
    await this.freshness.waitFor([checkpointNameOf(decisionsProjection)], fresh.minPosition);
    const now = this.clock();
    const actor = this.reference.domainActor(authActor, now);
    const directory = await this.reference.directory();
    const under = filter.unit ?? actor.unit;
    const inherited = directory.isAtOrUnder(actor.codeSet, under, actor.unit) || under === actor.unit
      ? predecessorsWithin(actor.codeSet, under, directory, this.reference.data.codeSets, vietnamDate(now))
      : [];
    const params: unknown[] = [actor.codeSet];
    const recorded = ancestryScopeSql(params, 'issuer_ancestry', jurisdictionOf(actor), filter.unit);
    const where = [
      `((code_set = $1 AND ${recorded})
        OR (code_set, issuing_unit) IN (SELECT * FROM unnest($${params.push(inherited.map((u) => u.codeSet))}::text[], $${params.push(inherited.map((u) => u.code))}::text[])))`,
    ];
    if (filter.year !== undefined) where.push(`year = $${params.push(filter.year)}`);
    const after = decodeCursor('decisions', page.cursor, ['date', 'uuid']);
    if (after !== undefined) where.push(`(signed_on, id) < ($${params.push(after[0])}::date, $${params.push(after[1])}::uuid)`);
    const limit = limitOf(page);
    const { rows } = await this.pool.query<{ id: string; signed_on: string; row: DecisionRow }>(
      `SELECT id, to_char(signed_on, 'YYYY-MM-DD') AS signed_on, row FROM rm_decisions WHERE ${where.join(' AND ')}
       ORDER BY signed_on DESC, id DESC LIMIT ${limit + 1}`,
      params,
    );
    const items = rows.slice(0, limit).map(({ row }) => ({
      id: row.id, number: row.number, signedOn: row.signedOn, signer: row.signer, codeSet: row.codeSet, issuingUnit: row.issuingUnit,
      reason: row.reason, nominationCount: row.nominationCount, revokedCount: row.revokedNominationIds.length, bonusTotal: row.bonusTotal,
      issuedAt: row.issuedAt, issuedBy: row.issuedBy,
    }));
    const last = rows.length > limit ? rows[limit - 1]! : undefined;
    return { items, nextCursor: last === undefined ? null : encodeCursor('decisions', [last.signed_on, last.id]) };
  }
}
