import type { BonusMultiples, NomineeKind } from './reference-data/reference-data.types';

/** Households receive 1.5 × the individual amount (Decree 91/2017 and its successors). */
export const HOUSEHOLD_FACTOR = 1.5;

/**
 * The multiple of the base salary for a nominee kind, or null when the catalogue leaves the amount
 * to the province (or the award is not given to that kind).
 */
export function bonusMultipleFor(multiples: BonusMultiples, nomineeKind: NomineeKind): number | null {
  if (nomineeKind === 'household') {
    const individual = multiples.individual;
    return individual === undefined || individual === null ? null : individual * HOUSEHOLD_FACTOR;
  }
  return multiples[nomineeKind] ?? null;
}

/**
 * Bonus in VND: multiple × base salary, rounded up to the next thousand dong as the decrees require.
 * Computed in integers (multiples have at most 4 decimals) so 0.3 × 2,340,000 is exactly 702,000.
 * A null multiple pays `configuredMultiple` if the province configured one, else nothing.
 */
export function computeBonus(multiple: number | null, baseSalary: number, configuredMultiple: number | null = null): number {
  if (!Number.isSafeInteger(baseSalary) || baseSalary < 0) throw new RangeError(`Base salary must be a non-negative integer, got ${baseSalary}`);
  const effective = multiple ?? configuredMultiple;
  if (effective === null || effective === 0) return 0;
  if (!Number.isFinite(effective) || effective < 0) throw new RangeError(`Bonus multiple must be non-negative, got ${effective}`);
  const tenThousandths = Math.round(effective * 10_000);
  const amount = Math.ceil((tenThousandths * baseSalary) / 10_000 / 1000) * 1000;
  return amount;
}
