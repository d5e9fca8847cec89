import { normalizeName } from './text';

/**
 * A decision number as written (`125/QĐ-UBND`), for display: NFC, trimmed, inner spaces collapsed and
 * removed around `/` and `-`, which clerks type inconsistently (`125 / QĐ - UBND`).
 */
export function normalizeDecisionNumber(number: string): string {
  return normalizeName(number).replace(/\s*([/-])\s*/gu, '$1');
}

/**
 * Characters that look like the Latin letters, digits and separators of a decision number. A number
 * typed with one of them would otherwise be a different key while reading the same on paper.
 */
const LOOK_ALIKES: Readonly<Record<string, string>> = {
  // D with stroke and its look-alikes: Vietnamese Đ (U+0110), Icelandic Eth Ð (U+00D0), African D (U+0189).
  'Đ': 'd', 'đ': 'd', 'Ð': 'd', 'ð': 'd', 'Ɖ': 'd', 'ɖ': 'd',
  // Cyrillic.
  'А': 'a', 'а': 'a', 'В': 'b', 'Е': 'e', 'е': 'e', 'К': 'k', 'М': 'm', 'Н': 'h', 'О': 'o', 'о': 'o',
  'Р': 'p', 'р': 'p', 'С': 'c', 'с': 'c', 'Т': 't', 'У': 'y', 'у': 'y', 'Х': 'x', 'х': 'x', 'І': 'i', 'і': 'i', 'Ј': 'j', 'ј': 'j',
  'Ѕ': 's', 'ѕ': 's', 'Ԛ': 'q', 'ԛ': 'q',
  // Greek.
  'Α': 'a', 'Β': 'b', 'Ε': 'e', 'Ζ': 'z', 'Η': 'h', 'Ι': 'i', 'Κ': 'k', 'Μ': 'm', 'Ν': 'n', 'Ο': 'o', 'ο': 'o',
  'Ρ': 'p', 'Τ': 't', 'Υ': 'y', 'Χ': 'x',
  // Digits and separators NFKC leaves alone.
  'Ø': 'o', 'ø': 'o', '⁄': '/', '∕': '/', '⧸': '/', '\u2010': '-', '\u2011': '-', '\u2012': '-', '\u2013': '-', '\u2014': '-',
  '\u2015': '-', '\u2212': '-', '\u2043': '-', '\uFE63': '-',
};
const LOOK_ALIKE_PATTERN = new RegExp(`[${Object.keys(LOOK_ALIKES).join('')}]`, 'gu');

/**
 * The comparison form of a decision number: NFKC (full-width and compatibility forms), format
 * characters removed (zero-width space, word joiner, soft hyphen, bidirectional marks), look-alike
 * letters folded to their Latin twins, diacritics and case folded, all white space removed, leading
 * zeros of the serial dropped (`05/QĐ-UBND` is `5/QĐ-UBND`). Two numbers with the same key read the
 * same to a person.
 */
export function decisionNumberComparisonKey(number: string): string {
  const folded = number
    .normalize('NFKC')
    .replace(/[\p{Cf}\u00AD]/gu, '')
    .replace(LOOK_ALIKE_PATTERN, (c) => LOOK_ALIKES[c]!)
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/\s+/gu, '');
  return folded.replace(/^0+(?=\d)/u, '');
}

/**
 * The key under which a decision number must be unique: per code set, issuing unit and calendar year
 * of signing (numbering restarts at 01 each 1 January, Decree 30/2020), in comparison form.
 */
export function decisionNumberKey(codeSet: string, issuingUnit: string, year: number, number: string): string {
  return `${codeSet}:${issuingUnit}:${year}:${decisionNumberComparisonKey(number)}`;
}

/** `n/QĐ-…` (also `n/QĐ-UBND-ĐKT`); a decision number that does not look like this is accepted with a warning. */
const DECISION_NUMBER_SHAPE = /^\d{1,6}\/QĐ(?:-[\p{Lu}\d]+(?:\.[\p{Lu}\d]+)*)+$/u;

/** Warnings for a number that is accepted but does not look like an administrative decision's number. */
export function decisionNumberWarnings(number: string): { code: 'decision_number_format'; message: string }[] {
  const displayed = normalizeDecisionNumber(number);
  if (DECISION_NUMBER_SHAPE.test(displayed)) return [];
  return [{ code: 'decision_number_format', message: `"${displayed}" does not look like a decision number n/QĐ-… (Decree 30/2020); check it against the signed document` }];
}
