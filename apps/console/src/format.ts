/** Display formats officials expect: dd/mm/yyyy dates, Vietnam time, dong with dot thousands. */

const VIETNAM_TIME = 'Asia/Ho_Chi_Minh';

/** `2023-03-24` → `24/03/2023`; an ISO instant is shown as its date in Vietnam. */
export function formatDate(value: string | null | undefined): string {
  if (value === null || value === undefined || value === '') return '—';
  const plain = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (plain) return `${plain[3]}/${plain[2]}/${plain[1]}`;
  const parts = vietnamParts(value);
  return parts === undefined ? value : `${parts.day}/${parts.month}/${parts.year}`;
}

/** An ISO instant as `24/03/2023 14:05` in Vietnam time (UTC+7), whatever the browser's zone. */
export function formatDateTime(value: string | null | undefined): string {
  if (value === null || value === undefined || value === '') return '—';
  const parts = vietnamParts(value);
  return parts === undefined ? value : `${parts.day}/${parts.month}/${parts.year} ${parts.hour}:${parts.minute}`;
}

const partsFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: VIETNAM_TIME, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
});

function vietnamParts(iso: string): Record<'year' | 'month' | 'day' | 'hour' | 'minute', string> | undefined {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return undefined;
  const out: Record<string, string> = {};
  for (const part of partsFormat.formatToParts(date)) out[part.type] = part.value;
  return { year: out.year!, month: out.month!, day: out.day!, hour: out.hour!, minute: out.minute! };
}

/** Today in Vietnam as `YYYY-MM-DD` (for comparing with due dates and filling date fields). */
export function todayInVietnam(now: Date = new Date()): string {
  const parts = vietnamParts(now.toISOString())!;
  return `${parts.year}-${parts.month}-${parts.day}`;
}

/** `1490000` → `1.490.000 ₫` (the same in both languages: it is how amounts in dong are written). */
export function formatMoney(amount: number | null | undefined): string {
  if (amount === null || amount === undefined || !Number.isFinite(amount)) return '—';
  const sign = amount < 0 ? '-' : '';
  const digits = Math.round(Math.abs(amount)).toString().replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  return `${sign}${digits} ₫`;
}

/** Integers with dot thousands, as Vietnamese writes them (and kept in English for one look). */
export function formatCount(value: number): string {
  return Math.round(value).toString().replace(/\B(?=(\d{3})+(?!\d))/g, '.');
}

/** Names are data: typed text is sent as NFC, never stripped of its diacritics. */
export function nfc(value: string): string {
  return value.normalize('NFC');
}

/** `24/03/2023` (or `24/3/2023`) → `2023-03-24`; undefined unless it is a real calendar date. */
export function parseDate(text: string): string | undefined {
  const match = /^\s*(\d{1,2})\/(\d{1,2})\/(\d{4})\s*$/.exec(text);
  if (match === null) return undefined;
  const [day, month, year] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/**
 * A calendar day (`YYYY-MM-DD`) as the half-open range of instants it is in Vietnam: `[from, to)`, each
 * an ISO 8601 time with the +07:00 offset (Vietnam keeps no daylight saving time).
 */
export function vietnamDay(day: string): { from: string; to: string } {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  const next = new Date(Date.UTC(year, month - 1, date + 1)).toISOString().slice(0, 10);
  return { from: `${day}T00:00:00+07:00`, to: `${next}T00:00:00+07:00` };
}
