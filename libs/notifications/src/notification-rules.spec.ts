import {
  decide, evolve, findRuleSet, initialNominationState, loadReferenceData, UnitDirectory, WorkingDayCalendar,
  type Actor, type NominationCommand, type NominationEvent, type NominationState,
} from '@app/nomination';
import { notificationsFor, reminderIntent, type NominationContext } from './notification-rules';

const reference = loadReferenceData();
const directory = UnitDirectory.fromRecords(reference.units, reference.levels.map((l) => l.code), reference.codeSets.map((c) => c.id));
const calendar = new WorkingDayCalendar(reference.holidays);
const actor = (id: string, unit: string, role: Actor['roles'][number]): Actor => ({ id, name: `Cán bộ ${id}`, unit, codeSet: 'gso-2004', roles: [role] });
const proposer = actor('p-03814', '03814', 'proposer');
const proposer2 = actor('p2-03814', '03814', 'proposer');
const communeOfficer = actor('o-03814', '03814', 'officer');
const districtOfficer = actor('o-120', '120', 'officer');
const provinceOfficer = actor('o-14', '14', 'officer');
const provinceDecider = actor('d-14', '14', 'decider');
const URL = 'https://khenthuong.sonla.gov.vn';

/** Runs commands through the real decider, keeping each event with the context right after it. */
function run(steps: [Actor, NominationCommand][], nominee: object = { kind: 'individual', name: 'Lò Thị Hoa', gender: 'female', email: 'hoa@example.vn' }) {
  let state: NominationState = initialNominationState;
  let lastSubmitter: NominationContext['lastSubmitter'];
  const out: { event: NominationEvent; context: NominationContext }[] = [];
  const all: [Actor, NominationCommand][] = [
    [proposer, {
      type: 'CreateNomination', nominationId: 'nom-1', awardCode: 'BANG_KHEN_TINH', year: 2022, proposingUnit: '03814', nominee: nominee as never,
      achievements: 'Hoàn thành xuất sắc nhiệm vụ', documents: [
        { kind: 'submission', title: 'Tờ trình', sha256: 'a'.repeat(64), url: 'https://files.example.vn/a.pdf' },
        { kind: 'achievement_report', title: 'Báo cáo', sha256: 'b'.repeat(64), url: 'https://files.example.vn/b.pdf' },
      ],
    }],
    ...steps,
  ];
  let minutes = 0;
  for (const [who, command] of all) {
    const now = new Date(Date.UTC(2023, 2, 20, 2, minutes++));
    for (const event of decide(state, command, { now, actor: who, ruleSet: findRuleSet(reference.ruleSets, 'vn-2017')!, directory, calendar })) {
      state = evolve(state, event);
      if (event.type === 'NominationSubmitted') lastSubmitter = event.data.by;
      out.push({ event, context: { state, lastSubmitter } });
    }
  }
  return out;
}

const summary = (steps: ReturnType<typeof run>) =>
  steps.flatMap(({ event, context }) => notificationsFor(event, context, URL).map((i) => ({ event: event.type, template: i.template, audiences: i.audiences })));

const officers = (unit: string) => ({ kind: 'role', unit, codeSet: 'gso-2004', role: 'officer' });
const submitter = (id: string) => ({ kind: 'staff', id, fallback: { kind: 'role', unit: '03814', codeSet: 'gso-2004', role: 'proposer' } });

