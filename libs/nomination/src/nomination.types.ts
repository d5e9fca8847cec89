import type { CouncilVoteCounts } from './council-vote';
import type { BonusMultiples, DocumentKind, LocalizedText, NomineeKind, Share } from './reference-data/reference-data.types';

export const ROLES = ['proposer', 'officer', 'decider', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** The authenticated caller, as the api builds it from verified token claims. */
export interface Actor {
  readonly id: string;
  readonly name: string;
  /** Code of the administrative unit the caller acts for, in `codeSet`. */
  readonly unit: string;
  readonly codeSet: string;
  readonly roles: readonly Role[];
}

/** Who did something, as recorded inside events (stable even if the staff record changes later). */
export interface ActorRef {
  readonly id: string;
  readonly name: string;
  readonly unit: string;
  readonly roles: readonly Role[];
}

export const GENDERS = ['female', 'male'] as const;
export type Gender = (typeof GENDERS)[number];

export interface IndividualNominee {
  readonly kind: 'individual';
  readonly name: string;
  readonly gender: Gender;
  readonly position?: string;
  readonly email?: string;
  readonly organization?: string;
}

export interface CollectiveNominee {
  readonly kind: 'collective';
  readonly name: string;
  readonly organization?: string;
}

export interface HouseholdNominee {
  readonly kind: 'household';
  /** Usually "Hộ ông/bà …", the head of household. */
  readonly name: string;
  readonly organization?: string;
}

export type Nominee = IndividualNominee | CollectiveNominee | HouseholdNominee;

/** A reference to a dossier document held elsewhere; the system never stores the file. */
export interface DocumentRef {
  readonly kind: DocumentKind;
  readonly title: string;
  /** Lower-case hex SHA-256 of the file, so a later swap of the file is detectable. */
  readonly sha256: string;
  readonly url: string;
}

export const REJECTION_REASON_CODES = ['wrong_subject', 'standard_not_met', 'incomplete_dossier', 'legal_violation', 'other'] as const;
export type RejectionReasonCode = (typeof REJECTION_REASON_CODES)[number];

export const REVOCATION_GROUNDS = ['false_declaration', 'forged_documents', 'unlawful_appraisal', 'later_violation'] as const;
export type RevocationGround = (typeof REVOCATION_GROUNDS)[number];

/**
 * The award's rules as they stood when the nomination was created, copied into its first event: a
 * nomination keeps its rule set for life, and replaying it never needs the catalogue.
 */
export interface NominationRules {
  readonly nomineeKinds: readonly NomineeKind[];
  readonly stageDeadlineWorkingDays: number;
  readonly councilVoteRequired: boolean;
  readonly quorumShare: Share;
  readonly approvalShare: Share;
  readonly maxSupplementRequestsPerStage: number;
  readonly publicDisclosureWorkingDays: number;
  readonly requiredDocuments: readonly DocumentKind[];
  readonly bonusMultiple: BonusMultiples;
}

export interface CouncilVoteInput extends CouncilVoteCounts {
  /** Date of the council session (Vietnam calendar date). */
  readonly sessionDate: string;
  /** Number of the minutes (biên bản), e.g. `05/BB-HĐTĐKT`. */
  readonly minutesNumber: string;
}

export type { DocumentKind, LocalizedText, NomineeKind };
