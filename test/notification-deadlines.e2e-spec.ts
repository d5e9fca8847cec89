import { randomUUID } from 'node:crypto';
import { PostgresEventStore } from '@app/event-store';
import {
  decide, evolve, findRuleSet, initialNominationState, loadReferenceData, UnitDirectory, vietnamDate, WorkingDayCalendar,
  type Actor, type NominationCommand, type NominationState,
} from '@app/nomination';
import { MAIL_QUEUE, NotificationQueues, ReminderService, SCHEDULE_QUEUE, vietnamInstant } from '@app/notifications';
import { NotificationStack } from './support/notification-stack';

/*
 * Deadline reminders and the daily digest with the worker's clock moved by the test. Events are
 * decided by the real domain at chosen instants (Tết 2026: 16–20 February) and appended to the store,
 * as the api would have done on those days.
 */

const reference = loadReferenceData();
const directory = UnitDirectory.fromRecords(reference.units, reference.levels.map((l) => l.code), reference.codeSets.map((c) => c.id));
const calendar = new WorkingDayCalendar(reference.holidays);
const actor = (id: string, unit: string, role: Actor['roles'][number]): Actor => ({ id, name: `Cán bộ ${id}`, unit, codeSet: 'gso-2025', roles: [role] });
const proposer = actor('p25-03814', '03814', 'proposer');
const communeOfficer = actor('o25-03814', '03814', 'officer');

const STAFF = [
  { id: 'p25-03814', name: 'Lò Văn Tuấn', email: 'tuan.lv@chienglao.sonla.gov.vn', unit: '03814', codeSet: 'gso-2025' as const, roles: ['proposer'] },
  { id: 'o25-03814', name: 'Cầm Thị Duyên', email: 'duyen.ct@chienglao.sonla.gov.vn', unit: '03814', codeSet: 'gso-2025' as const, roles: ['officer'] },
  { id: 'o25b-03814', name: 'Lường Văn Hùng', email: 'hung.lv@chienglao.sonla.gov.vn', unit: '03814', codeSet: 'gso-2025' as const, roles: ['officer'], locale: 'en' as const },
  { id: 'd25-14', name: 'Nguyễn Đình Việt', email: 'viet.nd@sonla.gov.vn', unit: '14', codeSet: 'gso-2025' as const, roles: ['decider'] },
  { id: 'o25-14', name: 'Phạm Thị Thu Hà', email: 'ha.ptt@sonla.gov.vn', unit: '14', codeSet: 'gso-2025' as const, roles: ['officer'] },
];

class Nominations {
  private readonly states = new Map<string, NominationState>();
  constructor(private readonly store: PostgresEventStore) {}

  async run(id: string, who: Actor, command: NominationCommand, at: string): Promise<void> {
    const state = this.states.get(id) ?? initialNominationState;
    const events = decide(state, command, { now: new Date(at), actor: who, ruleSet: findRuleSet(reference.ruleSets, 'vn-2025')!, directory, calendar });
    await this.store.append(`nomination-${id}`, events.map((e) => ({
      id: randomUUID(), type: e.type, data: e.data,
      metadata: { actor: { id: who.id, name: who.name, unit: who.unit, codeSet: who.codeSet, roles: who.roles }, correlationId: randomUUID(), commandId: randomUUID() },
    })), state.status === 'none' ? 'no_stream' : 'any');
    this.states.set(id, events.reduce(evolve, state));
  }

  async createAndSubmit(name: string, at: string): Promise<string> {
    const id = randomUUID();
    await this.run(id, proposer, {
      type: 'CreateNomination', nominationId: id, awardCode: 'BANG_KHEN_TINH', year: 2025, proposingUnit: '03814',
      nominee: { kind: 'collective', name, organization: 'UBND xã Chiềng Lao' }, achievements: 'Hoàn thành xuất sắc nhiệm vụ năm 2025',
      documents: [
        { kind: 'submission', title: 'Tờ trình', sha256: 'a'.repeat(64), url: 'https://vanban.sonla.gov.vn/tt.pdf' },
        { kind: 'achievement_report', title: 'Báo cáo thành tích', sha256: 'b'.repeat(64), url: 'https://vanban.sonla.gov.vn/bc.pdf' },
      ],
    }, at);
    await this.run(id, proposer, { type: 'SubmitNomination' }, at);
    return id;
  }
}

