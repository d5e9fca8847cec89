import { canView, isAtCurrentStage } from './nomination.access';
import { decide } from './nomination.decide';
import { AwardNotOfferedError, UnknownUnitError, ValidationFailedError } from './nomination.errors';
import type { NominationCommand } from './nomination.commands';
import type { NominationEvent } from './nomination.events';
import { foldNomination } from './nomination.state';
import { UnitDirectory } from './unit-directory';
import {
  cast,
  context,
  createCommand,
  reference,
  directory,
  fullDossier,
  given,
  history,
  NOW,
  passedVote,
  type Step,
  steps,
} from './testing/nomination.fixtures';

const at = NOW.toISOString();
const ref = (a: { id: string; name: string; unit: string; roles: readonly string[] }) => ({ id: a.id, name: a.name, unit: a.unit, roles: [...a.roles] });
const statusAfter = (s: Step[]) => foldNomination(history(s)).status;

describe('CreateNomination', () => {
  it('routes a commune nomination for BANG_KHEN_TINH commune → district → province under vn-2017 (gso-2004)', () => {
    const events = given([]).when(createCommand(), context(cast.proposerChiengLao)).then();
    expect(events).toEqual([{
      type: 'NominationCreated',
      data: {
        schemaVersion: 2, at, by: ref(cast.proposerChiengLao),
        nominationId: 'nom-1', ruleSet: 'vn-2017', codeSet: 'gso-2004', awardCode: 'BANG_KHEN_TINH',
        awardName: { vi: 'Bằng khen của Chủ tịch UBND tỉnh', en: "Certificate of Merit of the Provincial People's Committee Chairman" },
        awardKind: 'form', year: 2022, proposingUnit: '03814',
        nominee: { kind: 'collective', name: 'Trường Tiểu học Chiềng Lao', organization: 'UBND xã Chiềng Lao' },
        achievements: 'Hoàn thành xuất sắc nhiệm vụ năm học 2021-2022',
        documents: fullDossier,
        route: [
          { unit: '03814', unitName: 'Xã Chiềng Lao', level: 'commune' },
          { unit: '120', unitName: 'Huyện Mường La', level: 'district' },
          { unit: '14', unitName: 'Tỉnh Sơn La', level: 'province' },
        ],
        decidingStageIndex: 2,
        rules: {
          nomineeKinds: ['individual', 'collective', 'household'], stageDeadlineWorkingDays: 10, councilVoteRequired: false,
          quorumShare: { numerator: 2, denominator: 3, comparison: 'at_least' }, approvalShare: { numerator: 1, denominator: 2, comparison: 'more_than' },
          maxSupplementRequestsPerStage: 1, publicDisclosureWorkingDays: 5,
          requiredDocuments: ['submission', 'achievement_report'], bonusMultiple: { individual: 1, collective: 2 },
        },
        ancestry: [
          { unit: '03814', unitName: 'Xã Chiềng Lao', level: 'commune' },
          { unit: '120', unitName: 'Huyện Mường La', level: 'district' },
          { unit: '14', unitName: 'Tỉnh Sơn La', level: 'province' },
        ],
      },
    }]);
  });

  it('records the whole unit ancestry up to the root even when the route stops lower', () => {
    const [event] = given([]).when(createCommand({ awardCode: 'GIAY_KHEN_XA' }), context(cast.proposerChiengLao)).then();
    expect(event!.type === 'NominationCreated' && event.data.route.map((s) => s.unit)).toEqual(['03814']);
    expect(event!.type === 'NominationCreated' && event.data.ancestry).toEqual([
      { unit: '03814', unitName: 'Xã Chiềng Lao', level: 'commune' },
      { unit: '120', unitName: 'Huyện Mường La', level: 'district' },
      { unit: '14', unitName: 'Tỉnh Sơn La', level: 'province' },
    ]);
  });

  it('routes commune → province under vn-2025 (gso-2025, no district)', () => {
    const [event] = given([]).when(createCommand(), context(cast.proposerChiengLao2025)).then();
    expect(event!.type === 'NominationCreated' && event.data.route).toEqual([
      { unit: '03814', unitName: 'Xã Chiềng Lao', level: 'commune' },
      { unit: '14', unitName: 'Tỉnh Sơn La', level: 'province' },
    ]);
    expect(event!.type === 'NominationCreated' && event.data.ruleSet).toBe('vn-2025');
  });

  it('gives a district office its own district-level award from the district itself', () => {
    const [event] = given([]).when(
      createCommand({ awardCode: 'CHIEN_SI_THI_DUA_CO_SO', proposingUnit: '120', nominee: { kind: 'individual', name: 'Lò Văn Pọm', gender: 'male' } }),
      context(cast.proposerMuongLa),
    ).then();
    expect(event!.type === 'NominationCreated' && event.data.route).toEqual([{ unit: '120', unitName: 'Huyện Mường La', level: 'district' }]);
  });

  it('lets a district proposer nominate for a commune under it', () => {
    const [event] = given([]).when(createCommand(), context(cast.proposerMuongLa)).then();
    expect(event!.type === 'NominationCreated' && event.data.proposingUnit).toBe('03814');
  });

  it('stores Vietnamese text in NFC, keeping diacritics', () => {
    const decomposed = 'Nguyễn Thị Hằng'.normalize('NFD');
    const [event] = given([]).when(
      createCommand({ awardCode: 'GIAY_KHEN_XA', nominee: { kind: 'individual', name: `  ${decomposed} `, gender: 'female' }, achievements: 'Tích cực'.normalize('NFD') }),
      context(cast.proposerChiengLao),
    ).then();
    expect(event!.type === 'NominationCreated' && event.data.nominee.name).toBe('Nguyễn Thị Hằng');
    expect(event!.type === 'NominationCreated' && event.data.achievements).toBe('Tích cực'.normalize('NFC'));
  });

  it('refuses an award the rule set does not offer (GIAY_KHEN_HUYEN under vn-2025)', () => {
    const error = given([]).when(createCommand({ awardCode: 'GIAY_KHEN_HUYEN' }), context(cast.proposerChiengLao2025)).thenFails('validation_failed');
    expect(error).toBeInstanceOf(AwardNotOfferedError);
    expect(error.details).toMatchObject({ reason: 'award_not_offered' });
  });

  it('refuses an unknown award code', () => {
    const error = given([]).when(createCommand({ awardCode: 'HUAN_CHUONG' }), context(cast.proposerChiengLao)).thenFails('validation_failed');
    expect((error as ValidationFailedError).errors).toContainEqual(expect.objectContaining({ field: 'awardCode' }));
  });

  it('refuses a nominee kind the award does not allow', () => {
    const error = given([]).when(
      createCommand({ awardCode: 'CO_THI_DUA_TINH', nominee: { kind: 'individual', name: 'Lò Văn A', gender: 'male' } }),
      context(cast.proposerChiengLao),
    ).thenFails('validation_failed');
    expect((error as ValidationFailedError).errors).toContainEqual(expect.objectContaining({ field: 'nominee.kind' }));
  });

  it('reports every invalid field at once', () => {
    const error = given([]).when(
      createCommand({
        year: 2031,
        nominee: { kind: 'individual', name: ' ', gender: 'other' as never, email: 'not-an-email' },
        achievements: '',
        documents: [{ kind: 'photo' as never, title: '', sha256: 'xyz', url: 'relative/path' }],
      }),
      context(cast.proposerChiengLao),
    ).thenFails('validation_failed') as ValidationFailedError;
    expect(error.errors.map((e) => e.field).sort()).toEqual([
      'achievements', 'documents[0].kind', 'documents[0].sha256', 'documents[0].title', 'documents[0].url',
      'nominee.email', 'nominee.gender', 'nominee.name', 'year',
    ]);
  });

  it('refuses an unknown proposing unit', () => {
    const error = given([]).when(createCommand({ proposingUnit: '99999' }), context(cast.proposerChiengLao)).thenFails('validation_failed');
    expect(error).toBeInstanceOf(UnknownUnitError);
  });

  it.each([
    ['a sibling commune', '03850'],
    ['the district above', '120'],
  ])('refuses a proposing unit outside the proposer’s jurisdiction (%s)', (_, unit) => {
    given([]).when(createCommand({ proposingUnit: unit }), context(cast.proposerChiengLao)).thenFails('forbidden');
  });

  it('refuses callers without the proposer role', () => {
    given([]).when(createCommand(), context(cast.officerChiengLao)).thenFails('forbidden');
  });

  it('refuses a caller acting in another code set than the rule set’s', () => {
    given([]).when(createCommand(), context(cast.proposerChiengLao2025, { ruleSet: context(cast.proposerChiengLao).ruleSet })).thenFails('forbidden');
  });

  it('refuses to create twice', () => {
    given(history(steps.created())).when(createCommand(), context(cast.proposerChiengLao)).thenFails('invalid_transition');
  });
});

