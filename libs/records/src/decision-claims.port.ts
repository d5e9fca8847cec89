/**
 * Which decision each nomination is listed on, and the per-issuing-unit lock under which decisions are
 * taken: two decisions of one unit are never validated and claimed at the same time, in any process.
 *
 * Nominations have a lock of their own, so that a command which could move an approved nomination out
 * of a decision's reach (a withdrawal, a chairman's rejection) never runs while a decision listing it
 * is between reading its state and recording itself: the decision holds the locks of the nominations
 * it lists (`UnitClaims.holdNominations`) from before it reads them, and such a command runs inside
 * `withNominationGuard`, which does not wait for a decision but is refused at once.
 */
export interface DecisionClaims {
  /**
   * Runs `work` holding the lock of the issuing unit (codeSet, unit), released when it settles, with
   * every nomination lock `work` took through `holdNominations`. Waits while another holder, in this
   * process or another, has it.
   */
  withUnitLock<T>(codeSet: string, unit: string, work: (claims: UnitClaims) => Promise<T>): Promise<T>;
  /**
   * Runs `work` holding the nomination's lock, given the decision that claims the nomination (if any).
   * @throws NominationLockBusy, without running `work`, while a decision holds the nomination (or
   *   another guard runs on it).
   */
  withNominationGuard<T>(nominationId: string, work: (claim: ClaimHolder | undefined) => Promise<T>): Promise<T>;
}

/** The revocation that took a decision number (see `UnitClaims.takeRevocationNumber`). */
export interface RevocationNumberHolder {
  readonly decisionId: string;
  readonly revocationId: string;
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
  /**
   * Takes the locks of these nominations until the unit lock is released, waiting for any guard that
   * runs on one of them to finish (guards never wait for anything a decision holds).
   */
  holdNominations(nominationIds: readonly string[]): Promise<void>;
  /**
   * The revocation recorded as holding a decision number: `numberId` is the id an award decision of the
   * unit with that number in that year would have (decisionIdFor), so both kinds share one namespace.
   */
  revocationNumberHolder(numberId: string): Promise<RevocationNumberHolder | undefined>;
  /** Records the revocation `revocationId` of decision `decisionId` as holding the number, taking over any earlier holder. */
  takeRevocationNumber(numberId: string, holder: RevocationNumberHolder): Promise<void>;
}

/** A decision listing the nomination is being taken right now (or another guarded command runs on it). */
export class NominationLockBusy extends Error {
  constructor(readonly nominationId: string) {
    super(`Nomination ${nominationId} is being decided right now`);
    this.name = 'NominationLockBusy';
  }
}

export const DECISION_CLAIMS = Symbol('DECISION_CLAIMS');
