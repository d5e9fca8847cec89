import { createNomination, gso2025, nominationBody2025 } from './support/nomination-fixtures';
import { TestApi } from './support/test-api';

describe('event metadata: who did what, for which request, from where', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await TestApi.start();
  });
  afterAll(async () => {
    await api.close();
  });

  it('records actor, command id, correlation id, client IP and user agent on every event', async () => {
    const response = await api.request({
      method: 'POST',
      url: '/nominations',
      as: gso2025.proposer,
      body: nominationBody2025(),
      headers: { 'x-request-id': 'req-metadata-1', 'user-agent': 'QuanLyThiDua/1.0', 'idempotency-key': 'metadata-key-1' },
    });
    expect(response.statusCode).toBe(201);
    const id = response.json().id as string;
    const { rows } = await api.database.pool.query<{ metadata: Record<string, unknown>; data: { nominee: { name: string } } }>(
      'SELECT metadata, data FROM events WHERE stream_id = $1 ORDER BY revision',
      [`nomination-${id}`],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.metadata).toMatchObject({
      actor: { id: gso2025.proposer.sub, name: gso2025.proposer.name, unit: '03814', codeSet: 'gso-2025', roles: ['proposer'] },
      correlationId: 'req-metadata-1',
      userAgent: 'QuanLyThiDua/1.0',
      clientIp: expect.any(String),
      commandId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    // Vietnamese text is stored as sent, in NFC, never stripped of its diacritics.
    const sent = (nominationBody2025() as { nominee: { name: string } }).nominee.name;
    expect(rows[0]!.data.nominee.name).toBe(sent.normalize('NFC'));
  });

  it('stores names in NFC whatever normalisation the client sent', async () => {
    const decomposed = 'Trường Mầm non Hoa Ban'.normalize('NFD');
    const view = await createNomination(api, gso2025.proposer, nominationBody2025({ nominee: { kind: 'collective', name: decomposed } }));
    expect(view.nominee.name).toBe('Trường Mầm non Hoa Ban'.normalize('NFC'));
    const { rows } = await api.database.pool.query<{ name: string }>(
      "SELECT data->'nominee'->>'name' AS name FROM events WHERE stream_id = $1",
      [`nomination-${view.id}`],
    );
    expect(rows[0]!.name).toBe('Trường Mầm non Hoa Ban'.normalize('NFC'));
    expect(rows[0]!.name).not.toBe(decomposed);
  });
});