describe('deciding levels, drafts and code sets (domain fidelity)', () => {
  it('given GIAY_KHEN_XA proposed at a district, then creation is refused with a clear 400 naming the deciding level', () => {
    const error = given([]).when(createCommand({ awardCode: 'GIAY_KHEN_XA', proposingUnit: '120' }), context(cast.proposerMuongLa)).thenFails('validation_failed');
    expect(error.message).toMatch(/GIAY_KHEN_XA.*commune level only/u);
    expect(error.details).toMatchObject({ reason: 'no_deciding_unit', decidingLevels: ['commune'], unit: '120' });
  });

  it('given Lao động tiên tiến, then a commune decides its own staff and the district its own', () => {
    const ldtt = (unit: string, who: typeof cast.proposerMuongLa) => given([]).when(createCommand({
      awardCode: 'LAO_DONG_TIEN_TIEN', proposingUnit: unit, nominee: { kind: 'individual', name: 'Lò Văn Pọm', gender: 'male' },
    }), context(who)).then()[0]!;
    expect(ldtt('03814', cast.proposerChiengLao)).toMatchObject({ data: { route: [{ unit: '03814' }], decidingStageIndex: 0 } });
    expect(ldtt('120', cast.proposerMuongLa)).toMatchObject({ data: { route: [{ unit: '120' }], decidingStageIndex: 0 } });
  });

  it('given Gia đình văn hóa and Thôn văn hóa, then the commune chairman decides the first, the district chairman the second until 2025', () => {
    const household = given([]).when(createCommand({ awardCode: 'GIA_DINH_VAN_HOA', nominee: { kind: 'household', name: 'Hộ ông Lò Văn Pọm' } }), context(cast.proposerChiengLao)).then()[0]!;
    expect(household).toMatchObject({ data: { awardCode: 'GIA_DINH_VAN_HOA', route: [{ unit: '03814' }], rules: { bonusMultiple: { household: 0.1 } } } });
    const village = given([]).when(createCommand({ awardCode: 'THON_VAN_HOA', nominee: { kind: 'collective', name: 'Bản Nà Lốc' } }), context(cast.proposerChiengLao)).then()[0]!;
    expect(village).toMatchObject({ data: { route: [{ unit: '03814' }, { unit: '120' }], decidingStageIndex: 1 } });
  });

  it('given a draft without documents (empty or absent), then it is saved, and submit names what is missing', () => {
    for (const documents of [[], undefined]) {
      const [created] = given([]).when({ ...(createCommand() as Extract<NominationCommand, { type: 'CreateNomination' }>), documents: documents as never }, context(cast.proposerChiengLao)).then();
      expect(created).toMatchObject({ type: 'NominationCreated', data: { documents: [] } });
      const error = given([created!]).when({ type: 'SubmitNomination' }, context(cast.proposerChiengLao)).thenFails('validation_failed');
      expect(error.details).toMatchObject({ reason: 'missing_documents', missingDocuments: ['submission', 'achievement_report'] });
    }
  });

  it('given a commune nomination, when a district proposer edits, submits or withdraws it, then it is forbidden (#12.2)', () => {
    const draft = history(steps.created());
    const inReview = history(steps.inReviewAtProvince());
    const outsider = cast.proposerMuongLa;
    const province = { ...cast.proposerMuongLa, id: 'proposer-14', unit: '14' };
    for (const who of [outsider, province]) {
      expect(given(draft).when({ type: 'UpdateNomination', achievements: 'Sửa' }, context(who)).thenFails('forbidden').details).toMatchObject({ reason: 'not_proposing_unit' });
      given(draft).when({ type: 'SubmitNomination' }, context(who)).thenFails('forbidden');
      given(inReview).when({ type: 'WithdrawNomination', reason: 'Rút' }, context(who)).thenFails('forbidden');
      given(history(steps.approved())).when({ type: 'WithdrawNomination', reason: 'Rút' }, context(who)).thenFails('forbidden');
    }
    given(draft).when({ type: 'SubmitNomination' }, context({ ...cast.proposerChiengLao, id: 'another-clerk-03814' })).then();
  });

  it('given a code set no longer in force, then a new nomination needs a rule set of its own; replaying history stays possible', () => {
    const later = { now: new Date('2026-03-02T02:00:00Z'), codeSets: reference.codeSets };
    const vn2025 = reference.ruleSets.find((r) => r.id === 'vn-2025')!;
    const error = given([]).when(createCommand(), context(cast.proposerChiengLao, { ...later, ruleSet: vn2025 })).thenFails('validation_failed');
    expect(error.details).toMatchObject({ reason: 'code_set_not_in_force', codeSet: 'gso-2004', validUntil: '2025-06-30' });
    expect(given([]).when(createCommand(), context(cast.proposerChiengLao, later)).then()[0]).toMatchObject({ data: { ruleSet: 'vn-2017', codeSet: 'gso-2004' } });
  });
});

