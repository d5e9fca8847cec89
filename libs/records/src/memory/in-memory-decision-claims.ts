import { type ClaimHolder, type DecisionClaims, NominationLockBusy, type RevocationNumberHolder, type UnitClaims } from '../decision-claims.port';

/** One process's claims, with each unit's lock a queue of promises and each nomination's a promise while held. */
export class InMemoryDecisionClaims implements DecisionClaims {
  private readonly claims = new Map<string, string>();
  private readonly revocationNumbers = new Map<string, RevocationNumberHolder>();
  private readonly locks = new Map<string, Promise<void>>();
  private readonly nominationLocks = new Map<string, Promise<void>>();

  async withUnitLock<T>(codeSet: string, unit: string, work: (claims: UnitClaims) => Promise<T>): Promise<T> {
    const key = `${codeSet}\u0000${unit}`;
    const previous = this.locks.get(key) ?? Promise.resolve();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => held);
    this.locks.set(key, tail);
    await previous;
    const releases: (() => void)[] = [];
    try {
      return await work(this.unitClaims(releases));
    } finally {
      for (const free of releases) free();
      release();
      if (this.locks.get(key) === tail) this.locks.delete(key);
    }
  }

  async withNominationGuard<T>(nominationId: string, work: (claim: ClaimHolder | undefined) => Promise<T>): Promise<T> {
    const id = nominationId.toLowerCase();
    if (this.nominationLocks.has(id)) throw new NominationLockBusy(nominationId);
    const free = this.lockNomination(id);
    try {
      const holder = this.claims.get(id);
      return await work(holder === undefined ? undefined : { nominationId, decisionId: holder });
    } finally {
      free();
    }
  }

  private lockNomination(id: string): () => void {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    this.nominationLocks.set(id, held);
    return () => {
      if (this.nominationLocks.get(id) === held) this.nominationLocks.delete(id);
      release();
    };
  }

  private unitClaims(releases: (() => void)[]): UnitClaims {
    return {
      claimedByOthers: async (decisionId: string, nominationIds: readonly string[]): Promise<ClaimHolder[]> =>
        [...new Set(nominationIds)].flatMap((nominationId) => {
          const holder = this.claims.get(nominationId.toLowerCase());
          return holder === undefined || holder === decisionId ? [] : [{ nominationId, decisionId: holder }];
        }),
      claim: async (decisionId: string, nominationIds: readonly string[]): Promise<void> => {
        for (const id of nominationIds) this.claims.set(id.toLowerCase(), decisionId);
      },
      holdNominations: async (nominationIds: readonly string[]): Promise<void> => {
        for (const id of [...new Set(nominationIds.map((n) => n.toLowerCase()))].sort()) {
          for (let current = this.nominationLocks.get(id); current !== undefined; current = this.nominationLocks.get(id)) await current;
          releases.push(this.lockNomination(id));
        }
      },
      revocationNumberHolder: async (numberId: string): Promise<RevocationNumberHolder | undefined> => this.revocationNumbers.get(numberId.toLowerCase()),
      takeRevocationNumber: async (numberId: string, holder: RevocationNumberHolder): Promise<void> => {
        this.revocationNumbers.set(numberId.toLowerCase(), { ...holder });
      },
    };
  }
}
