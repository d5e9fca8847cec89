import { type FieldIssue, ValidationFailedError } from './nomination.errors';
import type { Share, ShareComparison } from './reference-data/reference-data.types';

export interface CouncilVoteCounts {
  readonly members: number;
  /** Members at the session; only they count toward the quorum. */
  readonly present: number;
  readonly inFavour: number;
  readonly against: number;
  /** Written opinions of absent members (ý kiến bằng văn bản): they count toward the approval share, not the quorum. */
  readonly writtenInFavour?: number;
  readonly writtenAgainst?: number;
}

export interface CouncilVoteThresholds {
  /** Share of members that must be present. */
  readonly quorumShare: Share;
  /** Share of ALL members (not of those present) that must vote in favour, present or in writing. */
  readonly approvalShare: Share;
}

export interface CouncilVoteOutcome {
  readonly quorumRequired: number;
  readonly approvalRequired: number;
  /** Votes in favour counted toward the approval share: present and written. */
  readonly inFavourTotal: number;
  readonly quorumMet: boolean;
  readonly approvalMet: boolean;
  readonly passed: boolean;
}

const COMPARISONS: Readonly<Record<string, ShareComparison>> = { 'at least': 'at_least', 'more than': 'more_than' };

/**
 * Parses a threshold as the data writes it: `"at least 2/3"` (≥) or `"more than 1/2"` (strictly more,
 * which is what "majority" means: 5 of 10 is not a majority). A bare `"2/3"` reads as at least, the
 * meaning recorded in events written before thresholds said which.
 *
 * @throws RangeError unless 0 < n ≤ d
 */
export function parseShare(text: string): Share {
  const match = /^(?:(at least|more than)\s+)?(\d+)\/(\d+)$/u.exec(text.trim());
  const numerator = match ? Number(match[2]) : NaN;
  const denominator = match ? Number(match[3]) : NaN;
  if (!match || denominator === 0 || numerator === 0 || numerator > denominator) {
    throw new RangeError(`Not a share "at least n/d" or "more than n/d" with 0 < n ≤ d: ${text}`);
  }
  return { numerator, denominator, comparison: COMPARISONS[match[1] ?? 'at least']! };
}

/** `at least 2/3`, `more than 1/2`: how a threshold reads to people. */
export function describeShare(share: Share): string {
  return `${share.comparison === 'more_than' ? 'more than' : 'at least'} ${share.numerator}/${share.denominator}`;
}

/**
 * The smallest count that meets the share of `members`, in integers: at least 2/3 of 9 is 6
 * (ceil); more than 1/2 of 10 is 6 (floor + 1), so 5 of 10 is not a majority.
 */
export function shareOf(share: Share, members: number): number {
  if (share.comparison === 'more_than') return Math.floor((share.numerator * members) / share.denominator) + 1;
  return Math.floor((share.numerator * members + share.denominator - 1) / share.denominator);
}

export function validateCouncilVoteCounts(counts: CouncilVoteCounts): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const isCount = (value: number): boolean => Number.isSafeInteger(value) && value >= 0;
  for (const field of ['members', 'present', 'inFavour', 'against'] as const) {
    if (!isCount(counts[field])) issues.push({ field, message: 'must be a non-negative integer' });
  }
  for (const field of ['writtenInFavour', 'writtenAgainst'] as const) {
    if (counts[field] !== undefined && !isCount(counts[field])) issues.push({ field, message: 'must be a non-negative integer' });
  }
  if (issues.length > 0) return issues;
  if (counts.members < 1) issues.push({ field: 'members', message: 'a council has at least one member' });
  if (counts.present > counts.members) issues.push({ field: 'present', message: 'cannot exceed members' });
  if (counts.inFavour + counts.against > counts.present) {
    issues.push({ field: 'inFavour', message: 'inFavour + against cannot exceed present' });
  }
  if ((counts.writtenInFavour ?? 0) + (counts.writtenAgainst ?? 0) > counts.members - counts.present) {
    issues.push({ field: 'writtenInFavour', message: 'written opinions come from absent members: writtenInFavour + writtenAgainst cannot exceed members - present' });
  }
  return issues;
}

/**
 * A vote passes when the members present meet the quorum and the votes in favour, present or written,
 * meet the approval share of ALL members (absentees without a written opinion count as not in favour).
 *
 * @throws ValidationFailedError when the counts are impossible
 */
export function evaluateCouncilVote(counts: CouncilVoteCounts, thresholds: CouncilVoteThresholds): CouncilVoteOutcome {
  const issues = validateCouncilVoteCounts(counts);
  if (issues.length > 0) throw new ValidationFailedError('Invalid council vote counts', issues);
  const quorumRequired = shareOf(thresholds.quorumShare, counts.members);
  const approvalRequired = shareOf(thresholds.approvalShare, counts.members);
  const inFavourTotal = counts.inFavour + (counts.writtenInFavour ?? 0);
  const quorumMet = counts.present >= quorumRequired;
  const approvalMet = inFavourTotal >= approvalRequired;
  return { quorumRequired, approvalRequired, inFavourTotal, quorumMet, approvalMet, passed: quorumMet && approvalMet };
}
