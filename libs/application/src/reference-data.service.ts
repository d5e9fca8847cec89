import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Logger } from 'pino';
import type { Actor as AuthActor } from '@app/auth';
import { APP_CONFIG, type AppConfig } from '@app/config';
import {
  baseSalaryOn,
  withBaseSalaryOverride,
  type BaseSalaryEntry,
  findRuleSet,
  loadReferenceData,
  mergeUnitRecords,
  NotFoundError,
  ruleSetInForce,
  UnitDirectory,
  validateUnitRecords,
  ValidationFailedError,
  vietnamDate,
  WorkingDayCalendar,
  type Actor,
  type AwardType,
  type ReferenceData,
  type RuleSet,
  type UnitRecord,
} from '@app/nomination';
import { ROOT_LOGGER } from '@app/platform';
import { UNIT_RECORDS, type UnitRecords } from '@app/records';

export interface RuleSetSummary {
  readonly id: string;
  readonly names: { readonly vi: string; readonly en: string };
  readonly legalBasis: readonly string[];
  readonly effectiveFrom: string | null;
  readonly effectiveUntil: string | null;
  readonly codeSet: string;
  readonly inForce: boolean;
}

/**
 * The catalogue, rule sets and holiday calendar shipped with the domain (validated once at start, so a
 * broken data file stops the process), merged with the units admins upserted into PostgreSQL.
 */
@Injectable()
export class ReferenceDataService {
  readonly data: ReferenceData = loadReferenceData();
  readonly calendar = new WorkingDayCalendar(this.data.holidays);
  /** The dated base-salary table, with `BASE_SALARY_OVERRIDE` appended when set. */
  readonly baseSalaries: readonly BaseSalaryEntry[];
  /** The merged units as of the stored units' version (UnitRecords.version). */
  private cached: { version: string; records: UnitRecord[]; directory: UnitDirectory } | undefined;

  constructor(
    @Inject(UNIT_RECORDS) private readonly stored: UnitRecords,
    @Optional() @Inject(APP_CONFIG) config?: Pick<AppConfig, 'baseSalaryOverride'>,
    @Optional() @Inject(ROOT_LOGGER) logger?: Logger,
  ) {
    this.baseSalaries = withBaseSalaryOverride(this.data.baseSalaries, config?.baseSalaryOverride);
    if (config?.baseSalaryOverride !== undefined) {
      logger?.warn(
        { baseSalaryOverride: config.baseSalaryOverride, lastInData: this.data.baseSalaries.at(-1) },
        'BASE_SALARY_OVERRIDE is set: decisions signed from its date use an amount that is not in the reference data; add it to base-salary.json and unset the variable',
      );
    }
  }

  /** The base salary in force on a Vietnam calendar date. */
  baseSalaryOn(date: string): BaseSalaryEntry {
    return baseSalaryOn(this.baseSalaries, date);
  }

  /** The code set whose validity period contains the date, if any. */
  codeSetInForce(date: string): string | undefined {
    return this.data.codeSets.find((c) => (c.validFrom === null || c.validFrom <= date) && (c.validUntil === null || date <= c.validUntil))?.id;
  }

  ruleSetInForce(now: Date = new Date()): RuleSet {
    const ruleSet = ruleSetInForce(this.data.ruleSets, vietnamDate(now));
    if (ruleSet === undefined) throw new Error(`No rule set is in force on ${vietnamDate(now)}`);
    return ruleSet;
  }

  ruleSet(id: string | undefined, now: Date = new Date()): RuleSet {
    if (id === undefined) return this.ruleSetInForce(now);
    const ruleSet = findRuleSet(this.data.ruleSets, id);
    if (ruleSet === undefined) {
      throw new ValidationFailedError(`Unknown rule set ${id}`, [{ field: 'ruleSet', message: `unknown rule set ${id}` }]);
    }
    return ruleSet;
  }

