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
import { decisionNumberKey, normalizeDecisionNumber } from './decision-number';
import { decide } from './nomination.decide';
import { DomainError } from './nomination.errors';
import { foldNomination, type NominationState } from './nomination.state';
import { cast, context, createCommand, history, NOW, type Step, steps } from './testing/nomination.fixtures';

const BASE_SALARY_2023 = 1_490_000;
const BASE_SALARY_2024 = 2_340_000;

/** A GIAY_KHEN_HUYEN nomination of a collective from a Mường La commune, approved by the district. */
function approvedDistrictAward(id: string, commune: string, kind: 'collective' | 'household' | 'individual' = 'collective'): NominationState {
  const proposer = { ...cast.proposerMuongLa };
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

describe('bonus', () => {
  it('is the multiple of the base salary, rounded up to the thousand', () => {
    expect(computeBonus(0.3, BASE_SALARY_2024)).toBe(702_000);
    expect(computeBonus(0.15, BASE_SALARY_2023)).toBe(224_000); // 223,500 rounded up
    expect(computeBonus(3.0, BASE_SALARY_2024)).toBe(7_020_000);
  });

  it('pays households 1.5 × the individual amount', () => {
    expect(bonusMultipleFor({ individual: 1.0, collective: 2.0 }, 'household')).toBe(1.5);
    expect(computeBonus(bonusMultipleFor({ individual: 0.15 }, 'household'), BASE_SALARY_2023)).toBe(336_000); // 335,250 up
  });

  it('pays nothing or the configured multiple when the catalogue leaves it open', () => {
    expect(bonusMultipleFor({ individual: null, collective: null }, 'collective')).toBeNull();
    expect(computeBonus(null, BASE_SALARY_2024)).toBe(0);
    expect(computeBonus(null, BASE_SALARY_2024, 1.0)).toBe(2_340_000);
    expect(() => computeBonus(1, -1)).toThrow(RangeError);
  });
});

describe('decision numbers', () => {
  it('normalise spacing and Unicode, and compare without case or diacritics per unit', () => {
    expect(normalizeDecisionNumber(' 125 / QĐ - UBND '.normalize('NFD'))).toBe('125/QĐ-UBND');
    expect(decisionNumberKey('gso-2004', '120', '125/QĐ-UBND')).toBe(decisionNumberKey('gso-2004', '120', '125/qd-ubnd '));
    expect(decisionNumberKey('gso-2004', '120', '125/QĐ-UBND')).not.toBe(decisionNumberKey('gso-2004', '14', '125/QĐ-UBND'));
  });
});

describe('validateDecision', () => {
  const ctx = { actor: cast.deciderMuongLa, baseSalary: BASE_SALARY_2023 };

  it('accepts approved nominations decided at the caller’s unit and prices each line', () => {
    const states = new Map<string, NominationState>([
      ['a', approvedDistrictAward('a', '03814')],
      ['b', approvedDistrictAward('b', '03850', 'household')],
      ['c', approvedDistrictAward('c', '120', 'individual')],
    ]);
    expect(validateDecision(states, ['a', 'b', 'c'], ctx)).toEqual({
      ok: true,
      nominations: [
        { nominationId: 'a', awardCode: 'GIAY_KHEN_HUYEN', nomineeKind: 'collective', nomineeName: 'Tập thể a', bonusAmount: 894_000 },
        { nominationId: 'b', awardCode: 'GIAY_KHEN_HUYEN', nomineeKind: 'household', nomineeName: 'Tập thể b', bonusAmount: 671_000 },
        { nominationId: 'c', awardCode: 'GIAY_KHEN_HUYEN', nomineeKind: 'individual', nomineeName: 'Lò Văn Pọm', bonusAmount: 447_000 },
      ],
    });
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
    const chairmanWhoProposed = { ...cast.deciderMuongLa, id: cast.proposerMuongLa.id };
    expect(validateDecision(states, ['ok', 'provincial', 'in-review', 'missing'], ctx)).toEqual({
      ok: false,
      offending: [
        { nominationId: 'provincial', reason: 'not_at_your_unit' },
        { nominationId: 'in-review', reason: 'not_approved' },
        { nominationId: 'missing', reason: 'not_found' },
      ],
    });
    expect(validateDecision(states, ['own'], { ...ctx, actor: chairmanWhoProposed })).toEqual({ ok: false, offending: [{ nominationId: 'own', reason: 'separation_of_duties' }] });
  });

  it('uses the configured multiple where the catalogue has none (vn-2025 Bằng khen tỉnh)', () => {
    const c = (who: typeof cast.proposerChiengLao2025) => context(who, { now: new Date('2025-09-03T02:00:00Z') });
    const state = foldNomination(history([
      [createCommand({ year: 2025 }), c(cast.proposerChiengLao2025)],
      [{ type: 'SubmitNomination' }, c(cast.proposerChiengLao2025)],
      [{ type: 'ApproveNomination' }, c(cast.officerChiengLao2025)],
      [{ type: 'ApproveNomination' }, c(cast.officerSonLa2025)],
    ]));
    const states = new Map([['x', state]]);
    const base = { actor: cast.deciderSonLa2025, baseSalary: BASE_SALARY_2024 };
    expect(validateDecision(states, ['x'], base)).toMatchObject({ ok: true, nominations: [{ bonusAmount: 0 }] });
    expect(validateDecision(states, ['x'], { ...base, configuredMultiple: () => 2.0 })).toMatchObject({ ok: true, nominations: [{ bonusAmount: 4_680_000 }] });
  });

  it('is for deciders, with a non-empty list without duplicates', () => {
    expect(code(() => validateDecision(new Map(), ['a'], { ...ctx, actor: cast.officerMuongLa }))).toBe('forbidden');
    expect(code(() => validateDecision(new Map(), [], ctx))).toBe('validation_failed');
    expect(code(() => validateDecision(new Map(), ['a', 'a'], ctx))).toBe('validation_failed');
  });
});

describe('decision stream', () => {
  const dctx = { now: NOW, actor: cast.deciderMuongLa };
  const lines = ['n1', 'n2', 'n3'].map((id) => ({ nominationId: id, awardCode: 'GIAY_KHEN_HUYEN', nomineeKind: 'collective' as const, nomineeName: id, bonusAmount: 894_000 }));
  const issue: IssueDecision = {
    type: 'IssueDecision', decisionId: 'dec-120-1', number: ' 125 / QĐ-UBND ', signedOn: '2023-03-20',
    signer: { name: 'Nguyễn Văn Chủ', title: 'Chủ tịch UBND huyện' }, reason: 'Đã có thành tích xuất sắc trong phong trào thi đua năm 2022', nominations: lines,
  };
  const issued: DecisionEvent[] = decideDecision(initialDecisionState, issue, dctx);

  it('issues a decision at the caller’s unit with a normalised number', () => {
    expect(issued).toEqual([{
      type: 'DecisionIssued',
      data: {
        schemaVersion: 1, at: NOW.toISOString(), by: { id: 'decider-120', name: 'Cán bộ decider-120', unit: '120', roles: ['decider'] },
        decisionId: 'dec-120-1', number: '125/QĐ-UBND', signedOn: '2023-03-20', signer: issue.signer, codeSet: 'gso-2004', issuingUnit: '120',
        reason: issue.reason, nominations: lines,
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
    expect(event).toMatchObject({ type: 'NominationAwarded', data: { decisionId: 'dec-120-1', decisionNumber: '125/QĐ-UBND', issuingUnit: '120', bonusAmount: 894_000 } });
  });

  it('revokes part of a decision, then the rest, never twice', () => {
    const revoke = { type: 'RevokeDecision', revocationId: 'rev-1', nominationIds: ['n2'], ground: 'forged_documents', reason: 'Giả mạo hồ sơ' } as const;
    const [revoked] = decideDecision(foldDecision(issued), revoke, dctx);
    expect(revoked).toMatchObject({ type: 'DecisionRevoked', data: { nominationIds: ['n2'], bonusToRecover: 894_000, number: null, signedOn: null } });
    const state = foldDecision([...issued, revoked!]);
    expect(state.status === 'issued' && Object.keys(state.revoked)).toEqual(['n2']);
    expect(revokeCommandsFor('dec-120-1', revoked!.data as Extract<DecisionEvent, { type: 'DecisionRevoked' }>['data'])).toEqual([
      { nominationId: 'n2', command: { type: 'RevokeAward', revocationId: 'rev-1', decisionId: 'dec-120-1', ground: 'forged_documents', reason: 'Giả mạo hồ sơ' } },
    ]);
    expect(code(() => decideDecision(state, revoke, dctx))).toBe('invalid_transition');
    expect(code(() => decideDecision(state, { ...revoke, nominationIds: ['n9'] }, dctx))).toBe('validation_failed');
    expect(code(() => decideDecision(state, { ...revoke, ground: 'whim' as never }, dctx))).toBe('validation_failed');
    expect(code(() => decideDecision(state, revoke, { ...dctx, actor: cast.deciderSonLa }))).toBe('forbidden');
    expect(code(() => decideDecision(initialDecisionState, revoke, dctx))).toBe('not_found');
    expect(code(() => decideDecision(state, { ...revoke, revocationId: 'rev-2', nominationIds: ['n1', 'n3'] }, dctx))).toBe('ok');
  });
});