describe('UpdateNomination', () => {
  it('replaces only the fields sent, in draft', () => {
    const events = given(history(steps.created())).when({ type: 'UpdateNomination', year: 2021 }, context(cast.proposerChiengLao)).then();
    expect(events).toEqual([{ type: 'NominationUpdated', data: { schemaVersion: 2, at, by: ref(cast.proposerChiengLao), changes: { year: 2021 }, previous: { year: 2022 } } }]);
    expect(foldNomination([...history(steps.created()), ...events])).toMatchObject({ status: 'draft', year: 2021 });
  });

  it('accepts a supplemented dossier when returned', () => {
    const events = given(history(steps.returnedAtDistrict())).when(
      { type: 'UpdateNomination', documents: fullDossier.slice(0, 2) }, context(cast.proposerChiengLao),
    ).then();
    expect(events[0]!.type).toBe('NominationUpdated');
  });

  it.each([['in_review', steps.inReviewAtCommune], ['approved', steps.approved], ['awarded', steps.awarded]] as const)(
    'refuses edits when %s', (_, path) => {
      given(history(path())).when({ type: 'UpdateNomination', year: 2021 }, context(cast.proposerChiengLao)).thenFails('invalid_transition');
    },
  );

  it('refuses an empty patch and a nominee kind the award does not allow', () => {
    given(history(steps.created())).when({ type: 'UpdateNomination' }, context(cast.proposerChiengLao)).thenFails('validation_failed');
    const single = history([[createCommand({ awardCode: 'TAP_THE_LAO_DONG_XUAT_SAC' }), context(cast.proposerChiengLao)]]);
    given(single).when({ type: 'UpdateNomination', nominee: { kind: 'household', name: 'Hộ ông Lò Văn B' } }, context(cast.proposerChiengLao))
      .thenFails('validation_failed');
  });

  it('is not found outside the jurisdiction and forbidden to non-proposers inside it', () => {
    given(history(steps.created())).when({ type: 'UpdateNomination', year: 2021 }, context(cast.proposerChiengHoa)).thenFails('not_found');
    given(history(steps.created())).when({ type: 'UpdateNomination', year: 2021 }, context(cast.officerChiengLao)).thenFails('forbidden');
  });
});

describe('SubmitNomination', () => {
  it('puts a draft in review at the first stage with a due date 10 working days on', () => {
    const events = given(history(steps.created())).when({ type: 'SubmitNomination' }, context(cast.proposerChiengLao)).then();
    expect(events).toEqual([{
      type: 'NominationSubmitted',
      data: {
        schemaVersion: 1, at, by: ref(cast.proposerChiengLao), resubmission: false,
        stage: { index: 0, unit: '03814', unitName: 'Xã Chiềng Lao', level: 'commune', deadlineWorkingDays: 10, dueOn: '2023-04-03' },
      },
    }]);
  });

  it('sends a returned dossier back to the stage that returned it, restarting its deadline', () => {
    const later = new Date('2023-04-25T03:00:00Z'); // Tuesday; 29/4–3/5 are days off
    const [event] = given(history(steps.returnedAtDistrict())).when({ type: 'SubmitNomination' }, context(cast.proposerChiengLao, { now: later })).then();
    expect(event).toMatchObject({
      type: 'NominationSubmitted',
      data: { resubmission: true, stage: { index: 1, unit: '120', dueOn: '2023-05-12' } },
    });
    const state = foldNomination([...history(steps.returnedAtDistrict()), event!]);
    expect(state).toMatchObject({ status: 'in_review', currentStage: { index: 1, unit: '120', enteredAt: later.toISOString(), dueOn: '2023-05-12' } });
  });

  it('refuses a dossier missing a required document kind', () => {
    const created = history([[createCommand({ awardCode: 'CO_THI_DUA_TINH', documents: fullDossier.slice(0, 2) }), context(cast.proposerChiengLao)]]);
    const error = given(created).when({ type: 'SubmitNomination' }, context(cast.proposerChiengLao)).thenFails('validation_failed');
    expect(error.details).toMatchObject({ missingDocuments: ['council_minutes'] });
  });

  it.each([['in_review', steps.inReviewAtCommune], ['approved', steps.approved], ['awarded', steps.awarded]] as const)(
    'refuses to submit when %s', (_, path) => {
      given(history(path())).when({ type: 'SubmitNomination' }, context(cast.proposerChiengLao)).thenFails('invalid_transition');
    },
  );

  it('is only for proposers', () => {
    given(history(steps.created())).when({ type: 'SubmitNomination' }, context(cast.officerChiengLao)).thenFails('forbidden');
  });
});

