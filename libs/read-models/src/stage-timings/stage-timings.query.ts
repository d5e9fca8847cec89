import { Inject } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { Pool } from 'pg';
import { vietnamDate } from '@app/nomination';
import { PG_POOL } from '@app/platform';
import { CLOCK, type Clock, ReferenceDataService } from '@app/application';
import { ReadModelFreshness } from '../freshness/read-model-freshness';
import { ancestryScopeSql, jurisdictionOf } from '../jurisdiction';
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

  /**
   * Per stage unit at or under `unit` (default: the caller's): in review, overdue, finished, median
   * working days. "At or under" is read on each nomination's recorded chain (ancestry_units, kept by
   * this projection from NominationCreated, so the report waits for no other read model), and only
   * nominations the caller reads count, whatever the unit tree says today.
   */
  async execute({ actor: authActor, filter, fresh }: StagesReportQuery): Promise<StagesReport> {
    await this.freshness.waitFor([checkpointNameOf(stageTimingsProjection)], fresh.minPosition);
    const now = this.clock();
    const actor = this.reference.domainActor(authActor, now);
    const unit = filter.unit ?? actor.unit;
    const today = vietnamDate(now);
    const params: unknown[] = [actor.codeSet, today, unit];
    const scope = ancestryScopeSql(params, 'h.ancestry_units', jurisdictionOf(actor), unit);
    const { rows } = await this.pool.query<Record<string, unknown>>(
      `SELECT v.unit, min(v.unit_name) AS unit_name, min(v.level) AS level,
              count(*) FILTER (WHERE v.left_at IS NULL)::int AS in_review,
              count(*) FILTER (WHERE v.left_at IS NULL AND v.due_on < $2::date)::int AS overdue,
              count(*) FILTER (WHERE v.left_at IS NOT NULL)::int AS completed,
              count(*) FILTER (WHERE v.left_at IS NOT NULL AND v.late)::int AS completed_late,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY v.working_days_spent) FILTER (WHERE v.left_at IS NOT NULL) AS median
       FROM rm_stage_visits v JOIN rm_stage_nominations h ON h.nomination_id = v.nomination_id
       WHERE v.code_set = $1 AND h.code_set = $1 AND ${scope}
         AND array_position(h.ancestry_units, v.unit) <= array_position(h.ancestry_units, $3::text)
       GROUP BY v.unit ORDER BY v.unit`,
      params,
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
