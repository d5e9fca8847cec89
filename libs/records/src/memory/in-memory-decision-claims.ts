import type { ClaimHolder, DecisionClaims, UnitClaims } from '../decision-claims.port';

/** One process's claims, with each unit's lock a queue of promises. */
export class InMemoryDecisionClaims implements DecisionClaims {
  private readonly claims = new Map<string, string>();
  private readonly locks = new Map<string, Promise<void>>();

  async withUnitLock<T>(codeSet: string, unit: string, work: (claims: UnitClaims) => Promise<T>): Promise<T> {
    const key = `${codeSet}\u0000${unit}`;
    const previous = this.locks.get(key) ?? Promise.resolve();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => held);
    this.locks.set(key, tail);
    await previous;
    try {
      return await work(this.unitClaims);
    } finally {
      release();
      if (this.locks.get(key) === tail) this.locks.delete(key);
    }
  }

  private readonly unitClaims: UnitClaims = {
    claimedByOthers: async (decisionId: string, nominationIds: readonly string[]): Promise<ClaimHolder[]> =>
      [...new Set(nominationIds)].flatMap((nominationId) => {
        const holder = this.claims.get(nominationId);
        return holder === undefined || holder === decisionId ? [] : [{ nominationId, decisionId: holder }];
      }),
    claim: async (decisionId: string, nominationIds: readonly string[]): Promise<void> => {
      for (const id of nominationIds) this.claims.set(id, decisionId);
    },
  };
}