describe('ReturnNomination', () => {
  it('returns the dossier from the current stage, recording what is missing', () => {
    const events = given(history(steps.inReviewAtDistrict())).when(
      { type: 'ReturnNomination', reason: 'Thiếu biên bản họp', missing: ['council_minutes'] }, context(cast.officerMuongLa),
    ).then();
    expect(events).toEqual([{
      type: 'NominationReturned',
      data: { schemaVersion: 1, at, by: ref(cast.officerMuongLa), stageIndex: 1, unit: '120', reason: 'Thiếu biên bản họp', missing: ['council_minutes'], returnNumber: 1 },
    }]);
  });

  it('allows only one return per stage under the one-stop-shop rule', () => {
    const again: Step[] = [...steps.returnedAtDistrict(), [{ type: 'SubmitNomination' }, context(cast.proposerChiengLao)]];
    const error = given(history(again)).when({ type: 'ReturnNomination', reason: 'Lần hai', missing: [] }, context(cast.officerMuongLa))
      .thenFails('supplement_limit_reached');
    expect(error.details).toEqual({ limit: 1, stageIndex: 1 });
  });

  it('counts the limit per stage: a return at the commune does not use up the district’s', () => {
    const path: Step[] = [
      ...steps.inReviewAtCommune(),
      [{ type: 'ReturnNomination', reason: 'Bổ sung', missing: ['supporting'] }, context(cast.officerChiengLao)],
      [{ type: 'SubmitNomination' }, context(cast.proposerChiengLao)],
      [{ type: 'ApproveNomination' }, context(cast.officerChiengLao)],
    ];
    const [event] = given(history(path)).when({ type: 'ReturnNomination', reason: 'Bổ sung', missing: [] }, context(cast.officerMuongLa)).then();
    expect(event).toMatchObject({ type: 'NominationReturned', data: { stageIndex: 1, returnNumber: 1 } });
  });

  it('is for the officer of the current stage only', () => {
    const events = history(steps.inReviewAtDistrict());
    given(events).when({ type: 'ReturnNomination', reason: 'x', missing: [] }, context(cast.officerChiengLao)).thenFails('forbidden');
    given(events).when({ type: 'ReturnNomination', reason: 'x', missing: [] }, context(cast.officerSonLa)).thenFails('forbidden');
    given(events).when({ type: 'ReturnNomination', reason: 'x', missing: [] }, context(cast.deciderMuongLa)).thenFails('forbidden');
    given(events).when({ type: 'ReturnNomination', reason: 'x', missing: [] }, context(cast.officerChiengHoa)).thenFails('not_found');
  });

  it('needs a reason and a dossier in review', () => {
    given(history(steps.inReviewAtDistrict())).when({ type: 'ReturnNomination', reason: '  ', missing: [] }, context(cast.officerMuongLa)).thenFails('validation_failed');
    given(history(steps.created())).when({ type: 'ReturnNomination', reason: 'x', missing: [] }, context(cast.officerChiengLao)).thenFails('invalid_transition');
  });
});

