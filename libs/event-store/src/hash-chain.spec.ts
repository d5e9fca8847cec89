import fc from 'fast-check';
import { canonicalJson, canonicalJsonText } from './hash-chain';

/** The definition canonicalJson must agree with (its first, plainer implementation). */
function reference(value: unknown): string {
  if (value === null || typeof value !== 'object') return value === undefined ? 'null' : JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(reference).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${reference(v)}`).join(',')}}`;
}

describe('canonicalJson', () => {
  it('agrees with its plain definition: keys sorted by UTF-16 code units at every depth, undefined members dropped', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(canonicalJson(value)).toBe(reference(value));
      }),
      { numRuns: 500 },
    );
  });

  it('sorts keys, drops undefined members, keeps Vietnamese text as it is', () => {
    expect(canonicalJson({ b: 1, a: [{ d: undefined, c: 'Chiềng Lao' }], é: null, Z: true })).toBe('{"Z":true,"a":[{"c":"Chiềng Lao"}],"b":1,"é":null}');
    expect(canonicalJson([undefined, new Date('2023-03-27T00:00:00Z')])).toBe('[null,"2023-03-27T00:00:00.000Z"]');
  });
});

/** The text PostgreSQL's jsonb output gives: keys by length then bytes, a space after `:` and `,`. */
function jsonbLike(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(jsonbLike).join(', ')}]`;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => {
    const la = Buffer.byteLength(a);
    const lb = Buffer.byteLength(b);
    return la !== lb ? la - lb : Buffer.compare(Buffer.from(a), Buffer.from(b));
  });
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}: ${jsonbLike(v)}`).join(', ')}}`;
}

describe('canonicalJsonText', () => {
  const agrees = (text: string) => expect(canonicalJsonText(text)).toBe(canonicalJson(JSON.parse(text)));

  it('is canonicalJson(JSON.parse(text)) for any JSON value, written compactly, as jsonb writes it, or pretty-printed', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        agrees(JSON.stringify(value));
        agrees(jsonbLike(JSON.parse(JSON.stringify(value))));
        agrees(JSON.stringify(value, null, 2));
      }),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(fc.jsonValue({ stringUnit: 'binary' }), (value) => {
        agrees(JSON.stringify(value));
        agrees(jsonbLike(JSON.parse(JSON.stringify(value))));
      }),
      { numRuns: 1000 },
    );
  });

  it('is exact on the texts that take the short way and on those that must not (escapes, control characters, surrogates, numbers)', () => {
    for (const text of [
      '{"b": 1, "a": [{"d": 2, "c": "Chiềng Lao"}], "é": null, "Z": true}',
      '{"ab": 1, "a ": 2, "a": 3, "a!": 4}',
      '{"z": {}, "y": [], "x": [[]], "w": [{}, {"b": 1, "a": 0}]}',
      '{"n": 1.0, "m": 1e3, "l": -0, "k": 1E+2, "j": 12345678901234567890, "i": 1e400, "h": 0.1}',
      '{"q": "a\\"b", "p": "c\\\\d", "o": "line\\nbreak", "u": "\\u00e9", "s": "\\/"}',
      '{"emoji": "😀", "lone": "\\ud800"}',
      '{"\\u0061": 1, "b": 2}',
      '{"__proto__": {"x": 1}, "constructor": 2}',
      '  [1 , 2 ,\n\t3 ]  ',
      '"just a string"',
      '42',
      'null',
    ]) {
      agrees(text);
    }
  });

  it('takes the long way for a repeated key (JSON.parse keeps the last) and throws on what JSON.parse throws on', () => {
    agrees('{"a": 1, "a": 2}');
    agrees('{"b": 1, "a": 2, "b": 3}');
    for (const text of ['{"a": 1,}', '{"a" 1}', '[1 2]', '{"a": tru}', '01', '1.', '"unterminated', '', '{} x', '"tab\there"']) {
      expect(() => JSON.parse(text)).toThrow();
      expect(() => canonicalJsonText(text)).toThrow();
    }
  });
});
