import { Inject } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { Pool } from 'pg';
import { vietnamDate } from '@app/nomination';
import { PG_POOL } from '@app/platform';
import { CLOCK, type Clock, ReferenceDataService } from '@app/workflow';
import { ReadModelFreshness } from '../freshness/read-model-freshness';
import { jurisdictionOf, withinJurisdiction } from '../jurisdiction';
import { checkpointNameOf } from '../projection';
import { StagesReportQuery } from '../read-models.queries';
import type { StagesReport } from '../reports.types';
import { stageTimingsProjection } from './stage-timings.projection';

@QueryHandler(StagesReportQuery)
export class StagesReportHandler implements IQueryHandler<StagesReportQuery> {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly reference: ReferenceDataService,
    private readonly freshness: ReadModelFreshness,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Per stage unit at or under `unit` (default: the caller's): in review, overdue, finished, median working days. */
  async execute({ actor: authActor, filter, fresh }: StagesReportQuery): Promise<StagesReport> {
    await this.freshness.waitFor([checkpointNameOf(stageTimingsProjection)], fresh.minPosition);
    const now = this.clock();
    const actor = this.reference.domainActor(authActor, now);
    const directory = await this.reference.directory();
    const mine = jurisdictionOf(actor, directory);
    const unit = filter.unit ?? actor.unit;
    const today = vietnamDate(now);
    if (!withinJurisdiction(mine, unit)) return { unit, codeSet: actor.codeSet, today, rows: [] };
    const scope = jurisdictionOf(actor, directory, unit);
    const { rows } = await this.pool.query<Record<string, unknown>>(
      `SELECT unit, min(unit_name) AS unit_name, min(level) AS level,
              count(*) FILTER (WHERE left_at IS NULL)::int AS in_review,
              count(*) FILTER (WHERE left_at IS NULL AND due_on < $3::date)::int AS overdue,
              count(*) FILTER (WHERE left_at IS NOT NULL)::int AS completed,
              count(*) FILTER (WHERE left_at IS NOT NULL AND late)::int AS completed_late,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY working_days_spent) FILTER (WHERE left_at IS NOT NULL) AS median
       FROM rm_stage_visits WHERE code_set = $1 AND unit = ANY($2::text[])
       GROUP BY unit ORDER BY unit`,
      [actor.codeSet, scope.units, today],
    );
    return {
      unit, codeSet: actor.codeSet, today,
      rows: rows.map((r) => ({
        unit: r['unit'] as string, unitName: r['unit_name'] as string, level: r['level'] as string, inReview: r['in_review'] as number,
        overdue: r['overdue'] as number, completed: r['completed'] as number, completedLate: r['completed_late'] as number,
        medianWorkingDays: r['median'] === null ? null : Number(r['median']),
      })),
    };
  }
}