describe('RecordCouncilVote', () => {
  it('records the vote with the thresholds applied', () => {
    const [event] = given(history(steps.inReviewAtCommune())).when(passedVote, context(cast.officerChiengLao)).then();
    expect(event).toEqual({
      type: 'CouncilVoteRecorded',
      data: {
        schemaVersion: 1, at, by: ref(cast.officerChiengLao), stageIndex: 0, unit: '03814', sessionDate: '2023-03-20',
        minutesNumber: '05/BB-HĐTĐKT', members: 9, present: 8, inFavour: 8, against: 0, writtenInFavour: 0, writtenAgainst: 0,
        quorumRequired: 6, approvalRequired: 5, passed: true,
      },
    });
  });

  it('given 13 present in favour and 2 written opinions in favour of 15 members, when the share is at least 90 %, then the vote passes', () => {
    const path: Step[] = [
      [createCommand({ awardCode: 'CHIEN_SI_THI_DUA_TINH', nominee: { kind: 'individual', name: 'Lò Thị Xuân', gender: 'female' } }), context(cast.proposerChiengLao)],
      [{ type: 'SubmitNomination' }, context(cast.proposerChiengLao)],
      [{ type: 'ApproveNomination' }, context(cast.officerChiengLao)],
      [{ type: 'ApproveNomination' }, context(cast.officerMuongLa)],
    ];
    const vote = { ...passedVote, members: 15, present: 13, inFavour: 13, against: 0, writtenInFavour: 2, writtenAgainst: 0 };
    const [event] = given(history(path)).when(vote, context(cast.officerSonLa)).then();
    expect(event).toMatchObject({ data: { quorumRequired: 10, approvalRequired: 14, writtenInFavour: 2, passed: true } });
    // Without the written opinions 13 of 15 is below 90 %.
    const [without] = given(history(path)).when({ ...vote, writtenInFavour: 0 }, context(cast.officerSonLa)).then();
    expect(without).toMatchObject({ data: { passed: false } });
    // Written opinions come from absent members only.
    given(history(path)).when({ ...vote, writtenInFavour: 3 }, context(cast.officerSonLa)).thenFails('validation_failed');
  });

  it('applies 90% of all members for Chiến sĩ thi đua cấp tỉnh under vn-2017', () => {
    const path: Step[] = [
      [createCommand({ awardCode: 'CHIEN_SI_THI_DUA_TINH', nominee: { kind: 'individual', name: 'Lò Thị Xuân', gender: 'female' } }), context(cast.proposerChiengLao)],
      [{ type: 'SubmitNomination' }, context(cast.proposerChiengLao)],
    ];
    const base = history(path);
    const vote = (inFavour: number) => given(base).when({ ...passedVote, members: 10, present: 10, inFavour, against: 10 - inFavour }, context(cast.officerChiengLao)).then()[0]!;
    expect(vote(9)).toMatchObject({ data: { approvalRequired: 9, passed: true } });
    expect(vote(8)).toMatchObject({ data: { approvalRequired: 9, passed: false } });
  });

  it('rejects impossible counts and future sessions', () => {
    const events = history(steps.inReviewAtCommune());
    for (const bad of [{ present: 10 }, { inFavour: 6, against: 3 }, { members: -1 }, { inFavour: 1.5 }, { sessionDate: '2023-03-21' }, { minutesNumber: '' }]) {
      given(events).when({ ...passedVote, ...bad }, context(cast.officerChiengLao)).thenFails('validation_failed');
    }
  });

  it('is for the officer of the current stage while in review', () => {
    given(history(steps.inReviewAtCommune())).when(passedVote, context(cast.officerMuongLa)).thenFails('forbidden');
    given(history(steps.approved())).when(passedVote, context(cast.officerSonLa)).thenFails('invalid_transition');
  });
});

describe('ApproveNomination', () => {
  it('forwards to the next stage with a fresh due date', () => {
    const [event] = given(history(steps.inReviewAtCommune())).when({ type: 'ApproveNomination', comment: 'Đủ điều kiện' }, context(cast.officerChiengLao)).then();
    expect(event).toEqual({
      type: 'StageApproved',
      data: {
        schemaVersion: 1, at, by: ref(cast.officerChiengLao), stageIndex: 0, unit: '03814', comment: 'Đủ điều kiện',
        next: { index: 1, unit: '120', unitName: 'Huyện Mường La', level: 'district', deadlineWorkingDays: 10, dueOn: '2023-04-03' },
      },
    });
  });

  it('approves at the deciding stage', () => {
    const [event] = given(history(steps.inReviewAtProvince())).when({ type: 'ApproveNomination' }, context(cast.officerSonLa)).then();
    expect(event).toEqual({ type: 'NominationApproved', data: { schemaVersion: 1, at, by: ref(cast.officerSonLa), stageIndex: 2, unit: '14', comment: null } });
    const state = foldNomination([...history(steps.inReviewAtProvince()), event!]);
    expect(state.status).toBe('approved');
    expect(state.status !== 'none' && state.route.map((s) => s.status)).toEqual(['approved', 'approved', 'approved']);
  });

  describe('an award that needs a council vote at the deciding stage (CO_THI_DUA_TINH)', () => {
    const atProvince: Step[] = [
      [createCommand({ awardCode: 'CO_THI_DUA_TINH' }), context(cast.proposerChiengLao)],
      [{ type: 'SubmitNomination' }, context(cast.proposerChiengLao)],
      [{ type: 'ApproveNomination' }, context(cast.officerChiengLao)],
      [{ type: 'ApproveNomination' }, context(cast.officerMuongLa)],
    ];
    const failedVote = { ...passedVote, present: 5, inFavour: 5 };

    it('cannot be approved without a vote', () => {
      given(history(atProvince)).when({ type: 'ApproveNomination' }, context(cast.officerSonLa)).thenFails('council_vote_required');
    });

    it('cannot be approved after a failed vote, nor when a later vote failed', () => {
      const failed = history([...atProvince, [failedVote, context(cast.officerSonLa)]]);
      given(failed).when({ type: 'ApproveNomination' }, context(cast.officerSonLa)).thenFails('council_vote_required');
      const passedThenFailed = history([...atProvince, [passedVote, context(cast.officerSonLa)], [failedVote, context(cast.officerSonLa)]]);
      given(passedThenFailed).when({ type: 'ApproveNomination' }, context(cast.officerSonLa)).thenFails('council_vote_required');
    });

    it('does not count a vote taken at a lower stage', () => {
      const lower: Step[] = [...atProvince.slice(0, 3), [passedVote, context(cast.officerMuongLa)], atProvince[3]!];
      given(history(lower)).when({ type: 'ApproveNomination' }, context(cast.officerSonLa)).thenFails('council_vote_required');
    });

    it('is approved after a passed vote at the deciding stage', () => {
      const [event] = given(history([...atProvince, [passedVote, context(cast.officerSonLa)]])).when({ type: 'ApproveNomination' }, context(cast.officerSonLa)).then();
      expect(event!.type).toBe('NominationApproved');
    });
  });

  it('forbids the creator or a submitter to approve (separation of duties)', () => {
    const byClerk: Step[] = [[createCommand(), context(cast.clerkChiengLao)], [{ type: 'SubmitNomination' }, context(cast.clerkChiengLao)]];
    const error = given(history(byClerk)).when({ type: 'ApproveNomination' }, context(cast.clerkChiengLao)).thenFails('forbidden');
    expect(error.details).toEqual({ reason: 'separation_of_duties', conflict: 'created' });
    const submittedByClerk: Step[] = [...steps.created(), [{ type: 'SubmitNomination' }, context({ ...cast.clerkChiengLao })]];
    given(history(submittedByClerk)).when({ type: 'ApproveNomination' }, context(cast.clerkChiengLao)).thenFails('forbidden');
  });

  it('is forbidden to officers of other stages and to non-officers', () => {
    const events = history(steps.inReviewAtDistrict());
    given(events).when({ type: 'ApproveNomination' }, context(cast.officerSonLa)).thenFails('forbidden');
    given(events).when({ type: 'ApproveNomination' }, context(cast.deciderMuongLa)).thenFails('forbidden');
    expect(given(events).when({ type: 'ApproveNomination' }, context(cast.officerSonLa)).thenFails('forbidden').details).toMatchObject({ reason: 'not_at_current_stage' });
  });

  it.each([['draft', steps.created], ['returned', steps.returnedAtDistrict], ['approved', steps.approved], ['awarded', steps.awarded]] as const)(
    'is an invalid transition when %s', (_, path) => {
      given(history(path())).when({ type: 'ApproveNomination' }, context(cast.officerSonLa)).thenFails('invalid_transition');
    },
  );
});

