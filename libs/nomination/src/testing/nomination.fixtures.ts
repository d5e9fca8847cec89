// Shared fixtures for this lib's specs (not exported from index.ts).
import { decide, type NominationContext } from '../nomination.decide';
import type { NominationCommand } from '../nomination.commands';
import type { DomainErrorCode } from '../nomination.errors';
import { DomainError } from '../nomination.errors';
import type { NominationEvent } from '../nomination.events';
import { foldNomination } from '../nomination.state';
import type { Actor, DocumentRef, Role } from '../nomination.types';
import { findRuleSet, loadReferenceData } from '../reference-data/reference-data';
import type { RuleSet } from '../reference-data/reference-data.types';
import { UnitDirectory } from '../unit-directory';
import { WorkingDayCalendar } from '../working-day-calendar';

export const reference = loadReferenceData();
export const directory = UnitDirectory.fromRecords(
  reference.units,
  reference.levels.map((level) => level.code),
  reference.codeSets.map((codeSet) => codeSet.id),
);
export const calendar = new WorkingDayCalendar(reference.holidays);
export const ruleSet = (id: string): RuleSet => findRuleSet(reference.ruleSets, id)!;

export function actor(id: string, unit: string, roles: Role[], codeSet = 'gso-2004'): Actor {
  return { id, name: `Cán bộ ${id}`, unit, codeSet, roles };
}

/** The cast of the Mường La 2022 review (gso-2004) plus a few outsiders. */
export const cast = {
  proposerChiengLao: actor('proposer-03814', '03814', ['proposer']),
  officerChiengLao: actor('officer-03814', '03814', ['officer']),
  officerMuongLa: actor('officer-120', '120', ['officer']),
  deciderMuongLa: actor('decider-120', '120', ['decider']),
  proposerMuongLa: actor('proposer-120', '120', ['proposer']),
  officerSonLa: actor('officer-14', '14', ['officer']),
  deciderSonLa: actor('decider-14', '14', ['decider']),
  auditorSonLa: actor('auditor-14', '14', ['auditor']),
  proposerChiengHoa: actor('proposer-03850', '03850', ['proposer']),
  officerChiengHoa: actor('officer-03850', '03850', ['officer']),
  auditorThanhPho: actor('auditor-116', '116', ['auditor']),
  /** A commune clerk who both proposes and keeps the council's records. */
  clerkChiengLao: actor('clerk-03814', '03814', ['proposer', 'officer']),
  proposerChiengLao2025: actor('proposer-03814-2025', '03814', ['proposer'], 'gso-2025'),
  officerChiengLao2025: actor('officer-03814-2025', '03814', ['officer'], 'gso-2025'),
  officerSonLa2025: actor('officer-14-2025', '14', ['officer'], 'gso-2025'),
  deciderSonLa2025: actor('decider-14-2025', '14', ['decider'], 'gso-2025'),
} as const;

/** Monday 20 March 2023, 09:00 in Vietnam. */
export const NOW = new Date('2023-03-20T02:00:00Z');

export function context(who: Actor, overrides: Partial<NominationContext> = {}): NominationContext {
  return {
    now: NOW,
    actor: who,
    ruleSet: ruleSet(who.codeSet === 'gso-2025' ? 'vn-2025' : 'vn-2017'),
    directory,
    calendar,
    ...overrides,
  };
}

const sha = (c: string): string => c.repeat(64);

export const fullDossier: DocumentRef[] = [
  { kind: 'submission', title: 'Tờ trình đề nghị khen thưởng', sha256: sha('a'), url: 'https://files.example.vn/to-trinh.pdf' },
  { kind: 'achievement_report', title: 'Báo cáo thành tích', sha256: sha('b'), url: 'https://files.example.vn/bao-cao.pdf' },
  { kind: 'council_minutes', title: 'Biên bản họp Hội đồng', sha256: sha('c'), url: 'https://files.example.vn/bien-ban.pdf' },
];

export function createCommand(overrides: Partial<Extract<NominationCommand, { type: 'CreateNomination' }>> = {}): NominationCommand {
  return {
    type: 'CreateNomination',
    nominationId: 'nom-1',
    awardCode: 'BANG_KHEN_TINH',
    year: 2022,
    proposingUnit: '03814',
    nominee: { kind: 'collective', name: 'Trường Tiểu học Chiềng Lao', organization: 'UBND xã Chiềng Lao' },
    achievements: 'Hoàn thành xuất sắc nhiệm vụ năm học 2021-2022',
    documents: fullDossier,
    ...overrides,
  };
}

export const passedVote = {
  type: 'RecordCouncilVote', sessionDate: '2023-03-20', minutesNumber: '05/BB-HĐTĐKT', members: 9, present: 8, inFavour: 8, against: 0,
} as const;

export type Step = readonly [NominationCommand, NominationContext];

/** Runs commands through decide, each on the state its predecessors produced; returns all events. */
export function history(steps: readonly Step[], start: readonly NominationEvent[] = []): NominationEvent[] {
  const events = [...start];
  for (const [command, ctx] of steps) events.push(...decide(foldNomination(events), command, ctx));
  return events;
}

/** given(events).when(command, ctx) → { events } or the thrown domain error's code. */
export function given(events: readonly NominationEvent[]) {
  const state = foldNomination(events);
  return {
    state,
    when(command: NominationCommand, ctx: NominationContext) {
      return {
        then: (): NominationEvent[] => decide(state, command, ctx),
        thenFails(code: DomainErrorCode): DomainError {
          try {
            decide(state, command, ctx);
          } catch (error) {
            if (error instanceof DomainError && error.code === code) return error;
            throw new Error(`expected ${code}, got ${error instanceof DomainError ? `${error.code}: ${error.message}` : String(error)}`, { cause: error });
          }
          throw new Error(`expected ${code}, but the command succeeded`);
        },
      };
    },
  };
}

/** Walks a vn-2017 BANG_KHEN_TINH nomination from 03814 to the given point. */
export const steps = {
  created: (): Step[] => [[createCommand(), context(cast.proposerChiengLao)]],
  inReviewAtCommune: (): Step[] => [...steps.created(), [{ type: 'SubmitNomination' }, context(cast.proposerChiengLao)]],
  inReviewAtDistrict: (): Step[] => [...steps.inReviewAtCommune(), [{ type: 'ApproveNomination', comment: 'Đủ điều kiện' }, context(cast.officerChiengLao)]],
  inReviewAtProvince: (): Step[] => [...steps.inReviewAtDistrict(), [{ type: 'ApproveNomination' }, context(cast.officerMuongLa)]],
  approved: (): Step[] => [...steps.inReviewAtProvince(), [{ type: 'ApproveNomination' }, context(cast.officerSonLa)]],
  awarded: (): Step[] => [...steps.approved(), [{
    type: 'AwardNomination', decisionId: 'dec-1', decisionNumber: '125/QĐ-UBND', signedOn: '2023-03-20', issuingUnit: '14', bonusAmount: 2_980_000, baseSalary: 1_490_000,
  }, context(cast.deciderSonLa)]],
  returnedAtDistrict: (): Step[] => [...steps.inReviewAtDistrict(), [{ type: 'ReturnNomination', reason: 'Thiếu biên bản', missing: ['council_minutes'] }, context(cast.officerMuongLa)]],
};
