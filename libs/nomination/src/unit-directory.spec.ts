import { AwardNotOfferedError, NoUnitAtLevelError, UnknownUnitError } from './nomination.errors';
import { resolveRoute } from './stage-route';
import { directory } from './testing/nomination.fixtures';
import type { UnitRecord } from './reference-data/reference-data.types';
import { loadReferenceData } from './reference-data/reference-data';
import { mergeUnitRecords, UnitDirectory, UnitDirectoryError, validateUnitRecords } from './unit-directory';

const levels = ['commune', 'district', 'province'];
const codes = (route: { unit: string }[]) => route.map((s) => s.unit);

describe('resolveRoute', () => {
  it('climbs commune → district → province in gso-2004', () => {
    expect(resolveRoute(directory, 'gso-2004', '03814', ['province'])).toEqual([
      { unit: '03814', unitName: 'Xã Chiềng Lao', level: 'commune' },
      { unit: '120', unitName: 'Huyện Mường La', level: 'district' },
      { unit: '14', unitName: 'Tỉnh Sơn La', level: 'province' },
    ]);
  });

  it('climbs commune → province in gso-2025 with the same code', () => {
    expect(codes(resolveRoute(directory, 'gso-2025', '03814', ['province']))).toEqual(['03814', '14']);
    expect(resolveRoute(directory, 'gso-2025', '03808', ['province'])[0]!.unitName).toBe('Xã Mường La');
  });

  it('given several deciding levels, then the deciding stage is the lowest unit on the route at one of them', () => {
    // Lao động tiên tiến (commune or district chairman): a commune's own staff get it at the commune,
    // the district office's own staff at the district.
    expect(codes(resolveRoute(directory, 'gso-2004', '03814', ['commune', 'district']))).toEqual(['03814']);
    expect(codes(resolveRoute(directory, 'gso-2004', '120', ['commune', 'district']))).toEqual(['120']);
    expect(codes(resolveRoute(directory, 'gso-2004', '03814', ['district']))).toEqual(['03814', '120']);
  });

  it('given no unit on the route at a deciding level, then it refuses instead of sending it elsewhere', () => {
    // GIAY_KHEN_XA proposed at a district; Lao động tiên tiến proposed at the province.
    expect(() => resolveRoute(directory, 'gso-2004', '120', ['commune'], { ruleSet: 'vn-2017', awardCode: 'GIAY_KHEN_XA' })).toThrow(NoUnitAtLevelError);
    expect(() => resolveRoute(directory, 'gso-2004', '14', ['commune', 'district'])).toThrow(NoUnitAtLevelError);
    // gso-2025 has no district: a district-only award from a commune finds no deciding unit.
    expect(() => resolveRoute(directory, 'gso-2025', '03814', ['district'])).toThrow(NoUnitAtLevelError);
  });

  it('fails for unknown units, awards not offered and missing levels', () => {
    expect(() => resolveRoute(directory, 'gso-2025', '03841', ['province'])).toThrow(UnknownUnitError); // Tạ Bú merged away
    expect(() => resolveRoute(directory, 'gso-2025', '03814', [], { ruleSet: 'vn-2025', awardCode: 'GIAY_KHEN_HUYEN' })).toThrow(AwardNotOfferedError);
    const orphanTree = UnitDirectory.fromRecords([
      { codeSet: 'x', code: '120', name: 'Huyện', level: 'district', parentCode: null },
      { codeSet: 'x', code: '03814', name: 'Xã', level: 'commune', parentCode: '120' },
    ], levels);
    expect(() => resolveRoute(orphanTree, 'x', '03814', ['province'])).toThrow(NoUnitAtLevelError);
  });

  it('follows the level order given as data, whatever the level names', () => {
    const tree = UnitDirectory.fromRecords([
      { codeSet: 'x', code: '01', name: 'Vùng', level: 'region', parentCode: null },
      { codeSet: 'x', code: '0101', name: 'Ấp', level: 'hamlet', parentCode: '01' },
    ], ['hamlet', 'region']);
    expect(codes(resolveRoute(tree, 'x', '0101', ['region']))).toEqual(['0101', '01']);
  });
});