describe('RejectNomination', () => {
  const rejection = { type: 'RejectNomination', reasonCode: 'standard_not_met', reason: 'Chưa đạt tiêu chuẩn' } as const;

  it('rejects at the current stage with a reason code', () => {
    const [event] = given(history(steps.inReviewAtDistrict())).when(rejection, context(cast.officerMuongLa)).then();
    expect(event).toEqual({
      type: 'NominationRejected',
      data: { schemaVersion: 1, at, by: ref(cast.officerMuongLa), fromStatus: 'in_review', stageIndex: 1, unit: '120', reasonCode: 'standard_not_met', reason: 'Chưa đạt tiêu chuẩn' },
    });
    expect(foldNomination([...history(steps.inReviewAtDistrict()), event!]).status).toBe('not_awarded');
  });

  it('lets the decider of the current stage reject too', () => {
    expect(given(history(steps.inReviewAtDistrict())).when(rejection, context(cast.deciderMuongLa)).then()[0]!.type).toBe('NominationRejected');
  });

  it('lets only the deciding unit’s decider refuse an approved nomination', () => {
    const approved = history(steps.approved());
    expect(given(approved).when(rejection, context(cast.deciderSonLa)).then()[0]).toMatchObject({ data: { fromStatus: 'approved', stageIndex: 2, unit: '14' } });
    given(approved).when(rejection, context(cast.officerSonLa)).thenFails('forbidden');
    given(approved).when(rejection, context(cast.deciderMuongLa)).thenFails('forbidden');
  });

  it('checks the reason code, the stage, the role and separation of duties', () => {
    const events = history(steps.inReviewAtDistrict());
    given(events).when({ ...rejection, reasonCode: 'dislike' as never }, context(cast.officerMuongLa)).thenFails('validation_failed');
    given(events).when(rejection, context(cast.officerChiengLao)).thenFails('forbidden');
    given(events).when(rejection, context(cast.auditorSonLa)).thenFails('forbidden');
    const byClerk = history([[createCommand(), context(cast.clerkChiengLao)], [{ type: 'SubmitNomination' }, context(cast.clerkChiengLao)]]);
    given(byClerk).when(rejection, context(cast.clerkChiengLao)).thenFails('forbidden');
  });

  it.each([['draft', steps.created], ['returned', steps.returnedAtDistrict], ['awarded', steps.awarded]] as const)(
    'is an invalid transition when %s', (_, path) => {
      given(history(path())).when(rejection, context(cast.deciderSonLa)).thenFails('invalid_transition');
    },
  );
});

describe('WithdrawNomination', () => {
  const withdrawal = { type: 'WithdrawNomination', reason: 'Đơn vị xin rút' } as const;

  it.each([
    ['draft', steps.created, null],
    ['in_review', steps.inReviewAtDistrict, 1],
    ['returned', steps.returnedAtDistrict, 1],
    ['approved', steps.approved, 2],
  ] as const)('withdraws from %s', (fromStatus, path, stageIndex) => {
    const events = given(history(path())).when(withdrawal, context(cast.proposerChiengLao)).then();
    expect(events).toEqual([{ type: 'NominationWithdrawn', data: { schemaVersion: 1, at, by: ref(cast.proposerChiengLao), fromStatus, stageIndex, reason: 'Đơn vị xin rút' } }]);
    expect(foldNomination([...history(path()), ...events]).status).toBe('withdrawn');
  });

  it('is too late once decided or withdrawn', () => {
    const rejected: Step[] = [...steps.inReviewAtCommune(), [{ type: 'RejectNomination', reasonCode: 'other', reason: 'x' }, context(cast.officerChiengLao)]];
    const withdrawn: Step[] = [...steps.created(), [withdrawal, context(cast.proposerChiengLao)]];
    for (const path of [steps.awarded(), rejected, withdrawn]) {
      given(history(path)).when(withdrawal, context(cast.proposerChiengLao)).thenFails('invalid_transition');
    }
  });

  it('is for proposers, with a reason', () => {
    given(history(steps.created())).when(withdrawal, context(cast.officerChiengLao)).thenFails('forbidden');
    given(history(steps.created())).when({ ...withdrawal, reason: '' }, context(cast.proposerChiengLao)).thenFails('validation_failed');
  });
});

