import { evaluateCouncilVote, parseShare, shareOf } from './council-vote';
import { ValidationFailedError } from './nomination.errors';

const twoThirds = parseShare('at least 2/3');
const half = parseShare('at least 1/2');
const majority = parseShare('more than 1/2');
const ninety = parseShare('at least 9/10');

describe('council vote evaluation', () => {
  it('computes thresholds exactly', () => {
    expect(shareOf(twoThirds, 9)).toBe(6);
    expect(shareOf(twoThirds, 10)).toBe(7);
    expect(shareOf(ninety, 10)).toBe(9);
    expect(shareOf(ninety, 9)).toBe(9);
    expect(shareOf(half, 9)).toBe(5);
    expect(shareOf(half, 1)).toBe(1);
  });

  it('passes with quorum and enough votes of ALL members', () => {
    expect(evaluateCouncilVote({ members: 9, present: 6, inFavour: 5, against: 1 }, { quorumShare: twoThirds, approvalShare: half }))
      .toEqual({ quorumRequired: 6, approvalRequired: 5, inFavourTotal: 5, quorumMet: true, approvalMet: true, passed: true });
  });

  it('given a majority threshold, when 5 of 10 vote in favour then it fails, and 6 of 10 passes', () => {
    expect(shareOf(majority, 10)).toBe(6);
    expect(shareOf(majority, 9)).toBe(5);
    expect(evaluateCouncilVote({ members: 10, present: 10, inFavour: 5, against: 5 }, { quorumShare: twoThirds, approvalShare: majority }).passed).toBe(false);
    expect(evaluateCouncilVote({ members: 10, present: 10, inFavour: 6, against: 4 }, { quorumShare: twoThirds, approvalShare: majority }).passed).toBe(true);
    // "at least 1/2" would have let 5 of 10 through: the comparison is what differs.
    expect(evaluateCouncilVote({ members: 10, present: 10, inFavour: 5, against: 5 }, { quorumShare: twoThirds, approvalShare: half }).passed).toBe(true);
  });

  it('given 13 present and 2 written opinions in favour of 15, when at least 90 % is needed, then it passes; written opinions do not make quorum', () => {
    const outcome = evaluateCouncilVote({ members: 15, present: 13, inFavour: 13, against: 0, writtenInFavour: 2, writtenAgainst: 0 }, { quorumShare: twoThirds, approvalShare: ninety });
    expect(outcome).toEqual({ quorumRequired: 10, approvalRequired: 14, inFavourTotal: 15, quorumMet: true, approvalMet: true, passed: true });
    const fewPresent = evaluateCouncilVote({ members: 15, present: 9, inFavour: 9, against: 0, writtenInFavour: 6 }, { quorumShare: twoThirds, approvalShare: ninety });
    expect(fewPresent).toMatchObject({ quorumMet: false, approvalMet: true, passed: false });
  });

  it('fails without quorum even if everyone present agrees', () => {
    expect(evaluateCouncilVote({ members: 9, present: 5, inFavour: 5, against: 0 }, { quorumShare: twoThirds, approvalShare: half }))
      .toMatchObject({ quorumMet: false, approvalMet: true, passed: false });
  });

  it('counts absentees against: 90% of 10 members needs 9 in favour even when 9 are present', () => {
    expect(evaluateCouncilVote({ members: 10, present: 9, inFavour: 9, against: 0 }, { quorumShare: twoThirds, approvalShare: ninety }).passed).toBe(true);
    expect(evaluateCouncilVote({ members: 10, present: 9, inFavour: 8, against: 0 }, { quorumShare: twoThirds, approvalShare: ninety }).passed).toBe(false);
  });

  it.each([
    [{ members: 0, present: 0, inFavour: 0, against: 0 }, 'members'],
    [{ members: 9, present: 10, inFavour: 0, against: 0 }, 'present'],
    [{ members: 9, present: 6, inFavour: 5, against: 2 }, 'inFavour'],
    [{ members: 9, present: -1, inFavour: 0, against: 0 }, 'present'],
    [{ members: 9, present: 6.5, inFavour: 0, against: 0 }, 'present'],
    [{ members: 9, present: 6, inFavour: Number.NaN, against: 0 }, 'inFavour'],
    [{ members: 9, present: 6, inFavour: 6, against: 0, writtenInFavour: 3, writtenAgainst: 1 }, 'writtenInFavour'],
    [{ members: 9, present: 6, inFavour: 6, against: 0, writtenAgainst: -1 }, 'writtenAgainst'],
  ])('rejects impossible counts %j', (counts, field) => {
    try {
      evaluateCouncilVote(counts, { quorumShare: twoThirds, approvalShare: half });
      throw new Error('expected a validation error');
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationFailedError);
      expect((error as ValidationFailedError).errors.map((e) => e.field)).toContain(field);
    }
  });

  it('parses only proper shares', () => {
    expect(parseShare(' 7/10 ')).toEqual({ numerator: 7, denominator: 10, comparison: 'at_least' });
    expect(parseShare('more than 1/2')).toEqual({ numerator: 1, denominator: 2, comparison: 'more_than' });
    for (const bad of ['0/3', '4/3', '1/0', '0.5', 'half']) expect(() => parseShare(bad)).toThrow(RangeError);
  });
});
