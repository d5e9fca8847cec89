import type { Actor } from '@app/nomination';

/**
 * What a caller may read (libs/nomination/src/nomination.access.ts): in their code set, the records
 * whose recorded ancestry holds their unit. A nomination records the proposing unit and every unit
 * above it at creation (`rm_nominations.ancestry_units`), a decision its issuing unit and the units
 * above it at issuance (`rm_decisions.issuer_ancestry`). The unit tree of today is not consulted, so
 * re-parenting a unit never widens who reads what was recorded before it (issue 12.14).
 */
export interface Jurisdiction {
  readonly codeSet: string;
  readonly unit: string;
}

export function jurisdictionOf(actor: Pick<Actor, 'codeSet' | 'unit'>): Jurisdiction {
  return { codeSet: actor.codeSet, unit: actor.unit };
}

/**
 * The SQL condition "the caller reads this record" on an ancestry column (`text[]`, lowest unit
 * first), appending its parameter. With `under`, narrowed to records whose recorded chain also holds
 * that unit at or below the caller's: a filter narrows, never widens.
 */
export function ancestryScopeSql(params: unknown[], column: string, jurisdiction: Jurisdiction, under?: string): string {
  const mine = `$${params.push(jurisdiction.unit)}::text`;
  if (under === undefined || under === jurisdiction.unit) return `${column} @> ARRAY[${mine}]`;
  const theirs = `$${params.push(under)}::text`;
  return `(${column} @> ARRAY[${mine}, ${theirs}] AND array_position(${column}, ${theirs}) <= array_position(${column}, ${mine}))`;
}