describe('AwardNomination and RevokeAward', () => {
  const awardCommand = { type: 'AwardNomination', decisionId: 'dec-1', decisionNumber: '125/QĐ-UBND', signedOn: '2023-03-20', issuingUnit: '14', bonusAmount: 2_980_000, baseSalary: 1_490_000 } as const;
  const revokeCommand = {
    type: 'RevokeAward', revocationId: 'rev-1', decisionId: 'dec-1', ground: 'false_declaration', reason: 'Kê khai không trung thực',
    number: '210/QĐ-UBND', signedOn: '2023-03-20', revokingUnit: { codeSet: 'gso-2004', unit: '14' },
  } as const;

  it('awards an approved nomination from the deciding unit’s decider', () => {
    const [event] = given(history(steps.approved())).when(awardCommand, context(cast.deciderSonLa)).then();
    expect(event).toEqual({
      type: 'NominationAwarded',
      data: { schemaVersion: 1, at, by: ref(cast.deciderSonLa), decisionId: 'dec-1', decisionNumber: '125/QĐ-UBND', signedOn: '2023-03-20', issuingUnit: '14', bonusAmount: 2_980_000, baseSalary: 1_490_000 },
    });
  });

  it('refuses other units, other roles, wrong issuing unit and unapproved nominations', () => {
    const approved = history(steps.approved());
    given(approved).when(awardCommand, context(cast.deciderMuongLa)).thenFails('forbidden');
    given(approved).when(awardCommand, context(cast.officerSonLa)).thenFails('forbidden');
    given(approved).when({ ...awardCommand, issuingUnit: '120' }, context(cast.deciderSonLa)).thenFails('validation_failed');
    given(approved).when({ ...awardCommand, signedOn: '2023-03-21' }, context(cast.deciderSonLa)).thenFails('validation_failed');
    given(history(steps.inReviewAtProvince())).when(awardCommand, context(cast.deciderSonLa)).thenFails('invalid_transition');
    given(history(steps.awarded())).when(awardCommand, context(cast.deciderSonLa)).thenFails('invalid_transition');
  });

  it('forbids a decider who created or submitted the nomination to decide it', () => {
    const chairmanClerk = { ...cast.deciderSonLa, id: cast.proposerChiengLao.id };
    given(history(steps.approved())).when(awardCommand, context(chairmanClerk)).thenFails('forbidden');
  });

  it('revokes an award from the issuing unit, recording the bonus to recover', () => {
    const [event] = given(history(steps.awarded())).when(revokeCommand, context(cast.deciderSonLa)).then();
    expect(event).toEqual({
      type: 'AwardRevoked',
      data: { schemaVersion: 1, at, by: ref(cast.deciderSonLa), revocationId: 'rev-1', decisionId: 'dec-1', ground: 'false_declaration', reason: 'Kê khai không trung thực', bonusToRecover: 2_980_000,
        number: '210/QĐ-UBND', signedOn: '2023-03-20', revokingUnit: { codeSet: 'gso-2004', unit: '14' }, itemsRecovered: ['certificate'] },
    });
    expect(foldNomination([...history(steps.awarded()), event!])).toMatchObject({ status: 'revoked', award: { decisionId: 'dec-1' }, revocation: { revocationId: 'rev-1' } });
  });

  it('refuses revocations of another decision, by others, or of unawarded nominations', () => {
    const awarded = history(steps.awarded());
    given(awarded).when({ ...revokeCommand, decisionId: 'dec-2' }, context(cast.deciderSonLa)).thenFails('validation_failed');
    given(awarded).when({ ...revokeCommand, ground: 'bad_luck' as never }, context(cast.deciderSonLa)).thenFails('validation_failed');
    given(awarded).when(revokeCommand, context(cast.deciderMuongLa)).thenFails('forbidden');
    given(history(steps.approved())).when(revokeCommand, context(cast.deciderSonLa)).thenFails('invalid_transition');
    const revoked = history([...steps.awarded(), [revokeCommand, context(cast.deciderSonLa)]]);
    given(revoked).when(revokeCommand, context(cast.deciderSonLa)).thenFails('invalid_transition');
  });

  it('given an award, when a revocation has no number or signing date, then it is refused', () => {
    const awarded = history(steps.awarded());
    given(awarded).when({ ...revokeCommand, number: '' }, context(cast.deciderSonLa)).thenFails('validation_failed');
    given(awarded).when({ ...revokeCommand, signedOn: undefined as never }, context(cast.deciderSonLa)).thenFails('validation_failed');
  });

  it('given an award of an abolished issuing unit, when its successor revokes, then only the successor may', () => {
    const successor = { codeSet: 'gso-2025', unit: '14' };
    const deciderSonLa2025 = cast.deciderSonLa2025;
    const [event] = given(history(steps.awarded())).when({ ...revokeCommand, revokingUnit: successor }, context(deciderSonLa2025, { now: new Date('2025-09-03T02:00:00Z') })).then();
    expect(event).toMatchObject({ type: 'AwardRevoked', data: { revokingUnit: successor, by: { id: deciderSonLa2025.id } } });
    given(history(steps.awarded())).when({ ...revokeCommand, revokingUnit: successor }, context(cast.deciderSonLa)).thenFails('forbidden');
  });
});

