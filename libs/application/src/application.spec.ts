import { randomUUID } from 'node:crypto';
import pino from 'pino';
import type { Actor as AuthActor } from '@app/auth';
import { loadConfig } from '@app/config';
import { InMemoryEventStore } from '@app/event-store';
import { InMemoryDecisionClaims, InMemoryStaffRecords, InMemoryUnitRecords } from '@app/records';
import { decodeForConsumer } from '@app/platform';
import { DecisionCompleter } from './decision-completer';
import { decisionStream } from './decision-view';
import { DecisionNumberTaken, DecisionRefused } from './decision.errors';
import { deterministicUuid } from './deterministic-id';
import { IssueDecisionHandler } from './issue-decision.handler';
import { foldRecorded, nominationStream } from './nomination-command';
import { BulkNominationActionHandler, CreateNominationHandler, NominationActionHandler } from './nomination.handlers';
import { toNominationView } from './nomination-view';
import { ReferenceDataService } from './reference-data.service';
import { RevokeDecisionHandler } from './revoke-decision.handler';
import { StaffDirectory } from './staff-directory';
import { ConcurrentChange, StaleRevision } from './stream-command';
import {
  BulkNominationActionCommand,
  CreateNominationCommand,
  IssueDecisionCommand,
  NominationActionCommand,
  RevokeDecisionCommand,
  type IssueDecisionInput,
  type RevokeDecisionInput,
} from './application.commands';
import type { CommandEnvelope, CreateNominationInput, NominationAction } from './application.commands';

/*
 * The application layer on in-memory adapters (event store, unit records, decision claims, staff):
 * the same classes the api runs, with no Nest container and no database. What PostgreSQL adds is
 * covered by the adapters' contract suites and the end-to-end tests.
 */

const person = (id: string, name: string, roles: AuthActor['roles'], unit: string): AuthActor => ({ id, name, roles, unit, codeSet: 'gso-2004' });
const proposer = person('p-03814', 'Lò Thị Hoa', ['proposer'], '03814');
const communeOfficer = person('o-03814', 'Cầm Văn Thanh', ['officer'], '03814');
const districtOfficer = person('o-120', 'Nguyễn Thị Hằng', ['officer'], '120');
const districtDecider = person('d-120', 'Lường Văn Chiến', ['decider'], '120');
const outsider = person('o-03820', 'Vì Thị Ngọc', ['officer'], '03820');

const create = (overrides: Partial<CreateNominationInput> = {}): CreateNominationInput => ({
  ruleSet: 'vn-2017',
  awardCode: 'GIAY_KHEN_HUYEN',
  year: 2022,
  proposingUnit: '03814',
  nominee: { kind: 'collective', name: 'Trường Tiểu học Chiềng Lao', organization: 'UBND xã Chiềng Lao' },
  achievements: 'Hoàn thành xuất sắc nhiệm vụ năm học 2021-2022.',
  documents: [
    { kind: 'submission', title: 'Tờ trình đề nghị khen thưởng', sha256: 'a'.repeat(64), url: 'https://vanban.sonla.gov.vn/1.pdf' },
    { kind: 'achievement_report', title: 'Báo cáo thành tích năm 2022', sha256: 'b'.repeat(64), url: 'https://vanban.sonla.gov.vn/2.pdf' },
  ],
  ...overrides,
});

const submit: NominationAction = { type: 'SubmitNomination' };
const approve = { type: 'ApproveNomination', comment: 'Đủ điều kiện' } as const;

function envelope(actor: AuthActor, overrides: Partial<CommandEnvelope> = {}): CommandEnvelope {
  return { actor, commandId: randomUUID(), correlationId: randomUUID(), ...overrides };
}

let store: InMemoryEventStore;
let units: InMemoryUnitRecords;
let claims: InMemoryDecisionClaims;
let reference: ReferenceDataService;
let completer: DecisionCompleter;
const clock = (): Date => new Date();
const logger = pino({ level: 'silent' });

/** The handlers as the command bus would call them, wired by hand on the in-memory adapters. */
let nominations: {
  create(envelope: CommandEnvelope, input: CreateNominationInput): ReturnType<CreateNominationHandler['execute']>;
  act(envelope: CommandEnvelope, id: string, action: NominationAction): ReturnType<NominationActionHandler['execute']>;
  bulk(envelope: CommandEnvelope, ids: string[], action: BulkNominationActionCommand['action']): ReturnType<BulkNominationActionHandler['execute']>;
};
let decisions: {
  issue(envelope: CommandEnvelope, input: IssueDecisionInput): ReturnType<IssueDecisionHandler['execute']>;
  revoke(envelope: CommandEnvelope, decisionId: string, input: RevokeDecisionInput): ReturnType<RevokeDecisionHandler['execute']>;
};

