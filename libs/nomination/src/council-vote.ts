import { type FieldIssue, ValidationFailedError } from './nomination.errors';
import type { Share } from './reference-data/reference-data.types';

export interface CouncilVoteCounts {
  readonly members: number;
  readonly present: number;
  readonly inFavour: number;
  readonly against: number;
}

export interface CouncilVoteThresholds {
  /** Share of members that must be present. */
  readonly quorumShare: Share;
  /** Share of ALL members (not of those present) that must vote in favour. */
  readonly approvalShare: Share;
}

export interface CouncilVoteOutcome {
  readonly quorumRequired: number;
  readonly approvalRequired: number;
  readonly quorumMet: boolean;
  readonly approvalMet: boolean;
  readonly passed: boolean;
}

/** Parses `"2/3"` into an exact share; throws on anything but 0 < n ≤ d. */
export function parseShare(text: string): Share {
  const match = /^(\d+)\/(\d+)$/u.exec(text.trim());
  const numerator = match ? Number(match[1]) : NaN;
  const denominator = match ? Number(match[2]) : NaN;
  if (!match || denominator === 0 || numerator === 0 || numerator > denominator) {
    throw new RangeError(`Not a share n/d with 0 < n ≤ d: ${text}`);
  }
  return { numerator, denominator };
}

/** ceil(share × members) in integers, so 2/3 of 9 is exactly 6. */
export function shareOf(share: Share, members: number): number {
  return Math.floor((share.numerator * members + share.denominator - 1) / share.denominator);
}

export function validateCouncilVoteCounts(counts: CouncilVoteCounts): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const isCount = (value: number): boolean => Number.isSafeInteger(value) && value >= 0;
  for (const field of ['members', 'present', 'inFavour', 'against'] as const) {
    if (!isCount(counts[field])) issues.push({ field, message: 'must be a non-negative integer' });
  }
  if (issues.length > 0) return issues;
  if (counts.members < 1) issues.push({ field: 'members', message: 'a council has at least one member' });
  if (counts.present > counts.members) issues.push({ field: 'present', message: 'cannot exceed members' });
  if (counts.inFavour + counts.against > counts.present) {
    issues.push({ field: 'inFavour', message: 'inFavour + against cannot exceed present' });
  }
  return issues;
}

/**
 * A vote passes when present ≥ ceil(quorumShare × members) and inFavour ≥ ceil(approvalShare × members):
 * the approval share counts all members, so absentees count as not in favour.
 *
 * @throws ValidationFailedError when the counts are impossible
 */
export function evaluateCouncilVote(counts: CouncilVoteCounts, thresholds: CouncilVoteThresholds): CouncilVoteOutcome {
  const issues = validateCouncilVoteCounts(counts);
  if (issues.length > 0) throw new ValidationFailedError('Invalid council vote counts', issues);
  const quorumRequired = shareOf(thresholds.quorumShare, counts.members);
  const approvalRequired = shareOf(thresholds.approvalShare, counts.members);
  const quorumMet = counts.present >= quorumRequired;
  const approvalMet = counts.inFavour >= approvalRequired;
  return { quorumRequired, approvalRequired, quorumMet, approvalMet, passed: quorumMet && approvalMet };
}
