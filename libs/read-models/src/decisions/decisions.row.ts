import type { ActorRef, Signer } from '@app/nomination';

/** A decision as GET /decisions lists it. */
export interface DecisionRow {
  readonly id: string;
  readonly number: string;
  readonly signedOn: string;
  readonly signer: Signer;
  readonly codeSet: string;
  readonly issuingUnit: string;
  /** Its readers: the issuing unit and the units above it when it was issued (absent on rows stored before it was kept). */
  readonly issuerAncestry?: readonly string[];
  readonly reason: string;
  readonly nominationCount: number;
  /** VND. */
  readonly bonusTotal: number;
  /** Nominations whose award was revoked since. */
  readonly revokedNominationIds: readonly string[];
  readonly issuedAt: string;
  readonly issuedBy: ActorRef;
  readonly position: string;
}

export const DECISIONS_TABLES = { decisions: 'rm_decisions' } as const;
export type DecisionsTables = keyof typeof DECISIONS_TABLES;
