import fc from 'fast-check';
import { actingUnit } from './nomination.access';
import type { NominationCommand } from './nomination.commands';
import { decide } from './nomination.decide';
import { DomainError } from './nomination.errors';
import { toNominationEvent } from './nomination.codec';
import type { NominationEvent } from './nomination.events';
import { evolve, foldNomination, initialNominationState, type NominationState, type NominationStatus } from './nomination.state';
import type { Actor, Nominee, Role } from './nomination.types';
import { cast, context, directory, fullDossier, reference } from './testing/nomination.fixtures';

/**
 * Random command sequences from random actors. Half of the actors are "fitted" at run time to the
 * unit where the nomination waits, so sequences get deep (to awarded and revoked) instead of dying
 * at the first forbidden step; the other half come from a fixed cast anywhere in the hierarchy.
 */

const ROLE_NEEDED: Record<NominationCommand['type'], Role[]> = {
  CreateNomination: ['proposer'], UpdateNomination: ['proposer'], SubmitNomination: ['proposer'], WithdrawNomination: ['proposer'],
  ReturnNomination: ['officer'], RecordCouncilVote: ['officer'], ApproveNomination: ['officer'],
  RejectNomination: ['officer', 'decider'], AwardNomination: ['decider'], RevokeAward: ['decider'],
};

/** Which statuses each command may leave from and arrive at (the state machine of DOMAIN.md). */
const TRANSITIONS: Record<NominationCommand['type'], { from: (NominationStatus | 'none')[]; to: NominationStatus[] }> = {
  CreateNomination: { from: ['none'], to: ['draft'] },
  UpdateNomination: { from: ['draft', 'returned'], to: ['draft', 'returned'] },
  SubmitNomination: { from: ['draft', 'returned'], to: ['in_review'] },
  ReturnNomination: { from: ['in_review'], to: ['returned'] },
  RecordCouncilVote: { from: ['in_review'], to: ['in_review'] },
  ApproveNomination: { from: ['in_review'], to: ['in_review', 'approved'] },
  RejectNomination: { from: ['in_review', 'approved'], to: ['not_awarded'] },
  WithdrawNomination: { from: ['draft', 'in_review', 'returned', 'approved'], to: ['withdrawn'] },
  AwardNomination: { from: ['approved'], to: ['awarded'] },
  RevokeAward: { from: ['awarded'], to: ['revoked'] },
};

const UNITS_2004 = reference.units.filter((u) => u.codeSet === 'gso-2004').map((u) => u.code);
const UNITS_2025 = reference.units.filter((u) => u.codeSet === 'gso-2025').map((u) => u.code);
const AWARDS = ['LAO_DONG_TIEN_TIEN', 'CHIEN_SI_THI_DUA_CO_SO', 'GIAY_KHEN_XA', 'GIAY_KHEN_HUYEN', 'CO_THI_DUA_TINH', 'BANG_KHEN_TINH'];
const CAST: Actor[] = Object.values(cast);
/** Stands for "the nomination's deciding unit", filled in at run time. */
const FIT = '*';

const nomineeArb = fc.constantFrom(
  { kind: 'individual', name: 'Lò Văn Pọm', gender: 'male' } as const,
  { kind: 'collective', name: 'Trường Mầm non Hoa Ban' } as const,
  { kind: 'household', name: 'Hộ ông Quàng Văn Ún' } as const,
);

const w = (weight: number, arbitrary: fc.Arbitrary<NominationCommand>) => ({ weight, arbitrary });

/** Weighted towards the commands that move a nomination forward, so walks reach the final states. */
const commandArb: fc.Arbitrary<NominationCommand> = fc.oneof(
  w(2, fc.record({
    type: fc.constant('CreateNomination' as const), nominationId: fc.constant('nom'), awardCode: fc.constantFrom(...AWARDS),
    year: fc.constant(2022), proposingUnit: fc.constantFrom(...UNITS_2004, ...UNITS_2025), nominee: nomineeArb,
    achievements: fc.constantFrom('Hoàn thành xuất sắc nhiệm vụ', ''), documents: fc.constantFrom(fullDossier, fullDossier.slice(0, 2)),
  })),
  w(1, fc.record({ type: fc.constant('UpdateNomination' as const), documents: fc.constantFrom(fullDossier, fullDossier.slice(0, 2)) })),
  w(3, fc.constant({ type: 'SubmitNomination' as const })),
  w(3, fc.record({ type: fc.constant('ReturnNomination' as const), reason: fc.constantFrom('Thiếu biên bản', 'Bổ sung', ''), missing: fc.constant(['council_minutes']) })),
  w(2, fc.record({
    type: fc.constant('RecordCouncilVote' as const), sessionDate: fc.constant('2023-03-01'), minutesNumber: fc.constant('01/BB'),
    members: fc.integer({ min: 0, max: 9 }), present: fc.integer({ min: 0, max: 9 }), inFavour: fc.integer({ min: 0, max: 9 }), against: fc.integer({ min: 0, max: 2 }),
  })),
  w(5, fc.record({ type: fc.constant('ApproveNomination' as const), comment: fc.constantFrom(undefined, 'Đồng ý') })),
  w(1, fc.record({ type: fc.constant('RejectNomination' as const), reasonCode: fc.constantFrom('standard_not_met', 'other'), reason: fc.constant('Chưa đạt') })),
  w(1, fc.record({ type: fc.constant('WithdrawNomination' as const), reason: fc.constant('Rút hồ sơ') })),
  w(3, fc.record({
    type: fc.constant('AwardNomination' as const), decisionId: fc.constant('dec-1'), decisionNumber: fc.constant('1/QĐ-UBND'), signedOn: fc.constant('2023-03-01'),
    issuingUnit: fc.constantFrom('14', '120', FIT, FIT), bonusAmount: fc.constant(1_000_000), baseSalary: fc.constant(1_490_000),
  })),
  w(2, fc.record({
    type: fc.constant('RevokeAward' as const), revocationId: fc.constant('rev-1'), decisionId: fc.constantFrom('dec-1', 'dec-9'),
    ground: fc.constant('later_violation' as const), reason: fc.constant('Vi phạm'), number: fc.constant('9/QĐ-UBND'), signedOn: fc.constant('2023-03-01'),
    revokingUnit: fc.constant({ codeSet: 'gso-2004', unit: '14' }),
  })),
);

