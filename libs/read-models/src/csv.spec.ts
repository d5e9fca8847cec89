import { csvField, toCsv, UTF8_BOM } from './csv';

/** A strict RFC 4180 reader, to read back what toCsv wrote. */
function parseCsv(text: string): string[][] {
  expect(text.startsWith(UTF8_BOM)).toBe(true);
  const input = text.slice(1);
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < input.length; i++) {
    const c = input[i]!;
    if (quoted) {
      if (c === '"' && input[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && input[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  expect(field).toBe('');
  expect(row).toEqual([]);
  return rows;
}

describe('CSV (RFC 4180, UTF-8 with BOM)', () => {
  it('round-trips Vietnamese text with commas, quotes and line breaks', () => {
    const rows = [
      ['Trường Tiểu học Chiềng Lao, xã Chiềng Lao', 'Tập thể "Hoa Ban"', 'Dòng 1\nDòng 2\r\nDòng 3', 'Đỗ Thị Lan'],
      ['', 'Hộ gia đình ông Cầm Văn Pọm', '""', ','],
    ];
    const text = toCsv(['a', 'b', 'c', 'd'], rows);
    expect(text.endsWith('\r\n')).toBe(true);
    expect(parseCsv(text)).toEqual([['a', 'b', 'c', 'd'], ...rows]);
  });

  it('writes NFC, so a decomposed name reads back composed', () => {
    const decomposed = 'Nguyễn Thị Hằng Ánh'.normalize('NFD');
    expect(parseCsv(toCsv(['name'], [[decomposed]]))[1]![0]).toBe('Nguyễn Thị Hằng Ánh'.normalize('NFC'));
  });

  it('keeps numbers bare and defuses text a spreadsheet would run as a formula', () => {
    expect(csvField(900000)).toBe('900000');
    expect(csvField(null)).toBe('');
    expect(csvField('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvField('+84 912')).toBe("'+84 912");
    expect(csvField('-')).toBe("'-");
  });
});
