import { bonusMultipleFor, computeBonus } from './bonus';
import {
  awardCommandsFor,
  decideDecision,
  type DecisionEvent,
  foldDecision,
  initialDecisionState,
  type IssueDecision,
  revokeCommandsFor,
  validateDecision,
} from './decision';
import { decisionNumberComparisonKey, decisionNumberKey, decisionNumberWarnings, normalizeDecisionNumber } from './decision-number';
import { decide } from './nomination.decide';
import { DomainError } from './nomination.errors';
import { foldNomination, type NominationState } from './nomination.state';
import { baseSalaryOn, withBaseSalaryOverride } from './base-salary';
import { cast, context, createCommand, directory, history, NOW, reference, type Step, steps } from './testing/nomination.fixtures';

const BASE_SALARY_2023 = 1_490_000;
const BASE_SALARY_2024 = 2_340_000;
const TABLE = reference.baseSalaries;

/** A GIAY_KHEN_HUYEN nomination of a collective from a Mường La commune, approved by the district. */
function approvedDistrictAward(id: string, commune: string, kind: 'collective' | 'household' | 'individual' = 'collective'): NominationState {
  // Only the proposing unit's proposers submit (DOMAIN.md, Drafts).
  const proposer = commune === '120' ? cast.proposerMuongLa : { ...cast.proposerChiengLao, id: `proposer-${commune}`, unit: commune };
  const officer = commune === '120' ? cast.officerMuongLa : { ...cast.officerChiengLao, unit: commune };
  const nominee = kind === 'individual' ? { kind, name: 'Lò Văn Pọm', gender: 'male' as const } : { kind, name: `Tập thể ${id}` };
  const path: Step[] = [
    [createCommand({ nominationId: id, awardCode: 'GIAY_KHEN_HUYEN', proposingUnit: commune, nominee }), context(proposer)],
    [{ type: 'SubmitNomination' }, context(proposer)],
  ];
  if (commune !== '120') path.push([{ type: 'ApproveNomination' }, context(officer)]);
  path.push([{ type: 'ApproveNomination' }, context(cast.officerMuongLa)]);
  return foldNomination(history(path));
}

const code = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
  return 'ok';
};

describe('base salary', () => {
  it('given the dated table, when a date is looked up, then the amount in force that day is chosen', () => {
    expect(baseSalaryOn(TABLE, '2023-03-27').amount).toBe(1_490_000);
    expect(baseSalaryOn(TABLE, '2023-06-30').amount).toBe(1_490_000);
    expect(baseSalaryOn(TABLE, '2023-07-01').amount).toBe(1_800_000);
    expect(baseSalaryOn(TABLE, '2024-06-30').amount).toBe(1_800_000);
    expect(baseSalaryOn(TABLE, '2024-07-01').amount).toBe(2_340_000);
    expect(baseSalaryOn(TABLE, '2024-08-15').amount).toBe(2_340_000);
    expect(baseSalaryOn(TABLE, '2019-07-01')).toMatchObject({ amount: 1_490_000, legalBasis: 'Nghị định 38/2019/NĐ-CP' });
    expect(() => baseSalaryOn(TABLE, '2010-01-01')).toThrow('No base salary is known for 2010-01-01');
  });

  it('given an override for a date not yet in the data, then it applies from that date only, and may not rewrite the past', () => {
    const table = withBaseSalaryOverride(TABLE, { from: '2026-07-01', amount: 2_530_000 });
    expect(baseSalaryOn(table, '2026-06-30').amount).toBe(2_340_000);
    expect(baseSalaryOn(table, '2026-07-01').amount).toBe(2_530_000);
    expect(() => withBaseSalaryOverride(TABLE, { from: '2024-07-01', amount: 1 })).toThrow(RangeError);
  });
});

