import { AwardNotOfferedError, NoUnitAtLevelError, ValidationFailedError } from './nomination.errors';
import type { UnitDirectory } from './unit-directory';

/** One stage of a nomination's route, as recorded in its events. */
export interface RouteStage {
  readonly unit: string;
  readonly unitName: string;
  readonly level: string;
}

/**
 * Every unit from `code` up to the root of its code set, with names and levels, as the directory has
 * them now. Recorded on a nomination (and a decision) when it is created: its readers are these units,
 * whatever the directory says later (issue 12.14). Empty when the unit is unknown.
 */
export function unitAncestry(directory: UnitDirectory, codeSet: string, code: string): RouteStage[] {
  return directory.ancestry(codeSet, code).map((unit) => ({ unit: unit.code, unitName: unit.name, level: unit.level }));
}

/**
 * The chain of units from the proposing unit up to the deciding unit: the LOWEST unit on the way up
 * whose level is one of the award's deciding levels (a district office's own staff get Lao động tiên
 * tiến from the district chairman; a commune's from the commune chairman). Follows parent links, so a
 * two-tier province (no districts) needs no special case.
 *
 * @param decidingLevels empty when the award is not offered under the rule set.
 * @throws UnknownUnitError, AwardNotOfferedError, NoUnitAtLevelError (all `validation_failed`)
 */
export function resolveRoute(
  directory: UnitDirectory,
  codeSet: string,
  proposingUnitCode: string,
  decidingLevels: readonly string[],
  award: { readonly ruleSet: string; readonly awardCode: string } = { ruleSet: '?', awardCode: '?' },
): RouteStage[] {
  if (decidingLevels.length === 0) throw new AwardNotOfferedError(award.ruleSet, award.awardCode);
  const unknown = decidingLevels.filter((level) => directory.levelRank(level) < 0);
  if (unknown.length > 0) {
    throw new ValidationFailedError(`Unknown deciding level ${unknown.join(', ')}`, [{ field: 'decidingLevels', message: 'unknown level' }]);
  }
  directory.get(codeSet, proposingUnitCode);
  const route: RouteStage[] = [];
  for (const unit of directory.ancestry(codeSet, proposingUnitCode)) {
    route.push({ unit: unit.code, unitName: unit.name, level: unit.level });
    if (decidingLevels.includes(unit.level)) return route;
  }
  throw new NoUnitAtLevelError(codeSet, proposingUnitCode, decidingLevels, award);
}
