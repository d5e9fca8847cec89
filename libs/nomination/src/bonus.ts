import type { BonusMultiples, NomineeKind } from './reference-data/reference-data.types';

/** Households receive 1.5 × the individual amount (Decree 91/2017 and its successors). */
export const HOUSEHOLD_FACTOR = 1.5;

/** Amounts are rounded up to the next multiple of this many VND (Decree 91/2017 art. 68(2), kept by Decree 98/2023). */
export const BONUS_ROUNDING_VND = 10_000;

/**
 * The multiple of the base salary for a nominee kind, or null when the catalogue leaves the amount
 * to the province (or the award is not given to that kind). A household multiple written in the data
 * (awards given only to households) wins over 1.5 × individual.
 */
export function bonusMultipleFor(multiples: BonusMultiples, nomineeKind: NomineeKind): number | null {
  if (nomineeKind === 'household') {
    if (multiples.household !== undefined) return multiples.household;
    const individual = multiples.individual;
    return individual === undefined || individual === null ? null : Math.round(individual * HOUSEHOLD_FACTOR * 10_000) / 10_000;
  }
  return multiples[nomineeKind] ?? null;
}

/**
 * Bonus in VND: multiple × base salary, rounded up to the next 10,000 VND as the decrees require
 * (0.6 × 1,490,000 = 894,000 pays 900,000). Computed in integers (multiples have at most 4 decimals)
 * so no float error can push an exact amount up a step. Callers refuse a null multiple before this
 * (never a silent 0); a 0 multiple pays 0.
 */
export function computeBonus(multiple: number, baseSalary: number): number {
  if (!Number.isSafeInteger(baseSalary) || baseSalary < 0) throw new RangeError(`Base salary must be a non-negative integer, got ${baseSalary}`);
  if (!Number.isFinite(multiple) || multiple < 0) throw new RangeError(`Bonus multiple must be non-negative, got ${multiple}`);
  const tenThousandths = BigInt(Math.round(multiple * 10_000));
  const exact = tenThousandths * BigInt(baseSalary); // VND × 10,000
  const step = BigInt(BONUS_ROUNDING_VND) * 10_000n;
  return Number(((exact + step - 1n) / step) * BigInt(BONUS_ROUNDING_VND));
}