  ruleSets(now: Date = new Date()): RuleSetSummary[] {
    const inForce = this.ruleSetInForce(now).id;
    return this.data.ruleSets.map((r) => ({
      id: r.id, names: r.names, legalBasis: r.legalBasis, effectiveFrom: r.effectiveFrom,
      effectiveUntil: r.effectiveUntil, codeSet: r.codeSet, inForce: r.id === inForce,
    }));
  }

  awardTypes(ruleSetId?: string): { ruleSet: string; items: readonly AwardType[] } {
    const ruleSet = ruleSetId === undefined ? this.ruleSetInForce() : findRuleSet(this.data.ruleSets, ruleSetId);
    if (ruleSet === undefined) throw new NotFoundError(`Unknown rule set ${ruleSetId}`);
    return { ruleSet: ruleSet.id, items: ruleSet.awards };
  }

  /** The domain's actor: the token's code set, or the one of the rule set in force today. */
  domainActor(actor: AuthActor, now: Date = new Date()): Actor {
    return {
      id: actor.id, name: actor.name, unit: actor.unit, roles: actor.roles,
      codeSet: actor.codeSet ?? this.ruleSetInForce(now).codeSet,
    };
  }

  async directory(): Promise<UnitDirectory> {
    return (await this.load()).directory;
  }

  async units(codeSet?: string, parent?: string): Promise<UnitRecord[]> {
    const set = codeSet ?? this.ruleSetInForce().codeSet;
    const { records } = await this.load();
    return records
      .filter((u) => u.codeSet === set && (parent === undefined || u.parentCode === parent))
      .sort((a, b) => a.code.localeCompare(b.code));
  }

  async unit(code: string, codeSet?: string): Promise<UnitRecord> {
    const set = codeSet ?? this.ruleSetInForce().codeSet;
    const found = (await this.load()).records.find((u) => u.codeSet === set && u.code === code);
    if (found === undefined) throw new NotFoundError(`Unit ${code} not found in ${set}`);
    return found;
  }

  /** Validates the whole directory as it would be after the upsert; writes nothing when invalid. */
  async upsertUnits(records: readonly UnitRecord[]): Promise<{ upserted: number }> {
    const normalized = records.map((r) => ({ ...r, name: r.name.normalize('NFC').trim() }));
    const current = await this.fetchRecords();
    const merged = mergeUnitRecords(current, normalized);
    const problems = validateUnitRecords(merged, this.levelCodes(), this.codeSetIds());
    if (problems.length > 0) {
      throw new ValidationFailedError('The units do not form a valid directory', problems.map((message) => ({ field: 'units', message })));
    }
    // Deduplicated first (the last record of a code wins): the store writes a batch at once.
    const rows = mergeUnitRecords(normalized);
    await this.stored.upsert(rows);
    this.cached = undefined;
    return { upserted: rows.length };
  }

  private levelCodes(): string[] {
    return this.data.levels.map((l) => l.code);
  }

  private codeSetIds(): string[] {
    return this.data.codeSets.map((c) => c.id);
  }

  private async fetchRecords(): Promise<UnitRecord[]> {
    return mergeUnitRecords(this.data.units, await this.stored.list());
  }

  /**
   * The units as every process sees them once a PUT /units has answered: the copy is used only while
   * the stored version is the one it was loaded at (one primary-key read per use). A time-based cache
   * let another api process route a new nomination along a unit's old parent for seconds after the
   * re-parenting, recording that ancestry (its jurisdiction) for good. The version is read before the
   * units, so a copy is never newer-labelled than its content; at worst it is reloaded once more.
   */
  private async load(): Promise<{ records: UnitRecord[]; directory: UnitDirectory }> {
    const version = await this.stored.version();
    if (this.cached !== undefined && this.cached.version === version) return this.cached;
    const records = await this.fetchRecords();
    const directory = UnitDirectory.fromRecords(records, this.levelCodes(), this.codeSetIds());
    const loaded = { version, records, directory };
    this.cached = loaded;
    return loaded;
  }
}
