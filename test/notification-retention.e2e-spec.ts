import { createAndSubmit, gso2004, nominationBody } from './support/nomination-fixtures';
import { NotificationStack } from './support/notification-stack';

/*
 * Outbox retention (NOTIFICATION_RETENTION_DAYS): the worker purges sent notifications past it, and a
 * purged notification is never sent again, even when the dispatcher's checkpoint is rewound and the log
 * handled from its start.
 */

const OFFICERS = [
  { id: 'o-03814', name: 'Cầm Văn Thanh', email: 'thanh.cv@chienglao.muongla.gov.vn', unit: '03814', codeSet: 'gso-2004' as const, roles: ['officer'] },
  { id: 'o2-03814', name: 'Lường Thị Mai', email: 'mai.lt@chienglao.muongla.gov.vn', unit: '03814', codeSet: 'gso-2004' as const, roles: ['officer'] },
];

describe('outbox retention', () => {
  let stack: NotificationStack;
  beforeAll(async () => {
    stack = await NotificationStack.start({ NOTIFICATION_RETENTION_DAYS: '365' });
    await stack.putStaff(OFFICERS);
    await stack.startWorker();
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
  }, 120_000);

  const pool = () => stack.api.database.pool;
  const checkpoint = async (): Promise<string | null> =>
    (await pool().query<{ position: string | null }>("SELECT position::text AS position FROM subscription_checkpoints WHERE name = 'notification-dispatcher'")).rows[0]!.position;

  it('purges sent rows past the retention, and never re-sends them when the dispatcher handles the log again', async () => {
    const { api, peer } = stack;
    const nominations = [];
    for (const name of ['Bản Nà Lốc', 'Bản Huổi Văn', 'Bản Pá Chặp']) {
      nominations.push(await createAndSubmit(api, gso2004.proposer, nominationBody({ nominee: { kind: 'collective', name, organization: 'Xã Chiềng Lao' } })));
    }
    await stack.dispatched();
    await stack.settled();
    const rows = await stack.outbox();
    expect(rows).toHaveLength(6);
    expect(rows.every((r) => r.status === 'sent' && r.source_position !== null)).toBe(true);
    expect(peer.received).toHaveLength(6);

    // Nothing is old enough yet: a sweep keeps everything.
    await stack.sweep();
    expect(await stack.outbox()).toHaveLength(6);

    // The first two nominations' mails were sent 400 days ago.
    const old = nominations.slice(0, 2).map((n) => n.id);
    await pool().query("UPDATE notification_outbox SET sent_at = now() - interval '400 days' WHERE nomination_id = ANY($1::uuid[])", [old]);
    await stack.sweep();
    const kept = await stack.outbox();
    expect(kept.map((r) => r.id).sort()).toEqual(rows.filter((r) => !old.includes(r.nomination_id!)).map((r) => r.id).sort());
    const horizon = (await pool().query<{ purged_through: string }>('SELECT purged_through::text FROM notification_retention')).rows;
    expect(horizon).toEqual([{ purged_through: await checkpoint() }]);

    // The dispatcher's checkpoint rewound to the start of the log: every event is handled again.
    await stack.stopWorker();
    await pool().query("UPDATE subscription_checkpoints SET position = NULL WHERE name = 'notification-dispatcher'");
    await stack.startWorker();
    await stack.dispatched();
    await stack.sweep();
    await stack.settled();
    expect((await stack.outbox()).map((r) => r.id).sort()).toEqual(kept.map((r) => r.id).sort());
    expect(peer.received).toHaveLength(6);

    // Events after the horizon are told as always.
    await createAndSubmit(api, gso2004.proposer, nominationBody({ nominee: { kind: 'collective', name: 'Bản Co Muông', organization: 'Xã Chiềng Lao' } }));
    await stack.dispatched();
    await peer.until((received) => received.length >= 8, 60_000, 'the mails of the new nomination');
    await stack.settled();
    expect(await stack.outbox()).toHaveLength(kept.length + 2);
    expect(new Set(peer.received.map((m) => m.messageId)).size).toBe(8);
  }, 180_000);
});
