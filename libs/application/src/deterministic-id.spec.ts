import { describe, expect, it } from '@jest/globals';
import { deterministicUuid } from './deterministic-id';

describe('deterministicUuid', () => {
  // Ids already in the log were derived this way: the derivation is persisted contract.
  it('derives the ids it always derived', () => {
    expect(deterministicUuid('nomination', '3f0e6a7c-0000-4000-8000-000000000001')).toBe('71960a64-4c4e-8a79-a4f5-f246f66f98d5');
    expect(deterministicUuid('c', '0')).toBe('830ca531-a045-8280-b510-1d595ec3d6fa');
    expect(deterministicUuid('Nguyễn', '\u0000x')).toBe('f671b724-9286-89dd-a6cc-c4d70b9712eb');
  });
});
