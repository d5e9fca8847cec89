import { bundledReferenceData, findAward, loadReferenceData, ReferenceDataError, ruleSetInForce, validateReferenceData } from './reference-data';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const copy = (): { catalogue: Json; units: Json; holidays: Json; baseSalary: Json } => JSON.parse(JSON.stringify(bundledReferenceData));

describe('bundled reference data', () => {
  const data = loadReferenceData();

  it('loads and validates', () => {
    expect(validateReferenceData(bundledReferenceData)).toEqual([]);
    expect(data.ruleSets.map((r) => [r.id, r.codeSet])).toEqual([['vn-2017', 'gso-2004'], ['vn-2024', 'gso-2004'], ['vn-2025', 'gso-2025']]);
    expect(data.levels.map((l) => l.code)).toEqual(['commune', 'district', 'province']);
    expect(data.units).toHaveLength(25); // Sơn La, Mường La and its 16 communes, Thành phố Sơn La; 6 units of gso-2025
    expect(data.baseSalaries.map((b) => [b.from, b.amount])).toEqual([
      ['2017-07-01', 1_300_000], ['2018-07-01', 1_390_000], ['2019-07-01', 1_490_000], ['2023-07-01', 1_800_000], ['2024-07-01', 2_340_000],
    ]);
    expect(data.holidays.years.map((y) => y.year)).toEqual([2022, 2023, 2024, 2025, 2026, 2027]);
  });

  it('fills award fields from the rule set defaults', () => {
    const vn2017 = data.ruleSets[0]!;
    expect(findAward(vn2017, 'CHIEN_SI_THI_DUA_TINH')).toMatchObject({
      decidingLevels: ['province'], councilVoteRequired: true, approvalShare: { numerator: 9, denominator: 10, comparison: 'at_least' },
      quorumShare: { numerator: 2, denominator: 3, comparison: 'at_least' }, maxSupplementRequestsPerStage: 1, stageDeadlineWorkingDays: 10,
    });
    // A plain "majority" is strictly more than half.
    expect(findAward(vn2017, 'GIAY_KHEN_HUYEN')?.approvalShare).toEqual({ numerator: 1, denominator: 2, comparison: 'more_than' });
    expect(findAward(data.ruleSets[2]!, 'GIAY_KHEN_HUYEN')?.decidingLevels).toEqual([]);
    expect(findAward(data.ruleSets[2]!, 'CHIEN_SI_THI_DUA_CO_SO')?.decidingLevels).toEqual(['commune']);
  });

  it('lists the levels that may decide each award, and the commune office\'s Gia đình văn hóa and Thôn văn hóa', () => {
    const levelsOf = (ruleSet: number, code: string) => findAward(data.ruleSets[ruleSet]!, code)?.decidingLevels;
    expect(levelsOf(0, 'LAO_DONG_TIEN_TIEN')).toEqual(['commune', 'district']);
    expect(levelsOf(0, 'GIAY_KHEN_XA')).toEqual(['commune']);
    expect(levelsOf(0, 'GIAY_KHEN_HUYEN')).toEqual(['district']);
    expect(levelsOf(0, 'BANG_KHEN_TINH')).toEqual(['province']);
    expect(levelsOf(0, 'GIA_DINH_VAN_HOA')).toEqual(['commune']);
    expect(levelsOf(0, 'THON_VAN_HOA')).toEqual(['district']);
    expect(levelsOf(2, 'THON_VAN_HOA')).toEqual(['commune']);
    expect(findAward(data.ruleSets[0]!, 'GIA_DINH_VAN_HOA')).toMatchObject({ nomineeKinds: ['household'], bonusMultiple: { household: 0.1 } });
    expect(findAward(data.ruleSets[1]!, 'THON_VAN_HOA')).toMatchObject({ nomineeKinds: ['collective'], bonusMultiple: { collective: 1.5 } });
    // vn-2025 pays Bằng khen and Cờ thi đua (never a silent 0).
    expect(findAward(data.ruleSets[2]!, 'BANG_KHEN_TINH')?.bonusMultiple).toEqual({ individual: 1.0, collective: 2.0 });
    expect(findAward(data.ruleSets[2]!, 'CO_THI_DUA_TINH')?.bonusMultiple).toEqual({ collective: 8.0 });
  });

  it('keeps Vietnamese names in NFC', () => {
    for (const unit of data.units) expect(unit.name).toBe(unit.name.normalize('NFC'));
    expect(data.units.find((u) => u.code === '120')?.name).toBe('Huyện Mường La');
  });

  it('finds the rule set in force on a date', () => {
    expect(ruleSetInForce(data.ruleSets, '2023-03-27')?.id).toBe('vn-2017');
    expect(ruleSetInForce(data.ruleSets, '2024-01-01')?.id).toBe('vn-2024');
    expect(ruleSetInForce(data.ruleSets, '2025-06-30')?.id).toBe('vn-2024');
    expect(ruleSetInForce(data.ruleSets, '2025-07-01')?.id).toBe('vn-2025');
  });
});

