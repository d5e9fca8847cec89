import { Inject } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { Pool } from 'pg';
import { PG_POOL } from '@app/platform';
import { CLOCK, type Clock, ReferenceDataService } from '@app/application';
import { ReadModelFreshness } from '../freshness/read-model-freshness';
import { ancestryScopeSql, jurisdictionOf } from '../jurisdiction';
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
   * Awarded nominations (revoked ones no longer count) whose recorded chain (the fact row's ancestry_units,
   * as NominationCreated recorded it: the report reads no other read model and waits for no other)
   * holds `unit` (default: the caller's) at or below the caller's unit, i.e. proposed at or under it as
   * the unit tree stood when each was created, by award, nominee kind and gender, optionally also by
   * unit, level, year.
   */
  async execute({ actor: authActor, filter, fresh }: AwardsReportQuery): Promise<AwardsReport> {
    await this.freshness.waitFor([checkpointNameOf(awardStatsProjection)], fresh.minPosition);
    const actor = this.reference.domainActor(authActor, this.clock());
    const unit = filter.unit ?? actor.unit;
    const base = { unit, codeSet: actor.codeSet, year: filter.year ?? null, ruleSet: filter.ruleSet ?? null };
    const params: unknown[] = [actor.codeSet];
    const where = ['f.code_set = $1', "f.status = 'awarded'", ancestryScopeSql(params, 'f.ancestry_units', jurisdictionOf(actor), unit)];
    if (filter.year !== undefined) where.push(`f.year = $${params.push(filter.year)}`);
    if (filter.ruleSet !== undefined) where.push(`f.rule_set = $${params.push(filter.ruleSet)}`);
    const extra = [...new Set(filter.by ?? [])].map((d) => EXTRA[d]);
    const groups = ['award_code', 'nominee_kind', 'gender', ...extra];
    const { rows } = await this.pool.query<Record<string, unknown>>(
      `SELECT ${groups.join(', ')}, min(award_name) AS award_name, count(*)::int AS count, sum(bonus_amount)::text AS bonus_total
       FROM rm_award_facts f WHERE ${where.join(' AND ')}
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
