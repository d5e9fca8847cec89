import { EventDecodeError } from './event-codec';
import { decisionCodec } from './decision.codec';
import { nominationCodec } from './nomination.codec';
import { foldNomination } from './nomination.state';
import type { NominationEvent } from './nomination.events';
import { decodeServiceEvent } from './service-events';

const by = { id: 'p-03814', name: 'Lò Thị Hoa', unit: '03814', roles: ['proposer'] };

describe('nomination codec', () => {
  it('lists every event type of the union (the decoders map is keyed by it)', () => {
    expect([...nominationCodec.eventTypes].sort()).toEqual([
      'AwardRevoked', 'CouncilVoteRecorded', 'NominationApproved', 'NominationAwarded', 'NominationCreated', 'NominationRejected',
      'NominationReturned', 'NominationSubmitted', 'NominationUpdated', 'NominationWithdrawn', 'StageApproved',
    ]);
    expect([...decisionCodec.eventTypes].sort()).toEqual(['DecisionIssued', 'DecisionRevoked']);
  });

  it('upcasts NominationUpdated v1 (no `previous`) to the current version', () => {
    const v1 = { schemaVersion: 1, at: '2023-01-02T03:04:05.000Z', by, changes: { year: 2021 } };
    expect(nominationCodec.decode({ type: 'NominationUpdated', data: v1 })).toEqual({
      type: 'NominationUpdated',
      data: { schemaVersion: 2, at: v1.at, by, changes: { year: 2021 }, previous: null },
    });
  });

  it('upcasts NominationCreated v1 (no `ancestry`) with its recorded route as the ancestry, and reads v2 as written', () => {
    const route = [{ unit: '03814', unitName: 'Xã Chiềng Lao', level: 'commune' }, { unit: '120', unitName: 'Huyện Mường La', level: 'district' }];
    const v1 = {
      schemaVersion: 1, at: '2023-01-02T03:04:05.000Z', by, nominationId: 'n-1', ruleSet: 'vn-2017', codeSet: 'gso-2004', awardCode: 'GIAY_KHEN_HUYEN',
      awardName: { vi: 'Giấy khen', en: 'Certificate' }, awardKind: 'form', year: 2022, proposingUnit: '03814',
      nominee: { kind: 'collective', name: 'Trường Tiểu học Chiềng Lao' }, achievements: 'Thành tích', documents: [], route,
      decidingStageIndex: 1, rules: {},
    };
    const decoded = nominationCodec.decode({ type: 'NominationCreated', data: v1 });
    expect(decoded).toEqual({ type: 'NominationCreated', data: { ...v1, schemaVersion: 2, ancestry: route } });
    const state = foldNomination([decoded]);
    expect(state.status !== 'none' && state.ancestry.map((u) => u.unit)).toEqual(['03814', '120']);
    const v2 = { ...v1, schemaVersion: 2, ancestry: [...route, { unit: '14', unitName: 'Tỉnh Sơn La', level: 'province' }] };
    expect(nominationCodec.decode({ type: 'NominationCreated', data: v2 }).data).toEqual(v2);
    expect(() => nominationCodec.decode({ type: 'NominationCreated', data: { ...v1, schemaVersion: 2 } })).toThrow(EventDecodeError);
  });

  it('upcasts DecisionIssued v1 (no `issuerAncestry`) to the issuing unit alone', () => {
    const v1 = {
      schemaVersion: 1, at: '2023-03-24T03:04:05.000Z', by, decisionId: 'd-1', number: '125/QĐ-UBND', signedOn: '2023-03-24',
      signer: { name: 'Lường Văn Chiến', title: 'Chủ tịch UBND huyện' }, codeSet: 'gso-2004', issuingUnit: '120', reason: 'Thành tích',
      baseSalary: 1_800_000, nominations: [],
    };
    expect(decisionCodec.decode({ type: 'DecisionIssued', data: v1 }).data).toEqual({ ...v1, schemaVersion: 2, issuerAncestry: ['120'] });
    const v2 = { ...v1, schemaVersion: 2, issuerAncestry: ['120', '14'] };
    expect(decisionCodec.decode({ type: 'DecisionIssued', data: v2 }).data).toEqual(v2);
  });

  it('reads the current version as written', () => {
    const v2 = { schemaVersion: 2, at: '2023-01-02T03:04:05.000Z', by, changes: { year: 2021 }, previous: { year: 2022 } };
    expect(nominationCodec.decode({ type: 'NominationUpdated', data: v2 }).data).toEqual(v2);
  });

  it.each([
    ['an unknown type', { type: 'NominationTeleported', data: { schemaVersion: 1, at: 'x', by } }, /unknown event type/],
    ['an unknown version', { type: 'NominationUpdated', data: { schemaVersion: 3, at: 'x', by, changes: {} } }, /unsupported schemaVersion 3/],
    ['no version', { type: 'NominationWithdrawn', data: { at: 'x', by, reason: 'r' } }, /no schemaVersion/],
    ['a payload that is not an object', { type: 'NominationWithdrawn', data: [1, 2] }, /not an object/],
    ['a missing field', { type: 'NominationWithdrawn', data: { schemaVersion: 1, at: 'x', by, fromStatus: 'draft', stageIndex: null } }, /field reason/],
    ['a field of the wrong kind', { type: 'NominationAwarded', data: {
      schemaVersion: 1, at: 'x', by, decisionId: 'd', decisionNumber: '1', signedOn: '2023-03-24', issuingUnit: '120', bonusAmount: '1000',
    } }, /field bonusAmount is not number/],
  ])('refuses %s with EventDecodeError', (_, stored, message) => {
    expect(() => nominationCodec.decode(stored)).toThrow(EventDecodeError);
    expect(() => nominationCodec.decode(stored)).toThrow(message);
  });

  it('decodes by stream category', () => {
    const decoded = decodeServiceEvent('nomination-abc', { type: 'NominationUpdated', data: { schemaVersion: 1, at: 'x', by, changes: {} } });
    expect(decoded).toMatchObject({ category: 'nomination', entityId: 'abc', event: { type: 'NominationUpdated' } });
    expect(() => decodeServiceEvent('audit-abc', { type: 'X', data: {} })).toThrow(EventDecodeError);
    expect(() => decodeServiceEvent('decision-abc', { type: 'NominationUpdated', data: { schemaVersion: 1 } })).toThrow(/unknown event type/);
  });

  it('folds an upcast event like a current one', () => {
    const created = { type: 'NominationCreated', data: {
      schemaVersion: 1, at: '2023-01-01T00:00:00.000Z', by, nominationId: 'n1', ruleSet: 'vn-2017', codeSet: 'gso-2004', awardCode: 'GIAY_KHEN_HUYEN',
      awardName: { vi: 'Giấy khen', en: 'Certificate' }, awardKind: 'certificate', year: 2022, proposingUnit: '03814',
      nominee: { kind: 'collective', name: 'Trường Tiểu học Chiềng Lao' }, achievements: 'a', documents: [],
      route: [{ unit: '03814', unitName: 'Xã Chiềng Lao', level: 'commune' }], decidingStageIndex: 0, rules: {},
    } };
    const updatedV1 = { type: 'NominationUpdated', data: { schemaVersion: 1, at: '2023-01-02T00:00:00.000Z', by, changes: { year: 2021 } } };
    const state = foldNomination([created, updatedV1].map((e) => nominationCodec.decode(e)) as NominationEvent[]);
    expect(state).toMatchObject({ status: 'draft', year: 2021, updatedAt: '2023-01-02T00:00:00.000Z' });
  });
});