describe('jurisdiction', () => {
  it('answers not_found for any command on a nomination that does not exist', () => {
    for (const command of [{ type: 'SubmitNomination' }, { type: 'ApproveNomination' }, { type: 'WithdrawNomination', reason: 'x' }] as const) {
      given([]).when(command, context(cast.officerChiengLao)).thenFails('not_found');
    }
  });

  it('shows a nomination along its route and above its proposing unit, in its own code set only', () => {
    const state = foldNomination(history(steps.inReviewAtDistrict()));
    for (const who of [cast.proposerChiengLao, cast.officerChiengLao, cast.officerMuongLa, cast.officerSonLa, cast.auditorSonLa]) {
      expect(canView(who, state)).toBe(true);
    }
    for (const who of [cast.proposerChiengHoa, cast.auditorThanhPho, cast.officerSonLa2025]) {
      expect(canView(who, state)).toBe(false);
    }
  });

  it('shows a commune-decided nomination to the district and province above it', () => {
    const state = foldNomination(history([[createCommand({ awardCode: 'GIAY_KHEN_XA' }), context(cast.proposerChiengLao)]]));
    expect(state.status !== 'none' && state.route.map((s) => s.unit)).toEqual(['03814']);
    expect(canView(cast.officerMuongLa, state)).toBe(true);
    expect(canView(cast.auditorSonLa, state)).toBe(true);
  });

  it('judges by the ancestry recorded at creation, not by the unit tree of today (issue 12.14)', () => {
    const state = foldNomination(history([[createCommand({ awardCode: 'GIAY_KHEN_XA' }), context(cast.proposerChiengLao)]]));
    // Chiềng Lao is moved to Thành phố Sơn La afterwards: the recorded chain still decides.
    const moved = UnitDirectory.fromRecords(
      directory.units().map((u) => (u.codeSet === 'gso-2004' && u.code === '03814' ? { ...u, parentCode: '116' } : u)),
      directory.levels,
    );
    expect(moved.isAtOrUnder('gso-2004', '03814', '116')).toBe(true);
    expect(canView(cast.auditorThanhPho, state)).toBe(false);
    expect(canView(cast.officerMuongLa, state)).toBe(true);
    const fresh = foldNomination(history([[createCommand({ awardCode: 'GIAY_KHEN_XA' }), { ...context(cast.proposerChiengLao), directory: moved }]]));
    expect(canView(cast.auditorThanhPho, fresh)).toBe(true);
    expect(canView(cast.officerMuongLa, fresh)).toBe(false);
  });

  it('tells whether the caller is at the unit where the nomination waits', () => {
    const atDistrict = foldNomination(history(steps.inReviewAtDistrict()));
    expect(isAtCurrentStage(cast.officerMuongLa, atDistrict)).toBe(true);
    expect(isAtCurrentStage(cast.officerChiengLao, atDistrict)).toBe(false);
    expect(isAtCurrentStage(cast.officerSonLa, atDistrict)).toBe(false);
    expect(isAtCurrentStage(cast.deciderSonLa, foldNomination(history(steps.approved())))).toBe(true);
    expect(isAtCurrentStage(cast.proposerChiengLao, foldNomination(history(steps.created())))).toBe(false);
  });
});

describe('the Mường La 2022 review end to end (vn-2017 and vn-2025)', () => {
  it('walks a Bằng khen tỉnh through three stages and folds to the view’s data', () => {
    const events = history(steps.awarded());
    expect(events.map((e) => e.type)).toEqual(['NominationCreated', 'NominationSubmitted', 'StageApproved', 'StageApproved', 'NominationApproved', 'NominationAwarded']);
    const state = foldNomination(events);
    expect(state).toMatchObject({
      status: 'awarded', createdBy: ref(cast.proposerChiengLao), submitters: [ref(cast.proposerChiengLao)],
      award: { decisionNumber: '125/QĐ-UBND', issuingUnit: '14', bonusAmount: 2_980_000 },
    });
    expect(state.status !== 'none' && state.route).toEqual([
      { unit: '03814', unitName: 'Xã Chiềng Lao', level: 'commune', status: 'approved', enteredAt: at, leftAt: at, dueOn: '2023-04-03' },
      { unit: '120', unitName: 'Huyện Mường La', level: 'district', status: 'approved', enteredAt: at, leftAt: at, dueOn: '2023-04-03' },
      { unit: '14', unitName: 'Tỉnh Sơn La', level: 'province', status: 'approved', enteredAt: at, leftAt: at, dueOn: '2023-04-03' },
    ]);
  });

  it('walks a 2025 nomination commune → province', () => {
    const c = (who: typeof cast.proposerChiengLao2025) => context(who, { now: new Date('2025-09-03T02:00:00Z') });
    const events = history([
      [createCommand({ year: 2025 }), c(cast.proposerChiengLao2025)],
      [{ type: 'SubmitNomination' }, c(cast.proposerChiengLao2025)],
      [{ type: 'ApproveNomination' }, c(cast.officerChiengLao2025)],
      [{ type: 'ApproveNomination' }, c(cast.officerSonLa2025)],
    ]);
    expect(events.map((e) => e.type)).toEqual(['NominationCreated', 'NominationSubmitted', 'StageApproved', 'NominationApproved']);
    expect(foldNomination(events)).toMatchObject({ status: 'approved', codeSet: 'gso-2025' });
    // 3 Sep 2025 (Wed) + 10 working days, after the 1–2 Sep National Day holiday.
    expect(events[1]).toMatchObject({ data: { stage: { dueOn: '2025-09-17' } } });
  });
});

describe('decide is pure', () => {
  it('returns the same events for the same input and never mutates the state', () => {
    const events: NominationEvent[] = history(steps.inReviewAtDistrict());
    const state = foldNomination(events);
    const snapshot = JSON.stringify(state);
    const first = decide(state, { type: 'ApproveNomination' }, context(cast.officerMuongLa));
    const second = decide(state, { type: 'ApproveNomination' }, context(cast.officerMuongLa));
    expect(first).toEqual(second);
    expect(JSON.stringify(state)).toBe(snapshot);
  });

  it('throws typed errors with stable codes', () => {
    expect(() => decide({ status: 'none' }, createCommand({ proposingUnit: '00000' }), context(cast.proposerChiengLao))).toThrow(ValidationFailedError);
    expect(statusAfter(steps.created())).toBe('draft');
  });
});
