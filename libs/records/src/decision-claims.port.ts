/**
 * Which decision each nomination is listed on, and the per-issuing-unit lock under which decisions are
 * taken: two decisions of one unit are never validated and claimed at the same time, in any process.
 */
export interface DecisionClaims {
  /**
   * Runs `work` holding the lock of the issuing unit (codeSet, unit), released when it settles. Waits
   * while another holder, in this process or another, has it.
   */
  withUnitLock<T>(codeSet: string, unit: string, work: (claims: UnitClaims) => Promise<T>): Promise<T>;
}

export interface ClaimHolder {
  readonly nominationId: string;
  readonly decisionId: string;
}

/** Claims read and written while holding a unit's lock. */
export interface UnitClaims {
  /** The nominations among these that are claimed by a decision other than `decisionId`. */
  claimedByOthers(decisionId: string, nominationIds: readonly string[]): Promise<ClaimHolder[]>;
  /** Claims every nomination for `decisionId`, taking over any earlier claim. */
  claim(decisionId: string, nominationIds: readonly string[]): Promise<void>;
}

export const DECISION_CLAIMS = Symbol('DECISION_CLAIMS');