describe('bonus', () => {
  it('is the multiple of the base salary, rounded up to the next 10,000 VND', () => {
    expect(computeBonus(0.6, BASE_SALARY_2023)).toBe(900_000); // 894,000
    expect(computeBonus(0.3, BASE_SALARY_2024)).toBe(710_000); // 702,000
    expect(computeBonus(1.0, BASE_SALARY_2023)).toBe(1_490_000); // exact: not pushed up a step
    expect(computeBonus(8.0, BASE_SALARY_2023)).toBe(11_920_000);
    expect(computeBonus(0.15, BASE_SALARY_2023)).toBe(230_000); // 223,500
    expect(computeBonus(3.0, BASE_SALARY_2024)).toBe(7_020_000);
    expect(computeBonus(0, BASE_SALARY_2024)).toBe(0);
  });

  it('pays households 1.5 × the individual amount unless the data names a household multiple', () => {
    expect(bonusMultipleFor({ individual: 1.0, collective: 2.0 }, 'household')).toBe(1.5);
    expect(computeBonus(bonusMultipleFor({ individual: 0.15 }, 'household')!, BASE_SALARY_2023)).toBe(340_000); // 335,250
    expect(bonusMultipleFor({ household: 0.1 }, 'household')).toBe(0.1);
  });

  it('leaves an open multiple open (null) and refuses nonsense', () => {
    expect(bonusMultipleFor({ individual: null, collective: null }, 'collective')).toBeNull();
    expect(() => computeBonus(1, -1)).toThrow(RangeError);
    expect(() => computeBonus(-1, 1)).toThrow(RangeError);
  });
});

describe('decision numbers', () => {
  it('normalise spacing and Unicode for display, and compare without case or diacritics per unit and year', () => {
    expect(normalizeDecisionNumber(' 125 / QĐ - UBND '.normalize('NFD'))).toBe('125/QĐ-UBND');
    expect(decisionNumberKey('gso-2004', '120', 2023, '125/QĐ-UBND')).toBe(decisionNumberKey('gso-2004', '120', 2023, '125/qd-ubnd '));
    expect(decisionNumberKey('gso-2004', '120', 2023, '125/QĐ-UBND')).not.toBe(decisionNumberKey('gso-2004', '14', 2023, '125/QĐ-UBND'));
  });

  it('given 01/QĐ-UBND from one unit in 2024, when it is used again in 2025, then the keys differ; twice in 2024 they collide', () => {
    expect(decisionNumberKey('gso-2004', '120', 2024, '01/QĐ-UBND')).not.toBe(decisionNumberKey('gso-2004', '120', 2025, '01/QĐ-UBND'));
    expect(decisionNumberKey('gso-2004', '120', 2024, '01/QĐ-UBND')).toBe(decisionNumberKey('gso-2004', '120', 2024, '1/QĐ-UBND'));
  });

  it('given look-alike spellings (zero-width space, word joiner, Ð for Đ, full-width digits, Cyrillic letters), then they share one key', () => {
    const key = decisionNumberComparisonKey('125/QĐ-UBND');
    for (const lookAlike of ['125/Q\u200BĐ-UBND', '125\u2060/QĐ-UBND', '125/QÐ-UBND', '１２５/QĐ-UBND', '125/QĐ‐UBND', '125/QĐ-UВND', '125∕QĐ-UBND', '\u202E125/QĐ-UBND']) {
      expect(decisionNumberComparisonKey(lookAlike)).toBe(key);
    }
    expect(decisionNumberComparisonKey('126/QĐ-UBND')).not.toBe(key);
    expect(decisionNumberComparisonKey('125/QĐ-UBNDX')).not.toBe(key);
  });

  it('warns, without refusing, on a number that does not look like n/QĐ-…', () => {
    expect(decisionNumberWarnings('125/QĐ-UBND')).toEqual([]);
    expect(decisionNumberWarnings('05/QĐ-UBND-TĐKT')).toEqual([]);
    expect(decisionNumberWarnings('QĐ khen thưởng số 5')).toEqual([expect.objectContaining({ code: 'decision_number_format' })]);
    expect(decisionNumberWarnings('125/QD-UBND')).toHaveLength(1);
  });
});