/** A first create that usually succeeds, so walks start from a nomination rather than wait for one. */
const OPENINGS: readonly (readonly [string, Nominee])[] = [
  ['LAO_DONG_TIEN_TIEN', { kind: 'individual', name: 'Lò Văn Pọm', gender: 'male' }],
  ['CHIEN_SI_THI_DUA_CO_SO', { kind: 'individual', name: 'Lò Thị Xuân', gender: 'female' }],
  ['GIAY_KHEN_XA', { kind: 'household', name: 'Hộ ông Quàng Văn Ún' }],
  ['GIAY_KHEN_HUYEN', { kind: 'collective', name: 'Trường Mầm non Hoa Ban' }],
  ['CO_THI_DUA_TINH', { kind: 'collective', name: 'Trường Mầm non Hoa Ban' }],
  ['BANG_KHEN_TINH', { kind: 'collective', name: 'Trường Mầm non Hoa Ban' }],
];
const openingArb = fc.tuple(fc.constantFrom(...OPENINGS), fc.constantFrom(...UNITS_2004, ...UNITS_2025))
  .map(([[awardCode, nominee], proposingUnit]): [NominationCommand, ActorPick] => [
    { type: 'CreateNomination', nominationId: 'nom', awardCode, year: 2022, proposingUnit, nominee, achievements: 'Hoàn thành xuất sắc nhiệm vụ', documents: fullDossier },
    { id: 'u1', alsoProposer: false, above: false },
  ]);

/** Either an actor of the fixed cast, or one fitted at run time to where the nomination waits. */
const actorPickArb = fc.oneof(
  { weight: 1, arbitrary: fc.integer({ min: 0, max: CAST.length - 1 }).map((index) => ({ castIndex: index }) as const) },
  { weight: 2, arbitrary: fc.record({ id: fc.constantFrom('u1', 'u2', 'u3', 'x1', 'x2'), alsoProposer: fc.boolean(), above: fc.constantFrom(false, false, false, true) }) },
);

type ActorPick = { castIndex: number } | { id: string; alsoProposer: boolean; above: boolean };

function resolveActor(pick: ActorPick, state: NominationState, command: NominationCommand): Actor {
  if ('castIndex' in pick) return CAST[pick.castIndex]!;
  const codeSet = state.status === 'none'
    ? (command.type === 'CreateNomination' && UNITS_2025.includes(command.proposingUnit) && !UNITS_2004.includes(command.proposingUnit) ? 'gso-2025' : 'gso-2004')
    : state.codeSet;
  const base = state.status === 'none'
    ? (command.type === 'CreateNomination' ? command.proposingUnit : '14')
    : (actingUnit(state) ?? state.proposingUnit);
  const unit = pick.above ? directory.find(codeSet, base)?.parentCode ?? base : base;
  const roles: Role[] = [...ROLE_NEEDED[command.type].slice(0, 1), ...(pick.alsoProposer ? (['proposer'] as Role[]) : [])];
  return { id: pick.id, name: `Cán bộ ${pick.id}`, unit, codeSet, roles: [...new Set(roles)] };
}

