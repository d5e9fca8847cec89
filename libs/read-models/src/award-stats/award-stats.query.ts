import { Inject } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { Pool } from 'pg';
import { PG_POOL } from '@app/platform';
import { CLOCK, type Clock, ReferenceDataService } from '@app/workflow';
import { ReadModelFreshness } from '../freshness/read-model-freshness';
import { jurisdictionOf, withinJurisdiction } from '../jurisdiction';
import { checkpointNameOf } from '../projection';
import { AwardsReportQuery } from '../read-models.queries';
import type { AwardsReport, AwardsReportRow } from '../reports.types';
import { awardStatsProjection } from './award-stats.projection';

const EXTRA = { unit: 'proposing_unit', level: 'level', year: 'year' } as const;

@QueryHandler(AwardsReportQuery)
export class AwardsReportHandler implements IQueryHandler<AwardsReportQuery> {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly reference: ReferenceDataService,
    private readonly freshness: ReadModelFreshness,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Awarded nominations (revoked ones no longer count) whose proposing unit is at or under `unit`
   * (default: the caller's), by award, nominee kind and gender, optionally also by unit, level, year.
   */
  async execute({ actor: authActor, filter, fresh }: AwardsReportQuery): Promise<AwardsReport> {
    await this.freshness.waitFor([checkpointNameOf(awardStatsProjection)], fresh.minPosition);
    const actor = this.reference.domainActor(authActor, this.clock());
    const directory = await this.reference.directory();
    const mine = jurisdictionOf(actor, directory);
    const unit = filter.unit ?? actor.unit;
    const base = { unit, codeSet: actor.codeSet, year: filter.year ?? null, ruleSet: filter.ruleSet ?? null };
    if (!withinJurisdiction(mine, unit)) return { ...base, rows: [], totals: { count: 0, bonusTotal: 0 } };
    const scope = jurisdictionOf(actor, directory, unit);
    const params: unknown[] = [actor.codeSet, scope.units];
    const where = ["code_set = $1", "status = 'awarded'", 'proposing_unit = ANY($2::text[])'];
    if (filter.year !== undefined) where.push(`year = $${params.push(filter.year)}`);
    if (filter.ruleSet !== undefined) where.push(`rule_set = $${params.push(filter.ruleSet)}`);
    const extra = [...new Set(filter.by ?? [])].map((d) => EXTRA[d]);
    const groups = ['award_code', 'nominee_kind', 'gender', ...extra];
    const { rows } = await this.pool.query<Record<string, unknown>>(
      `SELECT ${groups.join(', ')}, min(award_name) AS award_name, count(*)::int AS count, sum(bonus_amount)::text AS bonus_total
       FROM rm_award_facts WHERE ${where.join(' AND ')}
       GROUP BY ${groups.join(', ')} ORDER BY ${groups.map((g) => `${g} NULLS FIRST`).join(', ')}`,
      params,
    );
    const out: AwardsReportRow[] = rows.map((r) => ({
      awardCode: r['award_code'] as string, awardName: r['award_name'] as string, nomineeKind: r['nominee_kind'] as string,
      ...(r['gender'] !== null ? { gender: r['gender'] as string } : {}),
      ...(extra.includes('proposing_unit') ? { unit: r['proposing_unit'] as string } : {}),
      ...(extra.includes('level') ? { level: r['level'] as string } : {}),
      ...(extra.includes('year') ? { year: r['year'] as number } : {}),
      count: r['count'] as number, bonusTotal: Number(r['bonus_total']),
    }));
    return { ...base, rows: out, totals: { count: out.reduce((s, r) => s + r.count, 0), bonusTotal: out.reduce((s, r) => s + r.bonusTotal, 0) } };
  }
}
