import type { Actor, UnitDirectory } from '@app/nomination';

/**
 * What a caller may read (libs/nomination/src/nomination.access.ts): in their code set, nominations
 * whose route passes through their unit or whose proposing unit is at or under it. `units` is the unit
 * and every unit under it, for SQL (`proposing_unit = ANY(units)`).
 */
export interface Jurisdiction {
  readonly codeSet: string;
  readonly unit: string;
  readonly units: readonly string[];
}

export function jurisdictionOf(actor: Pick<Actor, 'codeSet' | 'unit'>, directory: UnitDirectory, unit = actor.unit): Jurisdiction {
  const units = directory.units(actor.codeSet).filter((u) => directory.isAtOrUnder(actor.codeSet, u.code, unit)).map((u) => u.code);
  return { codeSet: actor.codeSet, unit, units: units.includes(unit) ? units : [unit, ...units] };
}

/** True when `unit` is the caller's own unit or lies under it (a filter may narrow, never widen). */
export function withinJurisdiction(jurisdiction: Jurisdiction, unit: string): boolean {
  return jurisdiction.units.includes(unit);
}