describe('validateDecision', () => {
  const ctx = { actor: cast.deciderMuongLa, signedOn: '2023-03-24', baseSalaries: TABLE, directory };
  const line = (id: string, nomineeKind: 'collective' | 'household' | 'individual', name: string, bonusMultiple: number, bonusAmount: number) => ({
    nominationId: id, awardCode: 'GIAY_KHEN_HUYEN', nomineeKind, nomineeName: name, bonusMultiple, baseSalary: BASE_SALARY_2023, bonusAmount,
  });

  it('accepts approved nominations decided at the caller’s unit and prices each line', () => {
    const states = new Map<string, NominationState>([
      ['a', approvedDistrictAward('a', '03814')],
      ['b', approvedDistrictAward('b', '03850', 'household')],
      ['c', approvedDistrictAward('c', '120', 'individual')],
    ]);
    expect(validateDecision(states, ['a', 'b', 'c'], ctx)).toEqual({
      ok: true,
      baseSalary: BASE_SALARY_2023,
      nominations: [
        line('a', 'collective', 'Tập thể a', 0.6, 900_000), // 894,000
        line('b', 'household', 'Tập thể b', 0.45, 680_000), // 670,500
        line('c', 'individual', 'Lò Văn Pọm', 0.3, 450_000), // 447,000
      ],
    });
  });

  it('given a decision signed in March 2023, then it pays at 1,490,000; signed in August 2024, at 2,340,000', () => {
    const states = new Map<string, NominationState>([['a', approvedDistrictAward('a', '03814')]]);
    expect(validateDecision(states, ['a'], { ...ctx, signedOn: '2023-03-24' })).toMatchObject({ ok: true, baseSalary: 1_490_000, nominations: [{ baseSalary: 1_490_000, bonusAmount: 900_000 }] });
    expect(validateDecision(states, ['a'], { ...ctx, signedOn: '2023-07-01' })).toMatchObject({ ok: true, nominations: [{ baseSalary: 1_800_000, bonusAmount: 1_080_000 }] });
    expect(validateDecision(states, ['a'], { ...ctx, signedOn: '2024-08-15' })).toMatchObject({ ok: true, nominations: [{ baseSalary: 2_340_000, bonusAmount: 1_410_000 }] }); // 1,404,000
    expect(code(() => validateDecision(states, ['a'], { ...ctx, signedOn: '2010-01-01' }))).toBe('validation_failed');
    expect(code(() => validateDecision(states, ['a'], { ...ctx, signedOn: 'soon' }))).toBe('validation_failed');
  });

  it('returns every offending id with its reason', () => {
    const provincial = foldNomination(history(steps.approved()));
    const inReview = foldNomination(history(steps.inReviewAtDistrict()));
    const ownSubmission = approvedDistrictAward('own', '03814');
    const states = new Map<string, NominationState>([
      ['ok', approvedDistrictAward('ok', '03814')],
      ['provincial', provincial],
      ['in-review', { ...inReview, route: inReview.status === 'none' ? [] : inReview.route.slice(0, 2), decidingStageIndex: 1 } as NominationState],
      ['own', ownSubmission],
    ]);
    const chairmanWhoProposed = { ...cast.deciderMuongLa, id: 'proposer-03814' };
    expect(validateDecision(states, ['ok', 'provincial', 'in-review', 'missing'], ctx)).toEqual({
      ok: false,
      offending: [
        { nominationId: 'provincial', reason: 'not_at_your_unit' }, // visible to the district (its route passes it), decided above
        { nominationId: 'in-review', reason: 'not_approved' },
        { nominationId: 'missing', reason: 'not_found' },
      ],
    });
    expect(validateDecision(states, ['own'], { ...ctx, actor: chairmanWhoProposed })).toEqual({ ok: false, offending: [{ nominationId: 'own', reason: 'separation_of_duties' }] });
  });

  it('given a foreign nomination that exists and one that does not, then both answer not_found (no existence oracle)', () => {
    const foreign = approvedDistrictAward('foreign', '03814');
    const states = new Map<string, NominationState>([['foreign', foreign]]);
    const outsider = { ...cast.deciderMuongLa, id: 'decider-116', unit: '116' };
    expect(validateDecision(states, ['foreign', 'ghost'], { ...ctx, actor: outsider })).toEqual({
      ok: false, offending: [{ nominationId: 'foreign', reason: 'not_found' }, { nominationId: 'ghost', reason: 'not_found' }],
    });
  });

  it('pays vn-2025 Bằng khen tỉnh 2.0 × to a collective, and refuses an open multiple rather than paying 0', () => {
    const c = (who: typeof cast.proposerChiengLao2025) => context(who, { now: new Date('2025-09-03T02:00:00Z') });
    const state = foldNomination(history([
      [createCommand({ year: 2025 }), c(cast.proposerChiengLao2025)],
      [{ type: 'SubmitNomination' }, c(cast.proposerChiengLao2025)],
      [{ type: 'ApproveNomination' }, c(cast.officerChiengLao2025)],
      [{ type: 'ApproveNomination' }, c(cast.officerSonLa2025)],
    ]));
    const states = new Map([['x', state]]);
    const base = { actor: cast.deciderSonLa2025, signedOn: '2025-09-03', baseSalaries: TABLE, directory };
    expect(validateDecision(states, ['x'], base)).toMatchObject({ ok: true, nominations: [{ bonusMultiple: 2.0, baseSalary: BASE_SALARY_2024, bonusAmount: 4_680_000 }] });
    const open = new Map([['x', { ...state, rules: { ...(state as { rules: object }).rules, bonusMultiple: { individual: null, collective: null } } } as NominationState]]);
    expect(validateDecision(open, ['x'], base)).toEqual({ ok: false, offending: [{ nominationId: 'x', reason: 'bonus_not_configured' }] });
    expect(validateDecision(open, ['x'], { ...base, configuredMultiple: () => 1.5 })).toMatchObject({ ok: true, nominations: [{ bonusAmount: 3_510_000 }] });
  });

  it('is for deciders, with a non-empty list without duplicates', () => {
    expect(code(() => validateDecision(new Map(), ['a'], { ...ctx, actor: cast.officerMuongLa }))).toBe('forbidden');
    expect(code(() => validateDecision(new Map(), [], ctx))).toBe('validation_failed');
    expect(code(() => validateDecision(new Map(), ['a', 'a'], ctx))).toBe('validation_failed');
  });
});

