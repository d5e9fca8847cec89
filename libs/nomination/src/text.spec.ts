import { normalizeName, normalizeText, searchKey } from './text';

describe('Vietnamese text', () => {
  it('builds search keys without case or diacritics, đ included', () => {
    expect(searchKey('Nguyễn Văn A')).toBe('nguyen van a');
    expect(searchKey('ĐẶNG Thị Đức')).toBe('dang thi duc');
    expect(searchKey('Trường Tiểu học  Chiềng Lao'.normalize('NFD'))).toBe('truong tieu hoc chieng lao');
  });

  it('normalises to NFC without removing diacritics', () => {
    const nfd = ' Lò Thị  Xuân '.normalize('NFD');
    expect(normalizeName(nfd)).toBe('Lò Thị Xuân');
    expect(normalizeName(nfd)).toBe('Lò Thị Xuân'.normalize('NFC'));
    expect(normalizeText('Dòng 1\nDòng 2 '.normalize('NFD'))).toBe('Dòng 1\nDòng 2');
  });
});
