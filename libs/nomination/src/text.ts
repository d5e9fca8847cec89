/**
 * Vietnamese text is data. Strings are stored in NFC with their diacritics; only search keys fold
 * them away. Input from browsers and spreadsheets often arrives decomposed (NFD), which would make
 * two identical names compare unequal, so every string that enters the domain passes through here.
 */

/** NFC and trimmed; inner line breaks kept (achievement reports are paragraphs). */
export function normalizeText(value: string): string {
  return value.normalize('NFC').trim();
}

/** NFC, trimmed, runs of whitespace collapsed to one space: names, titles, numbers. */
export function normalizeName(value: string): string {
  return value.normalize('NFC').replace(/\s+/gu, ' ').trim();
}

/**
 * Lower case without diacritics, whitespace collapsed: `Nguyễn Văn Đức` → `nguyen van duc`.
 * Đ/đ is a separate letter, not a base letter with a combining mark, so NFD leaves it alone and it is
 * mapped explicitly.
 */
export function searchKey(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[đĐ]/gu, 'd')
    .toLowerCase()
    .replace(/\s+/gu, ' ')
    .trim();
}