describe('deadline reminders across Tết 2026', () => {
  let stack: NotificationStack;
  let now = new Date('2026-02-05T03:00:00Z');
  beforeAll(async () => {
    stack = await NotificationStack.start();
    await stack.putStaff(STAFF);
    await stack.startWorker(() => now);
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
  }, 120_000);

  async function reminders(nominationId: string): Promise<[string, string, number, string][]> {
    const { rows } = await stack.api.database.pool.query<{ kind: string; fire_on: string; stage_index: number; status: string }>(
      "SELECT kind, to_char(fire_on, 'YYYY-MM-DD') AS fire_on, stage_index, status FROM notification_reminders WHERE nomination_id = $1 ORDER BY fire_on, kind",
      [nominationId],
    );
    return rows.map((r) => [r.kind, r.fire_on, r.stage_index, r.status]);
  }

  /** Moves the worker's clock and wakes every delayed reminder (each re-checks its own time). */
  async function advanceTo(instant: string): Promise<void> {
    now = new Date(instant);
    await stack.worker!.get(NotificationQueues).schedule.promoteJobs();
    await stack.sweep();
  }

  it('reminds on working days only, to the right people, and never for a nomination that moved on', async () => {
    const nominations = new Nominations(new PostgresEventStore(stack.api.database.pool));
    // Thursday 5 February 2026, ten working days before Tết's end: due Thursday 26 February.
    const stays = await nominations.createAndSubmit('Trường Tiểu học Chiềng Lao', '2026-02-05T03:00:00Z');
    const approved = await nominations.createAndSubmit('Trạm Y tế xã Chiềng Lao', '2026-02-05T03:00:00Z');
    const returned = await nominations.createAndSubmit('Hợp tác xã Nà Lốc', '2026-02-05T03:00:00Z');
    await stack.dispatched();
    expect(await reminders(stays)).toEqual([['due_soon', '2026-02-24', 0, 'scheduled'], ['overdue', '2026-02-27', 0, 'scheduled']]);

    // Approved on Friday 13 February (to the province, due 6 March); returned on Monday 23 February.
    await nominations.run(approved, communeOfficer, { type: 'ApproveNomination', comment: 'Đủ điều kiện' }, '2026-02-13T03:00:00Z');
    await nominations.run(returned, communeOfficer, { type: 'ReturnNomination', reason: 'Thiếu biên bản', missing: ['council_minutes'] }, '2026-02-23T03:00:00Z');
    await stack.dispatched();
    expect(await reminders(approved)).toEqual([
      ['due_soon', '2026-02-24', 0, 'dropped'], ['overdue', '2026-02-27', 0, 'dropped'],
      ['due_soon', '2026-03-04', 1, 'scheduled'], ['overdue', '2026-03-09', 1, 'scheduled'],
    ]);
    expect(await reminders(returned)).toEqual([['due_soon', '2026-02-24', 0, 'dropped'], ['overdue', '2026-02-27', 0, 'dropped']]);
    const { rows: all } = await stack.api.database.pool.query<{ fire_on: string }>("SELECT to_char(fire_on, 'YYYY-MM-DD') AS fire_on FROM notification_reminders");
    for (const { fire_on } of all) expect(calendar.isWorkingDay(fire_on)).toBe(true);

    // Tuesday 24 February, 08:05 in Vietnam: due_soon for the one still at the commune.
    const isReminder = (subject: string): boolean => /Sắp đến hạn|Quá hạn|Due on|Overdue/.test(subject);
    const reminderMails = (received: readonly { subject: string }[]): number => received.filter((m) => isReminder(m.subject)).length;
    await advanceTo('2026-02-24T01:05:00Z');
    await stack.peer.until((r) => reminderMails(r) >= 2, 30_000, 'due_soon mails');
    // Wednesday 25 February: nothing is due.
    await advanceTo('2026-02-25T01:05:00Z');
    // Friday 27 February: overdue, to the officers and to the deciders of the province above.
    await advanceTo('2026-02-27T01:05:00Z');
    await stack.peer.until((r) => reminderMails(r) >= 5, 30_000, 'overdue mails');
    await stack.settled();

    const mails = stack.peer.received.filter((m) => isReminder(m.subject)).map((m) => [m.to[0], m.subject]).sort();
    expect(mails).toEqual([
      ['duyen.ct@chienglao.sonla.gov.vn', '[Khen thưởng] Quá hạn xử lý (hạn 26/02/2026): Trường Tiểu học Chiềng Lao – Bằng khen của Chủ tịch UBND tỉnh'],
      ['duyen.ct@chienglao.sonla.gov.vn', '[Khen thưởng] Sắp đến hạn xử lý (26/02/2026): Trường Tiểu học Chiềng Lao – Bằng khen của Chủ tịch UBND tỉnh'],
      ['hung.lv@chienglao.sonla.gov.vn', "[Awards] Due on 26 February 2026: Trường Tiểu học Chiềng Lao – Certificate of Merit of the Provincial People's Committee Chairman"],
      ['hung.lv@chienglao.sonla.gov.vn', "[Awards] Overdue (due 26 February 2026): Trường Tiểu học Chiềng Lao – Certificate of Merit of the Provincial People's Committee Chairman"],
      ['viet.nd@sonla.gov.vn', '[Khen thưởng] Quá hạn xử lý (hạn 26/02/2026): Trường Tiểu học Chiềng Lao – Bằng khen của Chủ tịch UBND tỉnh'],
    ].sort());
    expect(await reminders(stays)).toEqual([['due_soon', '2026-02-24', 0, 'fired'], ['overdue', '2026-02-27', 0, 'fired']]);
  });

  it('reads the log when a reminder fires: a nomination that moved on is not reminded even if the reminder was not yet dropped', async () => {
    const nominations = new Nominations(new PostgresEventStore(stack.api.database.pool));
    now = new Date('2026-03-02T03:00:00Z');
    const moved = await nominations.createAndSubmit('Tổ dân phố số 3', '2026-03-02T03:00:00Z');
    await stack.dispatched();
    await nominations.run(moved, communeOfficer, { type: 'ApproveNomination', comment: null }, '2026-03-03T03:00:00Z');
    await stack.dispatched();
    // As if the dispatcher had not seen the approval yet: the old visit's reminder is still scheduled.
    const { rows } = await stack.api.database.pool.query<{ id: string }>(
      "UPDATE notification_reminders SET status = 'scheduled' WHERE nomination_id = $1 AND stage_index = 0 AND kind = 'overdue' RETURNING id", [moved],
    );
    now = new Date('2026-04-01T03:00:00Z');
    const before = (await stack.outbox()).length;
    expect(await stack.worker!.get(ReminderService).fire(rows[0]!.id)).toEqual({ kind: 'dropped' });
    expect((await stack.outbox()).length).toBe(before);
    // The stage it moved to still fires.
    const { rows: current } = await stack.api.database.pool.query<{ id: string }>(
      "SELECT id FROM notification_reminders WHERE nomination_id = $1 AND stage_index = 1 AND kind = 'overdue'", [moved],
    );
    expect(await stack.worker!.get(ReminderService).fire(current[0]!.id)).toMatchObject({ kind: 'fired' });
    expect(await stack.worker!.get(ReminderService).fire(current[0]!.id)).toEqual({ kind: 'skipped' });
    void MAIL_QUEUE;
    void SCHEDULE_QUEUE;
  });
});