beforeEach(() => {
  store = new InMemoryEventStore();
  units = new InMemoryUnitRecords();
  claims = new InMemoryDecisionClaims();
  reference = new ReferenceDataService(units);
  const config = loadConfig({});
  const create = new CreateNominationHandler(store, reference, clock, config);
  const act = new NominationActionHandler(store, reference, clock, config, claims);
  const bulk = new BulkNominationActionHandler(act);
  completer = new DecisionCompleter(store, reference, clock, config, logger);
  const issue = new IssueDecisionHandler(store, reference, clock, claims, completer, logger);
  const revoke = new RevokeDecisionHandler(store, reference, clock, completer, claims);
  nominations = {
    create: (e, input) => create.execute(new CreateNominationCommand(e, input)),
    act: (e, id, action) => act.execute(new NominationActionCommand(e, id, action)),
    bulk: (e, ids, action) => bulk.execute(new BulkNominationActionCommand(e, ids, action)),
  };
  decisions = {
    issue: (e, input) => issue.execute(new IssueDecisionCommand(e, input)),
    revoke: (e, id, input) => revoke.execute(new RevokeDecisionCommand(e, id, input)),
  };
});

/** The nomination as its stream now folds. */
async function viewOf(nominationId: string) {
  const events = await store.readStream(nominationStream(nominationId));
  const state = foldRecorded(events);
  if (state.status === 'none') throw new Error(`nomination ${nominationId} has no state`);
  return toNominationView(state, events.length - 1);
}

afterEach(() => store.close());

async function approvedAtDistrict(): Promise<string> {
  const { view } = await nominations.create(envelope(proposer), create());
  await nominations.act(envelope(proposer), view.id, submit);
  await nominations.act(envelope(communeOfficer), view.id, approve);
  const { view: approved } = await nominations.act(envelope(districtOfficer), view.id, approve);
  expect(approved.status).toBe('approved');
  return view.id;
}

async function eventsOf(nominationId: string): Promise<string[]> {
  return (await store.readStream(nominationStream(nominationId))).map((e) => e.type);
}

