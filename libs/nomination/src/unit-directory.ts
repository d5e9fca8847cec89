import { UnknownUnitError } from './nomination.errors';
import type { UnitRecord } from './reference-data/reference-data.types';
import { normalizeName } from './text';

/** Thrown when unit records do not form a consistent hierarchy; lists every problem. */
export class UnitDirectoryError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid unit records:\n- ${problems.join('\n- ')}`);
    this.name = 'UnitDirectoryError';
  }
}

const UNIT_CODE = /^\d{2,5}$/u;

const keyOf = (codeSet: string, code: string): string => `${codeSet}\u0000${code}`;

/**
 * Problems with a set of unit records: unknown level or code set, duplicate code within a code set,
 * missing parent, or a parent whose level is not strictly higher (which also rules out cycles).
 * `levels` is lowest first. Returns an empty list when the records are consistent.
 */
export function validateUnitRecords(
  records: readonly UnitRecord[],
  levels: readonly string[],
  codeSets?: readonly string[],
): string[] {
  const problems: string[] = [];
  const byKey = new Map<string, UnitRecord>();
  records.forEach((unit, index) => {
    const at = `units[${index}] (${unit.codeSet}/${unit.code})`;
    if (typeof unit.code !== 'string' || !UNIT_CODE.test(unit.code)) problems.push(`${at}: code must be 2–5 digits`);
    if (typeof unit.name !== 'string' || unit.name.trim() === '') problems.push(`${at}: name must be a non-empty string`);
    if (!levels.includes(unit.level)) problems.push(`${at}: unknown level ${String(unit.level)}`);
    if (codeSets && !codeSets.includes(unit.codeSet)) problems.push(`${at}: unknown code set ${String(unit.codeSet)}`);
    const key = keyOf(unit.codeSet, unit.code);
    if (byKey.has(key)) problems.push(`${at}: duplicate code in code set ${unit.codeSet}`);
    else byKey.set(key, unit);
  });
  const successors = new Map<string, string>();
  records.forEach((unit, index) => {
    const at = `units[${index}] (${unit.codeSet}/${unit.code})`;
    if (unit.successor !== undefined) {
      if (unit.successor.codeSet === unit.codeSet) problems.push(`${at}: successor must be in another code set`);
      else if (!byKey.has(keyOf(unit.successor.codeSet, unit.successor.code))) problems.push(`${at}: successor ${unit.successor.codeSet}/${unit.successor.code} does not exist`);
    }
    for (const ref of unit.mergedFrom ?? []) {
      if (ref.codeSet === unit.codeSet) problems.push(`${at}: mergedFrom ${ref.code} must be in an earlier code set`);
      else if (codeSets?.includes(ref.codeSet) && !byKey.has(keyOf(ref.codeSet, ref.code))) problems.push(`${at}: mergedFrom ${ref.codeSet}/${ref.code} does not exist`);
      const key = keyOf(ref.codeSet, ref.code);
      if (successors.has(key) && successors.get(key) !== unit.code) problems.push(`${at}: ${ref.codeSet}/${ref.code} was also merged into ${successors.get(key)}`);
      successors.set(key, unit.code);
    }
  });
  records.forEach((unit, index) => {
    if (unit.parentCode === null) return;
    const at = `units[${index}] (${unit.codeSet}/${unit.code})`;
    const parent = byKey.get(keyOf(unit.codeSet, unit.parentCode));
    if (!parent) {
      problems.push(`${at}: parent ${unit.parentCode} does not exist in code set ${unit.codeSet}`);
    } else if (levels.indexOf(parent.level) <= levels.indexOf(unit.level)) {
      problems.push(`${at}: parent ${parent.code} (${parent.level}) must be at a higher level than ${unit.level}`);
    }
  });
  return problems;
}

/**
 * Later records win over earlier ones with the same code set and code: data-file units first, then the
 * admin-maintained rows, and the result goes to `UnitDirectory.fromRecords`.
 */
export function mergeUnitRecords(...sources: readonly (readonly UnitRecord[])[]): UnitRecord[] {
  const merged = new Map<string, UnitRecord>();
  for (const source of sources) {
    for (const unit of source) {
      const key = keyOf(unit.codeSet, unit.code);
      const earlier = merged.get(key);
      // Admin rows carry no reform mapping; the data file's mapping survives a rename.
      const mergedFrom = unit.mergedFrom ?? earlier?.mergedFrom;
      const successor = unit.successor ?? earlier?.successor;
      merged.set(key, { ...unit, ...(mergedFrom ? { mergedFrom } : {}), ...(successor ? { successor } : {}) });
    }
  }
  return [...merged.values()];
}

/**
 * The administrative hierarchy of every code set, read-only. The order of levels is data (lowest
 * first), so nothing here knows what a commune or a province is.
 */
export class UnitDirectory {
  private readonly byKey: ReadonlyMap<string, UnitRecord>;

  private constructor(
    readonly levels: readonly string[],
    records: readonly UnitRecord[],
  ) {
    this.byKey = new Map(records.map((unit) => [keyOf(unit.codeSet, unit.code), unit]));
  }

  /** Names are stored NFC; throws `UnitDirectoryError` listing every inconsistency. */
  static fromRecords(records: readonly UnitRecord[], levels: readonly string[], codeSets?: readonly string[]): UnitDirectory {
    const problems = validateUnitRecords(records, levels, codeSets);
    if (problems.length > 0) throw new UnitDirectoryError(problems);
    return new UnitDirectory(
      [...levels],
      records.map((unit) => ({ ...unit, name: normalizeName(unit.name) })),
    );
  }

  find(codeSet: string, code: string): UnitRecord | undefined {
    return this.byKey.get(keyOf(codeSet, code));
  }

  /** @throws UnknownUnitError */
  get(codeSet: string, code: string, field?: string): UnitRecord {
    const unit = this.find(codeSet, code);
    if (!unit) throw new UnknownUnitError(codeSet, code, field);
    return unit;
  }

  units(codeSet?: string): UnitRecord[] {
    return [...this.byKey.values()].filter((unit) => codeSet === undefined || unit.codeSet === codeSet);
  }

  children(codeSet: string, parentCode: string | null): UnitRecord[] {
    return this.units(codeSet).filter((unit) => unit.parentCode === parentCode);
  }

  /** Position of a level in the ordering, lowest = 0; -1 when unknown. */
  levelRank(level: string): number {
    return this.levels.indexOf(level);
  }

  /** The unit itself first, then its parent, up to the root. Empty when the unit is unknown. */
  ancestry(codeSet: string, code: string): UnitRecord[] {
    const chain: UnitRecord[] = [];
    let current = this.find(codeSet, code);
    while (current) {
      chain.push(current);
      current = current.parentCode === null ? undefined : this.find(codeSet, current.parentCode);
    }
    return chain;
  }

  /**
   * The unit of a later code set that took over this one: named on the unit (`successor`), or the unit
   * whose `mergedFrom` lists it. Undefined when the unit carried on unchanged or is unknown.
   */
  successorOf(codeSet: string, code: string): UnitRecord | undefined {
    const unit = this.find(codeSet, code);
    if (unit?.successor !== undefined) return this.find(unit.successor.codeSet, unit.successor.code);
    for (const candidate of this.byKey.values()) {
      if (candidate.mergedFrom?.some((ref) => ref.codeSet === codeSet && ref.code === code)) return candidate;
    }
    return undefined;
  }

  /**
   * The records of one and the same unit across code sets, itself included, oldest code set first: a
   * unit carried into a later code set with its code and level (the province naming itself as
   * successor; a commune whose only predecessor is itself), which keeps its chairman and so its
   * numbering of decisions. A merged or abolished unit is not the same as what took it over.
   */
  sameUnitAcrossCodeSets(codeSet: string, code: string): UnitRecord[] {
    const unit = this.find(codeSet, code);
    if (unit === undefined) return [];
    const carries = (from: UnitRecord, to: UnitRecord): boolean => from.codeSet !== to.codeSet && from.code === to.code && from.level === to.level
      && ((from.successor?.codeSet === to.codeSet && from.successor.code === to.code)
        || (to.mergedFrom?.length === 1 && to.mergedFrom[0]!.codeSet === from.codeSet && to.mergedFrom[0]!.code === from.code));
    const same = [...this.byKey.values()].filter((other) => other === unit || carries(unit, other) || carries(other, unit));
    return same.sort((a, b) => a.codeSet.localeCompare(b.codeSet));
  }

  /** True when `code` is `ancestorCode` itself or lies below it in the same code set. */
  isAtOrUnder(codeSet: string, code: string, ancestorCode: string): boolean {
    return this.ancestry(codeSet, code).some((unit) => unit.code === ancestorCode);
  }
}
