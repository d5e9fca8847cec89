import type { BaseSalaryEntry } from './reference-data/reference-data.types';

/** No base-salary amount is known for the date (before the table's first entry). */
export class BaseSalaryUnknownError extends Error {
  constructor(readonly date: string) {
    super(`No base salary is known for ${date}`);
    this.name = 'BaseSalaryUnknownError';
  }
}

/**
 * The base salary (mức lương cơ sở) in force on a Vietnam calendar date: the entry with the latest
 * `from` on or before it. The table is sorted and validated by `loadReferenceData`.
 *
 * @throws BaseSalaryUnknownError for a date before the first entry
 */
export function baseSalaryOn(table: readonly BaseSalaryEntry[], date: string): BaseSalaryEntry {
  let found: BaseSalaryEntry | undefined;
  for (const entry of table) {
    if (entry.from <= date) found = entry;
    else break;
  }
  if (found === undefined) throw new BaseSalaryUnknownError(date);
  return found;
}

/**
 * The table with an operator's override added: an amount announced by the government but not yet in
 * the shipped data. Only a date after the table's last entry is accepted, so an override can never
 * change an amount already in force (and therefore never the bonus of a decision already signed).
 *
 * @throws RangeError when the override would rewrite the past or is not a positive integer
 */
export function withBaseSalaryOverride(
  table: readonly BaseSalaryEntry[],
  override: { readonly from: string; readonly amount: number } | undefined,
): readonly BaseSalaryEntry[] {
  if (override === undefined) return table;
  const last = table.at(-1);
  if (last !== undefined && override.from <= last.from) {
    throw new RangeError(`BASE_SALARY_OVERRIDE must start after the last amount in the data (${last.amount} from ${last.from})`);
  }
  if (!Number.isSafeInteger(override.amount) || override.amount <= 0) throw new RangeError('BASE_SALARY_OVERRIDE amount must be a positive integer');
  return [...table, { from: override.from, amount: override.amount, legalBasis: 'BASE_SALARY_OVERRIDE (configuration)' }];
}