describe('UnitDirectory', () => {
  it('answers hierarchy questions per code set', () => {
    expect(directory.isAtOrUnder('gso-2004', '03814', '120')).toBe(true);
    expect(directory.isAtOrUnder('gso-2004', '03814', '14')).toBe(true);
    expect(directory.isAtOrUnder('gso-2004', '03814', '116')).toBe(false);
    expect(directory.isAtOrUnder('gso-2025', '03814', '120')).toBe(false);
    expect(directory.children('gso-2025', '14').map((u) => u.code)).toEqual(['03808', '03814', '03820', '03847', '03850']);
    expect(directory.find('gso-2025', '03847')?.mergedFrom?.map((ref) => ref.code)).toEqual(['03841', '03847', '03853']);
  });

  it('given the 2025 reform, then every Mường La commune of gso-2004 has exactly one gso-2025 successor, and districts name theirs', () => {
    const communes = directory.children('gso-2004', '120');
    expect(communes).toHaveLength(16);
    const successors = Object.fromEntries(communes.map((c) => [c.code, directory.successorOf('gso-2004', c.code)?.code]));
    expect(successors).toEqual({
      '03808': '03808', '03811': '03814', '03814': '03814', '03817': '03814', '03820': '03820', '03823': '03808', '03826': '03808', '03829': '03808',
      '03832': '03850', '03835': '03808', '03838': '03850', '03841': '03847', '03844': '03808', '03847': '03847', '03850': '03850', '03853': '03847',
    });
    expect(directory.successorOf('gso-2004', '120')).toMatchObject({ codeSet: 'gso-2025', code: '14' });
    expect(directory.successorOf('gso-2004', '14')).toMatchObject({ codeSet: 'gso-2025', code: '14' });
    expect(directory.successorOf('gso-2025', '03808')).toBeUndefined();
  });

  it('knows the units carried unchanged through the 2025 reform, which keep one numbering of decisions, from those merged or abolished', () => {
    const same = (codeSet: string, code: string) => directory.sameUnitAcrossCodeSets(codeSet, code).map((u) => `${u.codeSet}:${u.code}`);
    expect(same('gso-2004', '14')).toEqual(['gso-2004:14', 'gso-2025:14']);
    expect(same('gso-2025', '14')).toEqual(['gso-2004:14', 'gso-2025:14']);
    // Ngọc Chiến was not merged; Ít Ong (03808) was merged into Xã Mường La, which re-uses its code.
    expect(same('gso-2025', '03820')).toEqual(['gso-2004:03820', 'gso-2025:03820']);
    expect(same('gso-2004', '03808')).toEqual(['gso-2004:03808']);
    expect(same('gso-2025', '03808')).toEqual(['gso-2025:03808']);
    expect(same('gso-2004', '120')).toEqual(['gso-2004:120']);
    expect(same('gso-2004', '99999')).toEqual([]);
  });

  it('refuses a reform mapping that names a unit twice or a unit that does not exist', () => {
    const data = loadReferenceData();
    const levels = data.levels.map((l) => l.code);
    const codeSets = data.codeSets.map((c) => c.id);
    const twice = data.units.map((u) => (u.codeSet === 'gso-2025' && u.code === '03820' ? { ...u, mergedFrom: [{ codeSet: 'gso-2004', code: '03841', name: 'Xã Tạ Bú' }] } : u));
    expect(validateUnitRecords(twice, levels, codeSets)).toEqual([expect.stringContaining('03841 was also merged into')]);
    const ghost = data.units.map((u) => (u.code === '120' ? { ...u, successor: { codeSet: 'gso-2025', code: '120' } } : u));
    expect(validateUnitRecords(ghost, levels, codeSets)).toEqual([expect.stringContaining('successor gso-2025/120 does not exist')]);
  });

  it('is built from plain records (admin upserts override data units) and stores names in NFC', () => {
    const upsert: UnitRecord = { codeSet: 'gso-2025', code: '03820', name: 'Xã Ngọc Chiến (mới)'.normalize('NFD'), level: 'commune', parentCode: '14' };
    const merged = UnitDirectory.fromRecords(mergeUnitRecords(directory.units(), [upsert]), levels);
    expect(merged.find('gso-2025', '03820')?.name).toBe('Xã Ngọc Chiến (mới)'.normalize('NFC'));
    expect(merged.units()).toHaveLength(directory.units().length);
  });

  it('rejects inconsistent records, listing every problem', () => {
    const records: UnitRecord[] = [
      { codeSet: 'x', code: '14', name: 'Tỉnh', level: 'province', parentCode: null },
      { codeSet: 'x', code: '14', name: 'Tỉnh trùng', level: 'province', parentCode: null },
      { codeSet: 'x', code: '120', name: 'Huyện', level: 'district', parentCode: '03814' },
      { codeSet: 'x', code: '03814', name: 'Xã', level: 'commune', parentCode: '120' },
      { codeSet: 'x', code: 'ABC', name: '', level: 'ward', parentCode: '77' },
    ];
    try {
      UnitDirectory.fromRecords(records, levels);
      throw new Error('expected UnitDirectoryError');
    } catch (error) {
      expect(error).toBeInstanceOf(UnitDirectoryError);
      expect((error as UnitDirectoryError).problems).toHaveLength(6);
    }
  });
});
