import { parseShare } from '../council-vote';
import { validateUnitRecords } from '../unit-directory';
import awardCatalogueJson from './award-catalogue.json';
import holidaysJson from './holidays.json';
import unitsJson from './units.json';
import baseSalaryJson from './base-salary.json';
import { DataReader } from './data-reader';
import {
  type AwardType,
  type BaseSalaryEntry,
  type BonusMultiples,
  type CodeSetDefinition,
  DOCUMENT_KINDS,
  type DayOff,
  type HolidayCalendarData,
  type HolidayYear,
  type LevelDefinition,
  NOMINEE_KINDS,
  type ReferenceData,
  type RuleSet,
  type Share,
  type UnitRecord,
} from './reference-data.types';

/** The three data files as parsed JSON, not yet trusted. */
export interface RawReferenceData {
  readonly catalogue: unknown;
  readonly units: unknown;
  readonly holidays: unknown;
  readonly baseSalary: unknown;
}

/** Thrown at start-up when the data files are inconsistent; `problems` lists all of them. */
export class ReferenceDataError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid reference data (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n- ${problems.join('\n- ')}`);
    this.name = 'ReferenceDataError';
  }
}

/** The data files shipped with this library. */
export const bundledReferenceData: RawReferenceData = {
  catalogue: awardCatalogueJson,
  units: unitsJson,
  holidays: holidaysJson,
  baseSalary: baseSalaryJson,
};

const AWARD_FIELDS = [
  'stageDeadlineWorkingDays', 'councilVoteRequired', 'quorumShare', 'approvalShare', 'publicDisclosureWorkingDays',
  'maxSupplementRequestsPerStage', 'requiredDocuments', 'bonusMultiple',
] as const;
const AWARD_IDENTITY = ['code', 'names', 'kind', 'nomineeKinds', 'decidingLevels'] as const;

function readShare(reader: DataReader, value: unknown, path: string): Share | undefined {
  // Each threshold says which comparison it means: "majority" is more than half, "at least x%" is ≥.
  if (typeof value !== 'string' || !/^(at least|more than) /u.test(value)) {
    reader.problem(path, 'must be "at least n/d" or "more than n/d"');
    return undefined;
  }
  try {
    return parseShare(value);
  } catch {
    reader.problem(path, 'must be "at least n/d" or "more than n/d" with 0 < n ≤ d');
    return undefined;
  }
}

function readBonus(reader: DataReader, value: unknown, path: string): BonusMultiples | undefined {
  const record = reader.object(value, path, ['individual', 'collective', 'household']);
  if (!record) return undefined;
  const result: { individual?: number | null; collective?: number | null; household?: number | null } = {};
  for (const kind of ['individual', 'collective', 'household'] as const) {
    if (!(kind in record)) continue;
    const multiple = record[kind];
    // Four decimals are enough for every multiple in the decrees (0.15, 0.225 for households) and keep
    // amount arithmetic exact in integers.
    if (multiple !== null && (typeof multiple !== 'number' || multiple < 0 || multiple > 100 || Math.round(multiple * 1e4) !== multiple * 1e4)) {
      reader.problem(`${path}.${kind}`, 'must be null or a number from 0 to 100 with at most 4 decimals');
      continue;
    }
    result[kind] = multiple;
  }
  return result;
}

function readAward(
  reader: DataReader,
  value: unknown,
  defaults: Record<string, unknown>,
  path: string,
  levels: readonly string[],
): AwardType | undefined {
  const own = reader.object(value, path, [...AWARD_IDENTITY, ...AWARD_FIELDS]);
  if (!own) return undefined;
  const merged: Record<string, unknown> = { ...defaults, ...own };
  const problemsBefore = reader.problems.length;
  const code = reader.string(merged['code'], `${path}.code`, /^[A-Z][A-Z0-9_]*$/u);
  const names = reader.localized(merged['names'], `${path}.names`);
  const kind = reader.oneOf(merged['kind'], `${path}.kind`, ['title', 'form'] as const);
  const nomineeKindsRaw = reader.array(merged['nomineeKinds'], `${path}.nomineeKinds`, { nonEmpty: true }) ?? [];
  const nomineeKinds = nomineeKindsRaw.map((k, i) => reader.oneOf(k, `${path}.nomineeKinds[${i}]`, NOMINEE_KINDS));
  if (new Set(nomineeKindsRaw).size !== nomineeKindsRaw.length) reader.problem(`${path}.nomineeKinds`, 'contains duplicates');
  const decidingLevelsRaw = reader.array(merged['decidingLevels'], `${path}.decidingLevels`) ?? [];
  const decidingLevels = decidingLevelsRaw.map((l, i) => reader.oneOf(l, `${path}.decidingLevels[${i}]`, levels));
  if (new Set(decidingLevelsRaw).size !== decidingLevelsRaw.length) reader.problem(`${path}.decidingLevels`, 'contains duplicates');
  const ranks = decidingLevels.map((l) => (l === undefined ? -1 : levels.indexOf(l)));
  if (ranks.some((r, i) => i > 0 && r <= ranks[i - 1]!)) reader.problem(`${path}.decidingLevels`, 'must be listed lowest level first');
  const stageDeadlineWorkingDays = reader.integer(merged['stageDeadlineWorkingDays'], `${path}.stageDeadlineWorkingDays`, 1, 60);
  const councilVoteRequired = reader.boolean(merged['councilVoteRequired'], `${path}.councilVoteRequired`);
  const quorumShare = readShare(reader, merged['quorumShare'], `${path}.quorumShare`);
  const approvalShare = readShare(reader, merged['approvalShare'], `${path}.approvalShare`);
  const publicDisclosureWorkingDays = reader.integer(merged['publicDisclosureWorkingDays'], `${path}.publicDisclosureWorkingDays`, 0, 60);
  const maxSupplementRequestsPerStage = reader.integer(merged['maxSupplementRequestsPerStage'], `${path}.maxSupplementRequestsPerStage`, 0, 10);
  const docsRaw = reader.array(merged['requiredDocuments'], `${path}.requiredDocuments`) ?? [];
  const requiredDocuments = docsRaw.map((d, i) => reader.oneOf(d, `${path}.requiredDocuments[${i}]`, DOCUMENT_KINDS));
  if (new Set(docsRaw).size !== docsRaw.length) reader.problem(`${path}.requiredDocuments`, 'contains duplicates');
  const bonusMultiple = readBonus(reader, merged['bonusMultiple'], `${path}.bonusMultiple`);
  if (bonusMultiple) {
    const needsIndividual = nomineeKinds.includes('individual') || (nomineeKinds.includes('household') && !('household' in bonusMultiple));
    if (needsIndividual && !('individual' in bonusMultiple)) reader.problem(`${path}.bonusMultiple.individual`, 'required for individual/household nominees (null if configurable)');
    if (nomineeKinds.includes('collective') && !('collective' in bonusMultiple)) reader.problem(`${path}.bonusMultiple.collective`, 'required for collective nominees (null if configurable)');
  }
  if (reader.problems.length > problemsBefore) return undefined;
  return {
    code: code!, names: names!, kind: kind!, nomineeKinds: nomineeKinds as AwardType['nomineeKinds'], decidingLevels: decidingLevels as string[],
    stageDeadlineWorkingDays: stageDeadlineWorkingDays!, councilVoteRequired: councilVoteRequired!, quorumShare: quorumShare!,
    approvalShare: approvalShare!, publicDisclosureWorkingDays: publicDisclosureWorkingDays!,
    maxSupplementRequestsPerStage: maxSupplementRequestsPerStage!, bonusMultiple: bonusMultiple!,
    requiredDocuments: requiredDocuments as AwardType['requiredDocuments'],
  };
}

function readRuleSets(reader: DataReader, raw: unknown, levels: readonly string[], codeSets: readonly string[]): RuleSet[] {
  const root = reader.object(raw, 'catalogue', ['ruleSets']);
  const list = reader.array(root?.['ruleSets'], 'catalogue.ruleSets', { nonEmpty: true }) ?? [];
  const ruleSets: RuleSet[] = [];
  list.forEach((value, index) => {
    const path = `catalogue.ruleSets[${index}]`;
    const record = reader.object(value, path, ['id', 'names', 'legalBasis', 'effectiveFrom', 'effectiveUntil', 'codeSet', 'awardDefaults', 'awards']);
    if (!record) return;
    const before = reader.problems.length;
    const id = reader.string(record['id'], `${path}.id`, /^[a-z0-9-]+$/u);
    const names = reader.localized(record['names'], `${path}.names`);
    const legalBasis = (reader.array(record['legalBasis'], `${path}.legalBasis`, { nonEmpty: true }) ?? [])
      .map((text, i) => reader.string(text, `${path}.legalBasis[${i}]`));
    const effectiveFrom = reader.nullableDate(record['effectiveFrom'], `${path}.effectiveFrom`);
    const effectiveUntil = reader.nullableDate(record['effectiveUntil'], `${path}.effectiveUntil`);
    if (effectiveFrom && effectiveUntil && effectiveFrom > effectiveUntil) reader.problem(path, 'effectiveFrom is after effectiveUntil');
    const codeSet = reader.oneOf(record['codeSet'], `${path}.codeSet`, codeSets);
    const defaults = reader.object(record['awardDefaults'] ?? {}, `${path}.awardDefaults`, AWARD_FIELDS) ?? {};
    const awards = (reader.array(record['awards'], `${path}.awards`, { nonEmpty: true }) ?? [])
      .map((award, i) => readAward(reader, award, defaults, `${path}.awards[${i}]`, levels));
    const codes = awards.flatMap((award) => (award ? [award.code] : []));
    for (const code of new Set(codes)) {
      if (codes.filter((c) => c === code).length > 1) reader.problem(`${path}.awards`, `duplicate award code ${code}`);
    }
    if (reader.problems.length > before) return;
    ruleSets.push({
      id: id!, names: names!, legalBasis: legalBasis as string[], effectiveFrom: effectiveFrom!, effectiveUntil: effectiveUntil!,
      codeSet: codeSet!, awards: awards as AwardType[],
    });
  });
  const ids = ruleSets.map((r) => r.id);
  if (new Set(ids).size !== ids.length) reader.problem('catalogue.ruleSets', 'duplicate rule set ids');
  const ordered = [...ruleSets].sort((a, b) => (a.effectiveFrom ?? '').localeCompare(b.effectiveFrom ?? ''));
  for (let i = 1; i < ordered.length; i += 1) {
    const previous = ordered[i - 1]!;
    const current = ordered[i]!;
    if (previous.effectiveUntil === null || current.effectiveFrom === null || previous.effectiveUntil >= current.effectiveFrom) {
      reader.problem('catalogue.ruleSets', `effective periods of ${previous.id} and ${current.id} overlap`);
    }
  }
  return ruleSets;
}

function readUnits(reader: DataReader, raw: unknown): { levels: LevelDefinition[]; codeSets: CodeSetDefinition[]; units: UnitRecord[] } {
  const root = reader.object(raw, 'units', ['levels', 'codeSets', 'units']);
  const levels = (reader.array(root?.['levels'], 'units.levels', { nonEmpty: true }) ?? []).flatMap((value, i) => {
    const record = reader.object(value, `units.levels[${i}]`, ['code', 'names']);
    const code = reader.string(record?.['code'], `units.levels[${i}].code`, /^[a-z_]+$/u);
    const names = reader.localized(record?.['names'], `units.levels[${i}].names`);
    return code && names ? [{ code, names }] : [];
  });
  if (new Set(levels.map((l) => l.code)).size !== levels.length) reader.problem('units.levels', 'duplicate level codes');
  const codeSets = (reader.array(root?.['codeSets'], 'units.codeSets', { nonEmpty: true }) ?? []).flatMap((value, i) => {
    const path = `units.codeSets[${i}]`;
    const record = reader.object(value, path, ['id', 'names', 'validFrom', 'validUntil']);
    const id = reader.string(record?.['id'], `${path}.id`, /^[a-z0-9-]+$/u);
    const names = reader.localized(record?.['names'], `${path}.names`);
    const validFrom = reader.nullableDate(record?.['validFrom'], `${path}.validFrom`);
    const validUntil = reader.nullableDate(record?.['validUntil'], `${path}.validUntil`);
    return id && names && validFrom !== undefined && validUntil !== undefined ? [{ id, names, validFrom, validUntil }] : [];
  });
  const units = (reader.array(root?.['units'], 'units.units', { nonEmpty: true }) ?? []).flatMap((value, i) => {
    const path = `units.units[${i}]`;
    const record = reader.object(value, path, ['codeSet', 'code', 'name', 'level', 'parentCode', 'mergedFrom', 'successor']);
    if (!record) return [];
    const codeSet = reader.string(record['codeSet'], `${path}.codeSet`);
    const code = reader.string(record['code'], `${path}.code`);
    const name = reader.string(record['name'], `${path}.name`);
    const level = reader.string(record['level'], `${path}.level`);
    const parentCode = record['parentCode'] === null ? null : reader.string(record['parentCode'], `${path}.parentCode`);
    const mergedFrom = record['mergedFrom'] === undefined ? undefined
      : (reader.array(record['mergedFrom'], `${path}.mergedFrom`, { nonEmpty: true }) ?? []).flatMap((ref, j) => {
        const at = `${path}.mergedFrom[${j}]`;
        const entry = reader.object(ref, at, ['codeSet', 'code', 'name']);
        const refCodeSet = reader.string(entry?.['codeSet'], `${at}.codeSet`);
        const refCode = reader.string(entry?.['code'], `${at}.code`);
        const refName = reader.string(entry?.['name'], `${at}.name`);
        return refCodeSet && refCode && refName ? [{ codeSet: refCodeSet, code: refCode, name: refName }] : [];
      });
    let successor: { codeSet: string; code: string } | undefined;
    if (record['successor'] !== undefined) {
      const entry = reader.object(record['successor'], `${path}.successor`, ['codeSet', 'code']);
      const sCodeSet = reader.string(entry?.['codeSet'], `${path}.successor.codeSet`);
      const sCode = reader.string(entry?.['code'], `${path}.successor.code`);
      if (sCodeSet && sCode) successor = { codeSet: sCodeSet, code: sCode };
    }
    if (!codeSet || !code || !name || !level || parentCode === undefined) return [];
    const unit: UnitRecord = {
      codeSet, code, name, level, parentCode, ...(mergedFrom ? { mergedFrom } : {}), ...(successor ? { successor } : {}),
    };
    return [unit];
  });
  for (const problem of validateUnitRecords(units, levels.map((l) => l.code), codeSets.map((c) => c.id))) reader.problem('units', problem);
  return { levels, codeSets, units };
}

const weekday = (iso: string): number => new Date(`${iso}T00:00:00Z`).getUTCDay();

function readHolidays(reader: DataReader, raw: unknown): HolidayCalendarData {
  const root = reader.object(raw, 'holidays', ['timeZone', 'utcOffsetMinutes', 'fixedDateHolidays', 'years']);
  // The calendar hard-codes UTC+7 (no DST); the file states it so a change is caught here, not in deadlines.
  if (root?.['timeZone'] !== 'Asia/Ho_Chi_Minh' || root?.['utcOffsetMinutes'] !== 420) {
    reader.problem('holidays', 'timeZone must be Asia/Ho_Chi_Minh with utcOffsetMinutes 420');
  }
  const fixedDateHolidays = (reader.array(root?.['fixedDateHolidays'], 'holidays.fixedDateHolidays', { nonEmpty: true }) ?? []).flatMap((value, i) => {
    const path = `holidays.fixedDateHolidays[${i}]`;
    const record = reader.object(value, path, ['monthDay', 'name']);
    const monthDay = reader.string(record?.['monthDay'], `${path}.monthDay`, /^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/u);
    const name = reader.string(record?.['name'], `${path}.name`);
    return monthDay && name ? [{ monthDay, name }] : [];
  });
  const years: HolidayYear[] = [];
  (reader.array(root?.['years'], 'holidays.years', { nonEmpty: true }) ?? []).forEach((value, i) => {
    const path = `holidays.years[${i}]`;
    const record = reader.object(value, path, ['year', 'status', 'daysOff', 'workingWeekendDays']);
    if (!record) return;
    const year = reader.integer(record['year'], `${path}.year`, 1976, 2200);
    const status = reader.oneOf(record['status'], `${path}.status`, ['announced', 'expected'] as const);
    const daysOff: DayOff[] = (reader.array(record['daysOff'], `${path}.daysOff`, { nonEmpty: true }) ?? []).flatMap((day, j) => {
      const at = `${path}.daysOff[${j}]`;
      const entry = reader.object(day, at, ['date', 'name', 'kind']);
      const date = reader.date(entry?.['date'], `${at}.date`);
      const name = reader.string(entry?.['name'], `${at}.name`);
      const kind = reader.oneOf(entry?.['kind'], `${at}.kind`, ['holiday', 'compensatory', 'swapped'] as const);
      if (date && year !== undefined && !date.startsWith(`${year}-`)) reader.problem(`${at}.date`, `is not in ${year}`);
      return date && name && kind ? [{ date, name, kind }] : [];
    });
    const workingWeekendDays = (reader.array(record['workingWeekendDays'] ?? [], `${path}.workingWeekendDays`) ?? []).flatMap((day, j) => {
      const at = `${path}.workingWeekendDays[${j}]`;
      const entry = reader.object(day, at, ['date', 'name']);
      const date = reader.date(entry?.['date'], `${at}.date`);
      const name = reader.string(entry?.['name'], `${at}.name`);
      if (date && ![0, 6].includes(weekday(date))) reader.problem(`${at}.date`, 'is not a Saturday or Sunday');
      if (date && daysOff.some((d) => d.date === date)) reader.problem(`${at}.date`, 'is also listed as a day off');
      return date && name ? [{ date, name }] : [];
    });
    const dates = daysOff.map((d) => d.date);
    if (new Set(dates).size !== dates.length) reader.problem(`${path}.daysOff`, 'contains duplicate dates');
    if (year !== undefined) {
      for (const fixed of fixedDateHolidays) {
        if (!dates.includes(`${year}-${fixed.monthDay}`)) reader.problem(`${path}.daysOff`, `misses the fixed-date holiday ${fixed.monthDay} (${fixed.name})`);
      }
    }
    // Swaps must balance: every weekday given off by a swap is worked back on a weekend day.
    const swapped = daysOff.filter((d) => d.kind === 'swapped').length;
    if (swapped !== workingWeekendDays.length) reader.problem(path, `${swapped} swapped day(s) off but ${workingWeekendDays.length} weekend day(s) worked`);
    if (year !== undefined && status) years.push({ year, status, daysOff, workingWeekendDays });
  });
  const listed = years.map((y) => y.year).sort((a, b) => a - b);
  for (let i = 1; i < listed.length; i += 1) {
    if (listed[i] === listed[i - 1]) reader.problem('holidays.years', `year ${listed[i]} listed twice`);
    else if (listed[i] !== listed[i - 1]! + 1) reader.problem('holidays.years', `years must be contiguous: gap after ${listed[i - 1]}`);
  }
  return { fixedDateHolidays, years: years.sort((a, b) => a.year - b.year) };
}

function readBaseSalaries(reader: DataReader, raw: unknown): BaseSalaryEntry[] {
  const root = reader.object(raw, 'baseSalary', ['currency', 'entries']);
  if (root && root['currency'] !== 'VND') reader.problem('baseSalary.currency', 'must be VND');
  const entries = (reader.array(root?.['entries'], 'baseSalary.entries', { nonEmpty: true }) ?? []).flatMap((value, i) => {
    const path = `baseSalary.entries[${i}]`;
    const record = reader.object(value, path, ['from', 'amount', 'legalBasis']);
    const from = reader.date(record?.['from'], `${path}.from`);
    const amount = reader.integer(record?.['amount'], `${path}.amount`, 1, 1_000_000_000);
    const legalBasis = reader.string(record?.['legalBasis'], `${path}.legalBasis`);
    return from && amount !== undefined && legalBasis ? [{ from, amount, legalBasis }] : [];
  });
  for (let i = 1; i < entries.length; i += 1) {
    if (entries[i]!.from <= entries[i - 1]!.from) reader.problem('baseSalary.entries', `must be in strictly increasing date order (${entries[i]!.from})`);
  }
  return entries;
}

/** Every problem in the raw data; empty when it can be loaded. */
export function validateReferenceData(raw: RawReferenceData): string[] {
  return parse(raw).problems;
}

function parse(raw: RawReferenceData): { data: ReferenceData; problems: string[] } {
  const reader = new DataReader();
  const { levels, codeSets, units } = readUnits(reader, raw.units);
  const ruleSets = readRuleSets(reader, raw.catalogue, levels.map((l) => l.code), codeSets.map((c) => c.id));
  const holidays = readHolidays(reader, raw.holidays);
  const baseSalaries = readBaseSalaries(reader, raw.baseSalary);
  return { data: { levels, codeSets, units, ruleSets, holidays, baseSalaries }, problems: reader.problems };
}

/**
 * Validates and returns the reference data (the bundled files unless others are given). Call once at
 * start-up; throws `ReferenceDataError` listing every problem, so a bad deploy fails before serving.
 */
export function loadReferenceData(raw: RawReferenceData = bundledReferenceData): ReferenceData {
  const { data, problems } = parse(raw);
  if (problems.length > 0) throw new ReferenceDataError(problems);
  return data;
}

export function findRuleSet(ruleSets: readonly RuleSet[], id: string): RuleSet | undefined {
  return ruleSets.find((ruleSet) => ruleSet.id === id);
}

/** The rule set in force on a Vietnam calendar date (`YYYY-MM-DD`), if any. */
export function ruleSetInForce(ruleSets: readonly RuleSet[], date: string): RuleSet | undefined {
  return ruleSets.find(
    (ruleSet) => (ruleSet.effectiveFrom === null || ruleSet.effectiveFrom <= date) && (ruleSet.effectiveUntil === null || date <= ruleSet.effectiveUntil),
  );
}

export function findAward(ruleSet: RuleSet, awardCode: string): AwardType | undefined {
  return ruleSet.awards.find((award) => award.code === awardCode);
}
