import { type FieldIssue, ValidationFailedError } from './nomination.errors';
import { DOCUMENT_KINDS, type NomineeKind } from './reference-data/reference-data.types';
import { isValidIsoDate } from './reference-data/data-reader';
import { GENDERS, type DocumentRef, type Nominee } from './nomination.types';
import { normalizeName, normalizeText } from './text';

/**
 * Checks and NFC-normalises command input at the point it enters the domain. Each function appends
 * its problems to `issues` and returns the normalised value (or undefined when unusable), so one
 * command reports all of its problems at once.
 */

const SHA256 = /^[0-9a-f]{64}$/iu;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/u;
export const MAX_DOCUMENTS = 50;

export function requiredText(issues: FieldIssue[], field: string, value: unknown, maxLength: number, { multiline = false } = {}): string | undefined {
  if (typeof value !== 'string') {
    issues.push({ field, message: 'must be a string' });
    return undefined;
  }
  const normalized = multiline ? normalizeText(value) : normalizeName(value);
  if (normalized === '') issues.push({ field, message: 'must not be empty' });
  else if (normalized.length > maxLength) issues.push({ field, message: `must be at most ${maxLength} characters` });
  else return normalized;
  return undefined;
}

export function optionalText(issues: FieldIssue[], field: string, value: unknown, maxLength: number, { multiline = false } = {}): string | null {
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return null;
  return requiredText(issues, field, value, maxLength, { multiline }) ?? null;
}

export function validateNominee(issues: FieldIssue[], value: Nominee, allowedKinds: readonly NomineeKind[], field = 'nominee'): Nominee | undefined {
  const kind = value?.kind;
  if (!kind || !(['individual', 'collective', 'household'] as const).includes(kind)) {
    issues.push({ field: `${field}.kind`, message: 'must be individual, collective or household' });
    return undefined;
  }
  const before = issues.length;
  if (!allowedKinds.includes(kind)) issues.push({ field: `${field}.kind`, message: `this award is for ${allowedKinds.join(', ')} nominees` });
  const name = requiredText(issues, `${field}.name`, value.name, 300);
  const organization = optionalText(issues, `${field}.organization`, value.organization, 300);
  if (kind !== 'individual') {
    if (issues.length > before || name === undefined) return undefined;
    return organization === null ? { kind, name } : { kind, name, organization };
  }
  if (!GENDERS.includes(value.gender)) issues.push({ field: `${field}.gender`, message: 'must be female or male' });
  const position = optionalText(issues, `${field}.position`, value.position, 300);
  const email = optionalText(issues, `${field}.email`, value.email, 254);
  if (email !== null && !EMAIL.test(email)) issues.push({ field: `${field}.email`, message: 'must be an e-mail address' });
  if (issues.length > before || name === undefined) return undefined;
  return {
    kind, name, gender: value.gender,
    ...(position === null ? {} : { position }),
    ...(email === null ? {} : { email: email.toLowerCase() }),
    ...(organization === null ? {} : { organization }),
  };
}

export function validateDocuments(issues: FieldIssue[], value: readonly DocumentRef[], field = 'documents'): DocumentRef[] | undefined {
  if (!Array.isArray(value)) {
    issues.push({ field, message: 'must be an array' });
    return undefined;
  }
  if (value.length > MAX_DOCUMENTS) issues.push({ field, message: `at most ${MAX_DOCUMENTS} documents` });
  const before = issues.length;
  const documents = value.map((doc, i) => {
    const at = `${field}[${i}]`;
    if (!DOCUMENT_KINDS.includes(doc?.kind)) issues.push({ field: `${at}.kind`, message: `must be one of ${DOCUMENT_KINDS.join(', ')}` });
    const title = requiredText(issues, `${at}.title`, doc?.title, 500) ?? '';
    if (typeof doc?.sha256 !== 'string' || !SHA256.test(doc.sha256)) issues.push({ field: `${at}.sha256`, message: 'must be 64 hexadecimal digits' });
    if (typeof doc?.url !== 'string' || !URL.canParse(doc.url.trim())) issues.push({ field: `${at}.url`, message: 'must be an absolute URL' });
    return { kind: doc?.kind, title, sha256: String(doc?.sha256).toLowerCase(), url: String(doc?.url).trim() };
  });
  return issues.length > before ? undefined : documents;
}

/** The year of the achievements: from 1945 up to the current year in Vietnam. */
export function validateYear(issues: FieldIssue[], value: unknown, today: string, field = 'year'): number | undefined {
  const currentYear = Number(today.slice(0, 4));
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1945 || value > currentYear) {
    issues.push({ field, message: `must be a year from 1945 to ${currentYear}` });
    return undefined;
  }
  return value;
}

/** A calendar date not later than today in Vietnam (sessions and signatures are in the past). */
export function validatePastDate(issues: FieldIssue[], field: string, value: unknown, today: string): string | undefined {
  if (typeof value !== 'string' || !isValidIsoDate(value)) {
    issues.push({ field, message: 'must be a date YYYY-MM-DD' });
    return undefined;
  }
  if (value > today) {
    issues.push({ field, message: 'must not be in the future' });
    return undefined;
  }
  return value;
}

export function throwIfIssues(issues: readonly FieldIssue[], message = 'Invalid input'): void {
  if (issues.length > 0) throw new ValidationFailedError(message, issues);
}