describe('the daily digest', () => {
  let stack: NotificationStack;
  let now = new Date();
  beforeAll(async () => {
    stack = await NotificationStack.start();
    await stack.putStaff([
      STAFF[0]!, STAFF[1]!,
      { ...STAFF[2]!, notifications: 'daily_digest' },
    ]);
    await stack.startWorker(() => now);
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
  }, 120_000);

  it('collects a busy officer\'s day into one mail at 07:30 on the next working day', async () => {
    const nominations = new Nominations(new PostgresEventStore(stack.api.database.pool));
    const names = ['Trường Mầm non Hoa Ban', 'Trường Tiểu học Nà Lốc', 'Trường THCS Chiềng Lao', 'Trạm Y tế xã', 'Đội văn nghệ bản Nà Lốc'];
    for (const name of names) await nominations.createAndSubmit(name, new Date().toISOString());
    await stack.dispatched();
    await stack.peer.until((r) => r.length >= names.length, 30_000, 'the immediate mails');
    await stack.settled();
    expect(stack.peer.received.every((m) => m.to[0] === 'duyen.ct@chienglao.sonla.gov.vn')).toBe(true);
    const waiting = (await stack.outbox()).filter((r) => r.delivery === 'digest');
    expect(waiting.map((r) => r.recipient_email)).toEqual(names.map(() => 'hung.lv@chienglao.sonla.gov.vn'));

    // The next working day at 07:31 Vietnam time.
    let day = vietnamDate(new Date());
    do day = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10); while (!calendar.isWorkingDay(day));
    now = new Date(vietnamInstant(day, '07:31').getTime());
    await stack.sweep();
    await stack.sweep();
    await stack.peer.until((r) => r.length >= names.length + 1, 30_000, 'the digest');
    await stack.settled();

    const digests = stack.peer.received.filter((m) => m.to[0] === 'hung.lv@chienglao.sonla.gov.vn');
    expect(digests).toHaveLength(1);
    const [y, m, d] = day.split('-').map(Number);
    expect(digests[0]!.subject).toBe(`[Awards] Daily summary for ${d} ${new Date(Date.UTC(y!, m! - 1, d!)).toLocaleString('en-GB', { month: 'long', timeZone: 'UTC' })} ${y}: 5 notifications`);
    for (const name of names) expect(digests[0]!.decoded).toContain(name);
    const rows = await stack.outbox();
    expect(rows.filter((r) => r.delivery === 'digested')).toHaveLength(names.length);
    expect(rows.filter((r) => r.template === 'daily_digest')).toHaveLength(1);
    // Later the same morning, and after a worker restart: no second digest.
    now = new Date(vietnamInstant(day, '09:00').getTime());
    await stack.stopWorker();
    await stack.startWorker(() => now);
    await stack.sweep();
    expect((await stack.outbox()).filter((r) => r.template === 'daily_digest')).toHaveLength(1);
  });

  it('sends nothing to an officer deactivated while items waited for their digest, and lists those items as failed', async () => {
    const nominations = new Nominations(new PostgresEventStore(stack.api.database.pool));
    const id = await nominations.createAndSubmit('Hợp tác xã chè Chiềng Lao', now.toISOString());
    await stack.dispatched();
    await stack.settled();
    const waiting = (await stack.outbox()).filter((r) => r.delivery === 'digest' && r.nomination_id === id);
    expect(waiting.map((r) => r.recipient_email)).toEqual(['hung.lv@chienglao.sonla.gov.vn']);
    // The officer leaves (PUT /staff/{id} active:false) before the next digest: API.md, "active staff".
    await stack.putStaff([{ ...STAFF[2]!, notifications: 'daily_digest', active: false }]);
    const received = stack.peer.received.length;

    let day = vietnamDate(now);
    do day = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10); while (!calendar.isWorkingDay(day));
    now = new Date(vietnamInstant(day, '07:31').getTime());
    await stack.sweep();
    await stack.sweep();
    await stack.settled();

    expect(stack.peer.received.slice(received).filter((m) => m.to[0] === 'hung.lv@chienglao.sonla.gov.vn')).toEqual([]);
    const rows = await stack.outbox();
    expect(rows.filter((r) => r.template === 'daily_digest')).toHaveLength(1);
    expect(rows.find((r) => r.id === waiting[0]!.id)).toMatchObject({ status: 'failed', delivery: 'digest', last_error: expect.stringContaining('inactive') });
  });
});
