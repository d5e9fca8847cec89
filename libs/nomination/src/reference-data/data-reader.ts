/**
 * A tiny structural reader for the JSON data files: it records every problem with its path instead of
 * stopping at the first, so one start-up failure lists everything that is wrong with the data.
 */

export const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/u;

export function isValidIsoDate(value: string): boolean {
  if (!ISO_DATE.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

export class DataReader {
  readonly problems: string[] = [];

  problem(path: string, message: string): void {
    this.problems.push(`${path}: ${message}`);
  }

  object(value: unknown, path: string, allowedKeys: readonly string[]): Record<string, unknown> | undefined {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      this.problem(path, 'must be an object');
      return undefined;
    }
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      // `$comment` carries documentation inside the JSON files themselves.
      if (key !== '$comment' && !allowedKeys.includes(key)) this.problem(`${path}.${key}`, 'unknown field');
    }
    return record;
  }

  array(value: unknown, path: string, { nonEmpty = false } = {}): readonly unknown[] | undefined {
    if (!Array.isArray(value)) {
      this.problem(path, 'must be an array');
      return undefined;
    }
    if (nonEmpty && value.length === 0) this.problem(path, 'must not be empty');
    return value;
  }

  string(value: unknown, path: string, pattern?: RegExp): string | undefined {
    if (typeof value !== 'string' || value.trim() === '') {
      this.problem(path, 'must be a non-empty string');
      return undefined;
    }
    if (value !== value.normalize('NFC')) this.problem(path, 'must be in Unicode NFC');
    if (pattern && !pattern.test(value)) {
      this.problem(path, `must match ${pattern.source}`);
      return undefined;
    }
    return value;
  }

  date(value: unknown, path: string): string | undefined {
    if (typeof value !== 'string' || !isValidIsoDate(value)) {
      this.problem(path, 'must be a calendar date YYYY-MM-DD');
      return undefined;
    }
    return value;
  }

  nullableDate(value: unknown, path: string): string | null | undefined {
    return value === null ? null : this.date(value, path);
  }

  integer(value: unknown, path: string, min: number, max: number): number | undefined {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.problem(path, `must be an integer from ${min} to ${max}`);
      return undefined;
    }
    return value;
  }

  boolean(value: unknown, path: string): boolean | undefined {
    if (typeof value !== 'boolean') {
      this.problem(path, 'must be true or false');
      return undefined;
    }
    return value;
  }

  oneOf<T extends string>(value: unknown, path: string, allowed: readonly T[]): T | undefined {
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
      this.problem(path, `must be one of ${allowed.join(', ')}`);
      return undefined;
    }
    return value as T;
  }

  localized(value: unknown, path: string): { vi: string; en: string } | undefined {
    const record = this.object(value, path, ['vi', 'en']);
    if (!record) return undefined;
    const vi = this.string(record['vi'], `${path}.vi`);
    const en = this.string(record['en'], `${path}.en`);
    return vi !== undefined && en !== undefined ? { vi, en } : undefined;
  }
}