describe('nomination handlers', () => {
  it('carries a nomination from draft through both stages to approved, one event per command, with who and why', async () => {
    const first = envelope(proposer, { clientIp: '10.0.0.7' });
    const { view, revision } = await nominations.create(first, create());
    expect(view).toMatchObject({ status: 'draft', proposingUnit: '03814', awardCode: 'GIAY_KHEN_HUYEN' });
    expect(revision).toBe(0);

    await nominations.act(envelope(proposer), view.id, submit);
    const atDistrict = await nominations.act(envelope(communeOfficer), view.id, approve);
    expect(atDistrict.view).toMatchObject({ status: 'in_review', currentStage: { unit: '120', level: 'district' } });
    const done = await nominations.act(envelope(districtOfficer), view.id, approve);

    expect(done.view.status).toBe('approved');
    const recorded = await store.readStream(nominationStream(view.id));
    expect(recorded.at(-1)!.revision).toBe(done.revision);
    expect(recorded[0]!.metadata).toMatchObject({
      actor: { id: proposer.id, name: proposer.name, unit: '03814', codeSet: 'gso-2004', roles: ['proposer'] },
      correlationId: first.correlationId,
      commandId: first.commandId,
      clientIp: '10.0.0.7',
    });
  });

  it('answers a retried create with the same nomination and writes nothing new', async () => {
    const command = envelope(proposer);
    const first = await nominations.create(command, create());
    await nominations.act(envelope(proposer), first.view.id, submit);

    const retry = await nominations.create(command, create());

    expect(retry.view.id).toBe(first.view.id);
    expect(retry.view.status).toBe('draft');
    expect(retry.revision).toBe(0);
    expect(await eventsOf(first.view.id)).toHaveLength(2);
  });

  it('refuses a stale If-Match with 412 semantics and writes nothing', async () => {
    const { view } = await nominations.create(envelope(proposer), create());
    await nominations.act(envelope(proposer), view.id, { type: 'UpdateNomination', achievements: 'Bổ sung thành tích.' });

    const error = await nominations.act(envelope(proposer, { expectedRevision: 0 }), view.id, submit).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(StaleRevision);
    expect(error).toMatchObject({ code: 'stale_revision', expected: 0, actual: 1 });
    expect(await eventsOf(view.id)).toHaveLength(2);
  });

  it('hides a nomination outside the caller\'s jurisdiction as not found, even behind a stale If-Match', async () => {
    const { view } = await nominations.create(envelope(proposer), create());
    await nominations.act(envelope(proposer), view.id, submit);

    await expect(nominations.act(envelope(outsider, { expectedRevision: 0 }), view.id, approve)).rejects.toMatchObject({ code: 'not_found' });
    expect(await eventsOf(view.id)).toHaveLength(2);
  });

  it('lets exactly one of two simultaneous approvals at a stage through; the other learns of the race', async () => {
    const { view } = await nominations.create(envelope(proposer), create());
    await nominations.act(envelope(proposer), view.id, submit);
    const receivedAt = new Date();

    const outcomes = await Promise.allSettled([
      nominations.act(envelope(communeOfficer, { receivedAt }), view.id, approve),
      nominations.act(envelope(communeOfficer, { receivedAt }), view.id, approve),
    ]);

    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(ConcurrentChange);
    expect(await eventsOf(view.id)).toHaveLength(3);
    expect((await viewOf(view.id)).currentStage).toMatchObject({ unit: '120' });
  });

  it('runs each item of a bulk action as its own command, reporting each outcome', async () => {
    const a = (await nominations.create(envelope(proposer), create())).view.id;
    const b = (await nominations.create(envelope(proposer), create())).view.id;
    await nominations.act(envelope(proposer), a, submit);
    const missing = randomUUID();
    const bulk = envelope(communeOfficer);

    const results = await nominations.bulk(bulk, [a, b, missing], approve);

    expect(results).toEqual([
      { id: a, ok: true, status: 'in_review', revision: 2, position: String((await store.readStream(`nomination-${a}`))[2]!.position) },
      { id: b, ok: false, code: 'invalid_transition', detail: expect.any(String) },
      { id: missing, ok: false, code: 'not_found', detail: expect.any(String) },
    ]);
    // Retried, the bulk request writes nothing new: every item's command id derives from the request's.
    await nominations.bulk(bulk, [a], approve);
    expect(await eventsOf(a)).toHaveLength(3);
    expect((await store.readStream(nominationStream(a))).at(-1)!.metadata['commandId']).toBe(deterministicUuid(bulk.commandId, a));
  });

  it('routes through a unit an admin added, read through the unit records port', async () => {
    await reference.upsertUnits([{ codeSet: 'gso-2004', code: '03899', name: 'Xã Chiềng Mới'.normalize('NFD'), level: 'commune', parentCode: '120' }]);
    const newProposer = person('p-03899', 'Cầm Thị Mai', ['proposer'], '03899');

    const { view } = await nominations.create(envelope(newProposer), create({ proposingUnit: '03899' }));
    const submitted = await nominations.act(envelope(newProposer), view.id, submit);

    expect(submitted.view.currentStage).toMatchObject({ unit: '03899', level: 'commune' });
    expect((await units.list()).map((u) => u.name)).toEqual(['Xã Chiềng Mới'.normalize('NFC')]);
  });

  it('routes along a unit\'s new parent from the moment another process re-parented it', async () => {
    // Two api processes (API_PROCESSES defaults to the number of cores) share the unit records. The
    // other one had its copy of the units for 5 s: half of the nominations created right after
    // PUT /units were routed, and given their jurisdiction, along the old parent.
    const otherProcess = new ReferenceDataService(units);
    for (const process of [reference, otherProcess]) expect((await process.directory()).find('gso-2004', '03814')?.parentCode).toBe('120');
    await otherProcess.upsertUnits([{ codeSet: 'gso-2004', code: '03814', name: 'Xã Chiềng Lao', level: 'commune', parentCode: '116' }]);
    expect((await otherProcess.unit('03814', 'gso-2004')).parentCode).toBe('116');

    const { view } = await nominations.create(envelope(proposer), create());
    expect(view.route.map((stage) => stage.unit)).toEqual(['03814', '116']);
    expect((await reference.unit('03814', 'gso-2004')).parentCode).toBe('116');
    expect((await reference.units('gso-2004', '116')).map((u) => u.code)).toContain('03814');
  });
});