describe('reference data validation', () => {
  it('lists every problem at once', () => {
    const raw = copy();
    const vn2017 = raw.catalogue.ruleSets[0];
    vn2017.awards[0].councilVoteRequierd = true;
    vn2017.awards[1].approvalShare = '3/2';
    vn2017.awards[2].decidingLevels = ['ward'];
    vn2017.awards[3].code = vn2017.awards[4].code;
    vn2017.awards[5].nomineeKinds = ['individual', 'robot'];
    vn2017.awards[6].requiredDocuments = ['photo'];
    vn2017.awards[7].bonusMultiple = { collective: 0.12345 };
    raw.catalogue.ruleSets[2].effectiveFrom = '2025-06-01';
    raw.units.units.push({ codeSet: 'gso-2004', code: '03999', name: 'Xã Mồ Côi', level: 'commune', parentCode: '999' });
    raw.units.units.push({ codeSet: 'gso-2025', code: '15', name: 'Tỉnh'.normalize('NFD'), level: 'province', parentCode: '03808' });
    raw.holidays.years[1].daysOff.push({ date: '2024-01-01', name: 'Sai năm', kind: 'holiday' });
    raw.holidays.years[1].workingWeekendDays.push({ date: '2023-03-22', name: 'Thứ Tư' });
    raw.holidays.years[2].daysOff = raw.holidays.years[2].daysOff.filter((d: Json) => d.date !== '2024-09-02');

    const problems = validateReferenceData(raw);
    const expected = [
      'awards[0].councilVoteRequierd: unknown field',
      'awards[1].approvalShare: must be "at least n/d" or "more than n/d"',
      'awards[2].decidingLevels[0]: must be one of commune, district, province',
      'duplicate award code GIAY_KHEN_HUYEN',
      'awards[5].nomineeKinds[1]: must be one of',
      'awards[6].requiredDocuments[0]: must be one of',
      'awards[7].bonusMultiple.collective',
      'effective periods of vn-2024 and vn-2025 overlap',
      'parent 999 does not exist',
      'must be in Unicode NFC',
      'must be at a higher level than province',
      'is not in 2023',
      'is not a Saturday or Sunday',
      'misses the fixed-date holiday 09-02',
      'swapped day(s) off but 1 weekend day(s) worked',
    ];
    expect(expected.filter((fragment) => !problems.some((p) => p.includes(fragment)))).toEqual([]);
    expect(() => loadReferenceData(raw)).toThrow(ReferenceDataError);
    try {
      loadReferenceData(raw);
    } catch (error) {
      expect((error as ReferenceDataError).problems).toEqual(problems);
      expect((error as Error).message).toContain('parent 999 does not exist');
    }
  });

  it('rejects a missing file section, a wrong time zone and a gap in the holiday years', () => {
    const raw = copy();
    delete raw.catalogue.ruleSets;
    raw.holidays.utcOffsetMinutes = 480;
    raw.holidays.years.splice(2, 1);
    const problems = validateReferenceData(raw);
    expect(problems).toEqual(expect.arrayContaining([
      'catalogue.ruleSets: must be an array',
      'holidays: timeZone must be Asia/Ho_Chi_Minh with utcOffsetMinutes 420',
      'holidays.years: years must be contiguous: gap after 2023',
    ]));
  });

  it('requires a bonus entry per nominee kind the award accepts', () => {
    const raw = copy();
    raw.catalogue.ruleSets[0].awards[8].bonusMultiple = { individual: 1 };
    expect(validateReferenceData(raw)).toEqual([
      'catalogue.ruleSets[0].awards[8].bonusMultiple.collective: required for collective nominees (null if configurable)',
    ]);
  });
});
