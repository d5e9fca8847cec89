import { awardStatsProjection } from './award-stats/award-stats.projection';
import { decisionsProjection } from './decisions/decisions.projection';
import { inboxProjection } from './inbox/inbox.projection';
import { nominationsProjection } from './nominations/nominations.projection';
import type { Projection } from './projection';
import { stageTimingsProjection } from './stage-timings/stage-timings.projection';

/** Every read model, by name (the names projections:rebuild accepts). */
export const PROJECTIONS: readonly Projection<never, string>[] = [
  nominationsProjection, inboxProjection, awardStatsProjection, stageTimingsProjection, decisionsProjection,
] as unknown as readonly Projection<never, string>[];

export function projectionNamed(name: string): Projection<never, string> {
  const projection = PROJECTIONS.find((p) => p.name === name);
  if (projection === undefined) throw new Error(`No projection named ${name}; known: ${PROJECTIONS.map((p) => p.name).join(', ')}`);
  return projection;
}