describe('decision stream', () => {
  const dctx = { now: NOW, actor: cast.deciderMuongLa };
  const lines = ['n1', 'n2', 'n3'].map((id) => ({
    nominationId: id, awardCode: 'GIAY_KHEN_HUYEN', nomineeKind: 'collective' as const, nomineeName: id, bonusMultiple: 0.6, baseSalary: BASE_SALARY_2023, bonusAmount: 900_000,
  }));
  const issue: IssueDecision = {
    type: 'IssueDecision', decisionId: 'dec-120-1', number: ' 125 / QĐ-UBND ', signedOn: '2023-03-20',
    signer: { name: 'Nguyễn Văn Chủ', title: 'Chủ tịch UBND huyện' }, reason: 'Đã có thành tích xuất sắc trong phong trào thi đua năm 2022', nominations: lines,
    issuerAncestry: ['120', '14'],
  };
  const issued: DecisionEvent[] = decideDecision(initialDecisionState, issue, dctx);

  it('issues a decision at the caller’s unit with a normalised number', () => {
    expect(issued).toEqual([{
      type: 'DecisionIssued',
      data: {
        schemaVersion: 2, at: NOW.toISOString(), by: { id: 'decider-120', name: 'Cán bộ decider-120', unit: '120', roles: ['decider'] },
        decisionId: 'dec-120-1', number: '125/QĐ-UBND', signedOn: '2023-03-20', signer: issue.signer, codeSet: 'gso-2004', issuingUnit: '120',
        issuerAncestry: ['120', '14'],
        reason: issue.reason, baseSalary: BASE_SALARY_2023, nominations: lines,
      },
    }]);
    expect(code(() => decideDecision(foldDecision(issued), issue, dctx))).toBe('invalid_transition');
    expect(code(() => decideDecision(initialDecisionState, { ...issue, nominations: [] }, dctx))).toBe('validation_failed');
    expect(code(() => decideDecision(initialDecisionState, { ...issue, signedOn: '2023-03-21' }, dctx))).toBe('validation_failed');
    expect(code(() => decideDecision(initialDecisionState, issue, { ...dctx, actor: cast.officerMuongLa }))).toBe('forbidden');
  });

  it('drives one AwardNomination per line, which the nominations accept', () => {
    const commands = awardCommandsFor(issued[0]!.data as Extract<DecisionEvent, { type: 'DecisionIssued' }>['data']);
    expect(commands.map((c) => c.nominationId)).toEqual(['n1', 'n2', 'n3']);
    const state = approvedDistrictAward('n1', '03814');
    const [event] = decide(state, commands[0]!.command, context(cast.deciderMuongLa));
    expect(event).toMatchObject({ type: 'NominationAwarded', data: { decisionId: 'dec-120-1', decisionNumber: '125/QĐ-UBND', issuingUnit: '120', bonusAmount: 900_000, baseSalary: BASE_SALARY_2023 } });
  });

  it('revokes part of a decision, then the rest, never twice', () => {
    const revoke = {
      type: 'RevokeDecision', revocationId: 'rev-1', nominationIds: ['n2'], ground: 'forged_documents', reason: 'Giả mạo hồ sơ', number: '210/QĐ-UBND', signedOn: '2023-03-20',
    } as const;
    const [revoked] = decideDecision(foldDecision(issued), revoke, dctx);
    expect(revoked).toMatchObject({
      type: 'DecisionRevoked',
      data: {
        nominationIds: ['n2'], bonusToRecover: 900_000, number: '210/QĐ-UBND', signedOn: '2023-03-20', revokingUnit: { codeSet: 'gso-2004', unit: '120' },
        recovery: [{ nominationId: 'n2', bonusAmount: 900_000, items: ['certificate'] }],
      },
    });
    const state = foldDecision([...issued, revoked!]);
    expect(state.status === 'issued' && Object.keys(state.revoked)).toEqual(['n2']);
    expect(revokeCommandsFor('dec-120-1', revoked!.data as Extract<DecisionEvent, { type: 'DecisionRevoked' }>['data'])).toEqual([
      {
        nominationId: 'n2',
        command: {
          type: 'RevokeAward', revocationId: 'rev-1', decisionId: 'dec-120-1', ground: 'forged_documents', reason: 'Giả mạo hồ sơ',
          number: '210/QĐ-UBND', signedOn: '2023-03-20', revokingUnit: { codeSet: 'gso-2004', unit: '120' },
        },
      },
    ]);
    expect(code(() => decideDecision(state, revoke, dctx))).toBe('invalid_transition');
    expect(code(() => decideDecision(state, { ...revoke, nominationIds: ['n9'] }, dctx))).toBe('validation_failed');
    expect(code(() => decideDecision(state, { ...revoke, ground: 'whim' as never }, dctx))).toBe('validation_failed');
    expect(code(() => decideDecision(state, revoke, { ...dctx, actor: cast.deciderSonLa }))).toBe('forbidden');
    expect(code(() => decideDecision(initialDecisionState, revoke, dctx))).toBe('not_found');
    expect(code(() => decideDecision(state, { ...revoke, revocationId: 'rev-2', nominationIds: ['n1', 'n3'] }, dctx))).toBe('ok');
  });

  it('given a revocation without its own number or signing date, or signed before the decision, then it is refused', () => {
    const revoke = {
      type: 'RevokeDecision', revocationId: 'rev-1', nominationIds: ['n1'], ground: 'later_violation', reason: 'Vi phạm', number: '210/QĐ-UBND', signedOn: '2023-03-20',
    } as const;
    const state = foldDecision(issued);
    expect(code(() => decideDecision(state, { ...revoke, number: undefined as never }, dctx))).toBe('validation_failed');
    expect(code(() => decideDecision(state, { ...revoke, number: '  ' }, dctx))).toBe('validation_failed');
    expect(code(() => decideDecision(state, { ...revoke, signedOn: undefined as never }, dctx))).toBe('validation_failed');
    expect(code(() => decideDecision(state, { ...revoke, signedOn: '2023-03-19' }, dctx))).toBe('validation_failed');
  });

  it('given a decision of a unit abolished in 2025, when revoked, then only the successor named by the application layer may', () => {
    const revoke = {
      type: 'RevokeDecision', revocationId: 'rev-1', nominationIds: ['n1'], ground: 'later_violation', reason: 'Vi phạm', number: '15/QĐ-UBND', signedOn: '2025-09-01',
    } as const;
    const later = { now: new Date('2025-09-03T02:00:00Z'), revokingUnit: { codeSet: 'gso-2025', unit: '14' } };
    const [event] = decideDecision(foldDecision(issued), revoke, { ...later, actor: cast.deciderSonLa2025 });
    expect(event).toMatchObject({ data: { revokingUnit: { codeSet: 'gso-2025', unit: '14' } } });
    expect(code(() => decideDecision(foldDecision(issued), revoke, { ...later, actor: cast.deciderMuongLa }))).toBe('forbidden');
  });
});