/** The authorisation rules, restated independently of decide: who may change a state with a command. */
function mayAct(actor: Actor, state: NominationState, command: NominationCommand): boolean {
  if (!ROLE_NEEDED[command.type].some((role) => actor.roles.includes(role))) return false;
  if (command.type === 'CreateNomination') return true;
  if (state.status === 'none' || actor.codeSet !== state.codeSet) return false;
  const participant = state.createdBy.id === actor.id || state.submitters.some((s) => s.id === actor.id);
  switch (command.type) {
    case 'UpdateNomination': case 'SubmitNomination': case 'WithdrawNomination':
      return directory.isAtOrUnder(state.codeSet, state.proposingUnit, actor.unit);
    case 'ReturnNomination': case 'RecordCouncilVote':
      return state.status === 'in_review' && state.currentStage.unit === actor.unit;
    case 'ApproveNomination':
      return state.status === 'in_review' && state.currentStage.unit === actor.unit && !participant;
    case 'RejectNomination':
      if (participant) return false;
      if (state.status === 'in_review') return state.currentStage.unit === actor.unit;
      return state.status === 'approved' && actor.roles.includes('decider') && state.route[state.decidingStageIndex]!.unit === actor.unit;
    case 'AwardNomination':
      return state.status === 'approved' && !participant && state.route[state.decidingStageIndex]!.unit === actor.unit;
    case 'RevokeAward':
      return state.status === 'awarded' && !participant && state.award.issuingUnit === actor.unit;
  }
}

function assertInvariants(state: NominationState, events: readonly NominationEvent[]): void {
  if (state.status === 'none') {
    expect(events).toHaveLength(0);
    return;
  }
  const { route } = state;
  expect(route.length).toBeGreaterThan(0);
  expect(state.decidingStageIndex).toBe(route.length - 1);
  const inReviewStages = route.filter((stage) => stage.status === 'in_review');
  if (state.status === 'in_review') {
    // Exactly one current stage, and it is the one the state points at.
    expect(inReviewStages).toHaveLength(1);
    expect(route[state.currentStage.index]!.unit).toBe(state.currentStage.unit);
    expect(route[state.currentStage.index]!.status).toBe('in_review');
  } else {
    expect(inReviewStages).toHaveLength(0);
  }
  if (state.status === 'returned') expect(route[state.returnedFrom.index]!.status).toBe('returned');
  if (state.status === 'approved' || state.status === 'awarded' || state.status === 'revoked') {
    expect(route.every((stage) => stage.status === 'approved')).toBe(true);
    if (state.rules.councilVoteRequired) {
      const votes = state.councilVotes.filter((vote) => vote.stageIndex === state.decidingStageIndex);
      expect(votes.at(-1)?.passed).toBe(true);
    }
  }
  if (state.status === 'awarded' || state.status === 'revoked') expect(state.award.issuingUnit).toBe(route[state.decidingStageIndex]!.unit);
  for (let index = 0; index < route.length; index += 1) {
    expect(state.returns.filter((r) => r.stageIndex === index).length).toBeLessThanOrEqual(state.rules.maxSupplementRequestsPerStage);
  }
  // Stages before the furthest one reached are approved: the dossier climbs one stage at a time.
  const reached = route.map((stage) => stage.status !== 'pending').lastIndexOf(true);
  for (let index = 0; index < reached; index += 1) expect(route[index]!.status).toBe('approved');
}

describe('nomination decider properties', () => {
  it('reaches only legal states, by allowed actors, and re-folds to the same state', () => {
    const reachedStatuses = new Set<string>();
    fc.assert(
      fc.property(openingArb, fc.array(fc.tuple(commandArb, actorPickArb), { minLength: 1, maxLength: 50, size: 'max' }), (opening, rest) => {
        const script = [opening, ...rest];
        let state: NominationState = initialNominationState;
        const events: NominationEvent[] = [];
        script.forEach(([scripted, pick], step) => {
          let command = scripted;
          if (command.type === 'AwardNomination' && command.issuingUnit === FIT) {
            command = { ...command, issuingUnit: state.status === 'none' ? '14' : state.route[state.decidingStageIndex]!.unit };
          }
          const actor = resolveActor(pick, state, command);
          const now = new Date(Date.UTC(2023, 2, 20, 2 + step));
          let produced: NominationEvent[];
          try {
            produced = decide(state, command, context(actor, { now }));
          } catch (error) {
            if (!(error instanceof DomainError)) throw error;
            if (!mayAct(actor, state, command)) expect(['forbidden', 'not_found', 'invalid_transition', 'validation_failed']).toContain(error.code);
            return;
          }
          expect(produced).toHaveLength(1);
          expect(mayAct(actor, state, command)).toBe(true);
          const next = produced.reduce(evolve, state);
          expect(TRANSITIONS[command.type].from).toContain(state.status);
          expect(TRANSITIONS[command.type].to).toContain(next.status);
          events.push(...produced);
          state = next;
          reachedStatuses.add(state.status);
          assertInvariants(state, events);
        });
        expect(foldNomination(events)).toEqual(state);
        // What the store returns (JSON, typed back through the upcaster) folds to the same state.
        const stored = events.map((event) => JSON.parse(JSON.stringify(event)) as { type: string; data: unknown });
        expect(foldNomination(stored.map((event) => toNominationEvent(event.type, event.data)))).toEqual(state);
      }),
      { numRuns: 600, seed: 20230327 },
    );
    // Guard against a vacuous property: the random walks must reach every status.
    expect([...reachedStatuses].sort()).toEqual(['approved', 'awarded', 'draft', 'in_review', 'not_awarded', 'returned', 'revoked', 'withdrawn']);
  });
});
