import { normalizeName, searchKey } from './text';

/**
 * A decision number as written (`125/QĐ-UBND`): NFC, trimmed, inner spaces collapsed and removed
 * around `/` and `-`, which clerks type inconsistently (`125 / QĐ - UBND`).
 */
export function normalizeDecisionNumber(number: string): string {
  return normalizeName(number).replace(/\s*([/-])\s*/gu, '$1');
}

/**
 * The key under which a decision number must be unique: per code set and issuing unit, case- and
 * diacritic-insensitive, so `125/QĐ-UBND` and `125/qd-ubnd` collide (both spellings are in use).
 */
export function decisionNumberKey(codeSet: string, issuingUnit: string, number: string): string {
  return `${codeSet}:${issuingUnit}:${searchKey(normalizeDecisionNumber(number))}`;
}
