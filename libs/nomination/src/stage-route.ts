import { AwardNotOfferedError, NoUnitAtLevelError, ValidationFailedError } from './nomination.errors';
import type { UnitDirectory } from './unit-directory';

/** One stage of a nomination's route, as recorded in its events. */
export interface RouteStage {
  readonly unit: string;
  readonly unitName: string;
  readonly level: string;
}

/**
 * The chain of units from the proposing unit up to the first unit whose level is at or above the
 * deciding level, following parent links. A two-tier province (no districts) yields commune → province
 * with no special case.
 *
 * @param decidingLevel null when the award is not offered under the rule set.
 * @throws UnknownUnitError, AwardNotOfferedError, NoUnitAtLevelError (all `validation_failed`)
 */
export function resolveRoute(
  directory: UnitDirectory,
  codeSet: string,
  proposingUnitCode: string,
  decidingLevel: string | null,
  award: { readonly ruleSet: string; readonly awardCode: string } = { ruleSet: '?', awardCode: '?' },
): RouteStage[] {
  if (decidingLevel === null) throw new AwardNotOfferedError(award.ruleSet, award.awardCode);
  const target = directory.levelRank(decidingLevel);
  if (target < 0) {
    throw new ValidationFailedError(`Unknown deciding level ${decidingLevel}`, [{ field: 'decidingLevel', message: 'unknown level' }]);
  }
  directory.get(codeSet, proposingUnitCode);
  const route: RouteStage[] = [];
  for (const unit of directory.ancestry(codeSet, proposingUnitCode)) {
    route.push({ unit: unit.code, unitName: unit.name, level: unit.level });
    if (directory.levelRank(unit.level) >= target) return route;
  }
  throw new NoUnitAtLevelError(codeSet, proposingUnitCode, decidingLevel);
}
