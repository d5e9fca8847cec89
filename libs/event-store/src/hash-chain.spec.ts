import fc from 'fast-check';
import { canonicalJson } from './hash-chain';

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