describe('decision handlers', () => {
  const decision = (number: string, nominationIds: string[]) => ({
    number, signedOn: '2023-03-24', signer: { name: 'Lường Văn Chiến', title: 'Chủ tịch UBND huyện Mường La' },
    reason: 'Đã có thành tích xuất sắc trong phong trào thi đua năm 2022', nominationIds,
  });

  it('issues a decision and awards every nomination it lists, once, however often it is retried', async () => {
    const ids = [await approvedAtDistrict(), await approvedAtDistrict()];
    const command = envelope(districtDecider);

    const view = await decisions.issue(command, decision('125/QĐ-UBND', ids));
    const retry = await decisions.issue(command, decision('125/QĐ-UBND', ids));

    // Signed 2023-03-24: 0.6 × 1,490,000 = 894,000, rounded up to 900,000 per collective.
    expect(view).toMatchObject({ number: '125/QĐ-UBND', issuingUnit: '120', baseSalary: 1_490_000, bonusTotal: 2 * 900_000 });
    expect(retry).toEqual(view);
    for (const id of ids) {
      expect((await viewOf(id)).status).toBe('awarded');
      expect((await eventsOf(id)).filter((t) => t === 'NominationAwarded')).toHaveLength(1);
    }
  });

  it('leaves a decision whose issuing process died before the awards to the completer, which finishes it from the log once', async () => {
    const ids = [await approvedAtDistrict(), await approvedAtDistrict()];
    const dying = new IssueDecisionHandler(store, reference, clock, claims, { completeAwards: async () => undefined } as unknown as DecisionCompleter, logger);
    const issued = await dying.execute(new IssueDecisionCommand(envelope(districtDecider), decision('40/QĐ-UBND', ids)));
    for (const id of ids) expect((await viewOf(id)).status).toBe('approved');

    const logged = decodeForConsumer(await store.readStream(decisionStream(issued.id)), new Set(['decision']), (e) => { throw new Error(`undecodable ${e.type}`); });
    await completer.handle(logged);
    await completer.handle(logged);

    for (const id of ids) {
      expect(await viewOf(id)).toMatchObject({ status: 'awarded', decision: { decisionId: issued.id } });
      expect((await eventsOf(id)).filter((t) => t === 'NominationAwarded')).toHaveLength(1);
    }
  });

  it('refuses a second decision with the same number of the unit', async () => {
    await decisions.issue(envelope(districtDecider), decision('7/QĐ-UBND', [await approvedAtDistrict()]));

    await expect(decisions.issue(envelope(districtDecider), decision('7/QĐ-UBND', [await approvedAtDistrict()]))).rejects.toBeInstanceOf(DecisionNumberTaken);
  });

  it('lets only one of two decisions racing for the same nomination take it', async () => {
    const id = await approvedAtDistrict();

    const outcomes = await Promise.allSettled([
      decisions.issue(envelope(districtDecider), decision('10/QĐ-UBND', [id])),
      decisions.issue(envelope(districtDecider), decision('11/QĐ-UBND', [id])),
    ]);

    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult).reason).toBeInstanceOf(DecisionRefused);
    expect((await eventsOf(id)).filter((t) => t === 'NominationAwarded')).toHaveLength(1);
  });

  it('refuses a nomination claimed by another written decision, and takes over a claim whose decision was never written', async () => {
    const [onOther, stale] = [await approvedAtDistrict(), await approvedAtDistrict()];
    const written = await decisions.issue(envelope(districtDecider), decision('20/QĐ-UBND', [await approvedAtDistrict()]));
    // As if decision 20 listed `onOther` and its awards were not complete yet, and a process had died
    // after claiming `stale` for a decision it never wrote.
    await claims.withUnitLock('gso-2004', '120', async (c) => {
      await c.claim(written.id, [onOther]);
      await c.claim(randomUUID(), [stale]);
    });

    const refusal = await decisions.issue(envelope(districtDecider), decision('21/QĐ-UBND', [onOther, stale])).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(DecisionRefused);
    expect((refusal as DecisionRefused).details.offending).toEqual([{ nominationId: onOther, reason: 'on_another_decision' }]);

    await decisions.issue(envelope(districtDecider), decision('22/QĐ-UBND', [stale]));
    expect((await viewOf(stale)).status).toBe('awarded');
  });

  it('refuses a withdrawal or a chairman\'s rejection of a nomination an issued decision claims, even before its award is recorded', async () => {
    const [listed, free] = [await approvedAtDistrict(), await approvedAtDistrict()];
    const written = await decisions.issue(envelope(districtDecider), decision('40/QĐ-UBND', [await approvedAtDistrict()]));
    // As if decision 40 also listed `listed` and the process died before awarding it (the completer will).
    await claims.withUnitLock('gso-2004', '120', (c) => c.claim(written.id, [listed]));
    const withdraw: NominationAction = { type: 'WithdrawNomination', reason: 'Rút hồ sơ' };
    const reject: NominationAction = { type: 'RejectNomination', reasonCode: 'other', reason: 'Không đạt' };
    const otherDecider = person('d-120-b', 'Lò Văn Khánh', ['decider'], '120');

    for (const [who, action] of [[proposer, withdraw], [otherDecider, reject]] as const) {
      await expect(nominations.act(envelope(who), listed, action)).rejects.toMatchObject({
        code: 'invalid_transition', details: { reason: 'on_issued_decision', decisionId: written.id },
      });
    }
    // Whoever may not act on it learns nothing of the decision.
    await expect(nominations.act(envelope(outsider), listed, reject)).rejects.toMatchObject({ code: 'not_found' });
    expect((await nominations.act(envelope(proposer), free, withdraw)).view.status).toBe('withdrawn');
    expect(await eventsOf(listed)).not.toContain('NominationWithdrawn');
  });

  it('refuses a withdrawal at once while a decision listing the nomination is being taken, and answers outsiders as always', async () => {
    const id = await approvedAtDistrict();
    let release!: () => void;
    let holding!: () => void;
    const held = new Promise<void>((resolve) => (holding = resolve));
    const deciding = claims.withUnitLock('gso-2004', '120', async (c) => {
      await c.holdNominations([id]);
      holding();
      await new Promise<void>((resolve) => (release = resolve));
    });
    await held;
    await expect(nominations.act(envelope(proposer), id, { type: 'WithdrawNomination', reason: 'Rút hồ sơ' })).rejects.toMatchObject({
      code: 'invalid_transition', details: { reason: 'decision_in_progress' },
    });
    await expect(nominations.act(envelope(outsider), id, { type: 'RejectNomination', reasonCode: 'other', reason: 'x' })).rejects.toMatchObject({ code: 'not_found' });
    release();
    await deciding;
    expect((await nominations.act(envelope(proposer), id, { type: 'WithdrawNomination', reason: 'Rút hồ sơ' })).view.status).toBe('withdrawn');
  });

  it('revokes the awards a decision made', async () => {
    const id = await approvedAtDistrict();
    const issued = await decisions.issue(envelope(districtDecider), decision('30/QĐ-UBND', [id]));

    const body = { number: '31/QĐ-UBND', signedOn: '2023-06-01', nominationIds: [id], ground: 'false_declaration', reason: 'Kê khai không đúng thành tích' } as const;
    // The district was abolished on 1 July 2025: its successor in the unit data (the province) revokes.
    await expect(decisions.revoke(envelope(districtDecider), issued.id, body)).rejects.toMatchObject({ code: 'forbidden' });
    const successor: AuthActor = { id: 'd25-14', name: 'Nguyễn Đình Việt', roles: ['decider'], unit: '14', codeSet: 'gso-2025' };
    const revoked = await decisions.revoke(envelope(successor), issued.id, body);

    expect(revoked.nominations[0]).toMatchObject({ nominationId: id, revoked: expect.anything() });
    expect((await viewOf(id)).status).toBe('revoked');
  });
});

describe('StaffDirectory', () => {
  it('stores names as NFC, trims, drops repeated roles, and lists by unit', async () => {
    const staff = new StaffDirectory(new InMemoryStaffRecords());

    const stored = await staff.upsert('s-1', {
      name: ' Nguyễn Thị Hằng '.normalize('NFD'), email: ' hang@muongla.gov.vn ', unit: '120', roles: ['officer', 'officer', 'decider'], locale: 'vi', active: true,
    });

    expect(stored).toEqual({
      id: 's-1', name: 'Nguyễn Thị Hằng'.normalize('NFC'), email: 'hang@muongla.gov.vn', unit: '120', roles: ['officer', 'decider'],
      locale: 'vi', active: true, notifications: 'immediate', updatedAt: expect.any(String),
    });
    expect(await staff.list('120')).toEqual([stored]);
    expect(await staff.list('14')).toEqual([]);
  });
});
