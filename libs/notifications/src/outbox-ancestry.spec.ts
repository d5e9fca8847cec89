import { digestAncestry, outboxAncestry } from './outbox-ancestry';

const chain = { codeSet: 'gso-2004', proposingUnit: '03814', units: ['03814', '120', '14'] };
const unit = (code: string, codeSet = 'gso-2004') => ({ codeSet, code });

describe('outboxAncestry: the admins of a row are those of its unit and above, as the nomination recorded them', () => {
  it('takes the recorded chain from the row\'s unit up', () => {
    expect(outboxAncestry(unit('03814'), chain)).toEqual(['03814', '120', '14']);
    expect(outboxAncestry(unit('120'), chain)).toEqual(['120', '14']);
    expect(outboxAncestry(unit('14'), chain)).toEqual(['14']);
  });

  it('gives a unit off the chain, or of another code set, only itself; an unknown unit nobody', () => {
    expect(outboxAncestry(unit('03820'), chain)).toEqual(['03820']);
    expect(outboxAncestry(unit('03814', 'gso-2025'), chain)).toEqual(['03814']);
    expect(outboxAncestry(null, chain)).toEqual([]);
  });
});

describe('digestAncestry: only admins who see every item see the digest', () => {
  it('keeps the latest item\'s chain where every item shares it', () => {
    const before = { unit: unit('03814'), ancestry: ['03814', '120', '14'] };
    const after = { unit: unit('03814'), ancestry: ['03814', '116', '14'] };
    expect(digestAncestry([before, before])).toEqual(['03814', '120', '14']);
    expect(digestAncestry([before, after])).toEqual(['03814', '14']);
  });

  it('shares nothing across code sets, and is empty without a unit', () => {
    expect(digestAncestry([{ unit: unit('03814', 'gso-2025'), ancestry: ['03814', '14'] }, { unit: unit('03814'), ancestry: ['03814', '120', '14'] }])).toEqual([]);
    expect(digestAncestry([{ unit: null, ancestry: [] }])).toEqual([]);
    expect(digestAncestry([])).toEqual([]);
  });
});