describe('who is told what (API.md, Notifications)', () => {
  it('tells each stage\'s officers when the dossier arrives, and the deciders when it is recommended', () => {
    const steps = run([
      [proposer, { type: 'SubmitNomination' }],
      [communeOfficer, { type: 'ApproveNomination' }],
      [districtOfficer, { type: 'ApproveNomination' }],
      [provinceOfficer, { type: 'ApproveNomination' }],
    ]);
    expect(summary(steps)).toEqual([
      { event: 'NominationSubmitted', template: 'stage_arrived', audiences: [officers('03814')] },
      { event: 'StageApproved', template: 'stage_arrived', audiences: [officers('120')] },
      { event: 'StageApproved', template: 'stage_arrived', audiences: [officers('14')] },
      { event: 'NominationApproved', template: 'awaiting_decision', audiences: [{ kind: 'role', unit: '14', codeSet: 'gso-2004', role: 'decider' }] },
    ]);
    const arrived = notificationsFor(steps[3]!.event, steps[3]!.context, URL)[0]!;
    expect(arrived.payload).toMatchObject({
      nominationId: 'nom-1', nomineeName: 'Lò Thị Hoa', awardName: { vi: 'Bằng khen của Chủ tịch UBND tỉnh' }, year: 2022,
      stage: { unit: '14', unitName: 'Tỉnh Sơn La', level: 'province' }, link: `${URL}/nominations/nom-1`,
    });
    expect(arrived.payload.dueOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('tells the submitting proposer (the latest one) of a return, with the reason and what is missing', () => {
    const steps = run([
      [proposer, { type: 'SubmitNomination' }],
      [communeOfficer, { type: 'ReturnNomination', reason: 'Thiếu biên bản họp', missing: ['council_minutes'] }],
      [proposer2, { type: 'SubmitNomination' }],
      [communeOfficer, { type: 'RejectNomination', reasonCode: 'standard_not_met', reason: 'Chưa đạt tiêu chuẩn' }],
    ]);
    const told = summary(steps);
    expect(told.map((t) => [t.event, t.template])).toEqual([
      ['NominationSubmitted', 'stage_arrived'], ['NominationReturned', 'returned'], ['NominationSubmitted', 'stage_arrived'], ['NominationRejected', 'not_awarded'],
    ]);
    expect(told[1]!.audiences).toEqual([submitter('p-03814')]);
    expect(told[3]!.audiences).toEqual([submitter('p2-03814')]);
    expect(notificationsFor(steps[2]!.event, steps[2]!.context, URL)[0]!.payload).toMatchObject({ reason: 'Thiếu biên bản họp', missing: ['council_minutes'] });
    expect(notificationsFor(steps[3]!.event, steps[3]!.context, URL)[0]!.payload).toMatchObject({ resubmission: true });
    expect(notificationsFor(steps[4]!.event, steps[4]!.context, URL)[0]!.payload).toMatchObject({ reasonCode: 'standard_not_met', reason: 'Chưa đạt tiêu chuẩn' });
  });

  it('tells the proposer and the nominee\'s own address of an award, and the proposer of a revocation', () => {
    const steps = run([
      [proposer, { type: 'SubmitNomination' }],
      [communeOfficer, { type: 'ApproveNomination' }],
      [districtOfficer, { type: 'ApproveNomination' }],
      [provinceOfficer, { type: 'ApproveNomination' }],
      [provinceDecider, { type: 'AwardNomination', decisionId: 'dec-1', decisionNumber: '125/QĐ-UBND', signedOn: '2023-03-20', issuingUnit: '14', bonusAmount: 1_490_000, baseSalary: 1_490_000 }],
      [provinceDecider, { type: 'RevokeAward', revocationId: 'rev-1', decisionId: 'dec-1', ground: 'false_declaration', reason: 'Kê khai sai thành tích', number: '210/QĐ-UBND', signedOn: '2023-03-20', revokingUnit: { codeSet: 'gso-2004', unit: '14' } }],
    ]);
    const told = summary(steps).slice(4);
    expect(told).toEqual([
      { event: 'NominationAwarded', template: 'awarded', audiences: [submitter('p-03814'), { kind: 'address', email: 'hoa@example.vn', name: 'Lò Thị Hoa' }] },
      { event: 'AwardRevoked', template: 'revoked', audiences: [submitter('p-03814')] },
    ]);
    expect(notificationsFor(steps[5]!.event, steps[5]!.context, URL)[0]!.payload).toMatchObject({ decisionNumber: '125/QĐ-UBND', signedOn: '2023-03-20' });
    expect(notificationsFor(steps[6]!.event, steps[6]!.context, URL)[0]!.payload).toMatchObject({ ground: 'false_declaration', reason: 'Kê khai sai thành tích', decisionNumber: '210/QĐ-UBND' });
  });

  it('tells nobody of a creation, an edit, a council vote or a withdrawal', () => {
    const steps = run([
      [proposer, { type: 'UpdateNomination', achievements: 'Bổ sung thành tích' } as NominationCommand],
      [proposer, { type: 'SubmitNomination' }],
      [proposer, { type: 'WithdrawNomination', reason: 'Rút hồ sơ' }],
    ], { kind: 'collective', name: 'Trường Tiểu học Chiềng Lao', organization: 'UBND xã Chiềng Lao' });
    expect(summary(steps).map((t) => t.event)).toEqual(['NominationSubmitted']);
  });

  it('sends overdue also to the deciders of the unit above, due_soon only to the stage\'s officers', () => {
    const [, submitted] = run([[proposer, { type: 'SubmitNomination' }]]);
    expect(reminderIntent('due_soon', submitted!.context, 0, '2023-04-03', '120', URL)!.audiences).toEqual([officers('03814')]);
    expect(reminderIntent('overdue', submitted!.context, 0, '2023-04-03', '120', URL)!.audiences).toEqual([
      officers('03814'), { kind: 'role', unit: '120', codeSet: 'gso-2004', role: 'decider' },
    ]);
  });
});
