import { execFile } from 'node:child_process';
import { createPublicKey, verify as verifySignature } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { tamperWithLog } from '@app/event-store/testing';
import { createNomination, expectOk, expectProblem, gso2004, nominationBody } from './support/nomination-fixtures';
import { TestApi, type TestUser } from './support/test-api';

/*
 * The tamper-evidence routes over HTTP: who may call them, what they answer on an intact log, and
 * that a superuser's change in PostgreSQL shows in every one of them. The detection of each kind of
 * change is covered in libs/audit/src/tamper-evidence.int-spec.ts.
 */
const districtAuditor: TestUser = { sub: 'a-120', name: 'Đinh Thị Thanh Tra', roles: ['auditor'], unit: '120', codeSet: 'gso-2004' };
const otherDistrictAuditor: TestUser = { sub: 'a-116', name: 'Bạc Cầm Kiểm', roles: ['auditor'], unit: '116', codeSet: 'gso-2004' };
const admin: TestUser = { sub: 'admin-14', name: 'Quản trị hệ thống', roles: ['admin'], unit: '14', codeSet: 'gso-2004' };

describe('audit verification routes', () => {
  let api: TestApi;
  let nominationId: string;

  beforeAll(async () => {
    api = await TestApi.start();
    nominationId = (await createNomination(api, gso2004.proposer, nominationBody())).id as string;
    await api.logVisible();
  });

  afterAll(async () => {
    await api?.close();
  });

  it('answers 403 to a proposer on every audit route', async () => {
    const seal = { sequence: 1, position: '1', eventCount: 1, root: '0'.repeat(64), previous: '0'.repeat(64), headsDigest: '0'.repeat(64), sealedAt: new Date().toISOString(), keyId: 'k', signature: 's' };
    for (const [method, url, body] of [
      ['GET', '/audit/verify', undefined],
      ['GET', `/audit/verify?nominationId=${nominationId}`, undefined],
      ['POST', '/audit/verify', { seal }],
      ['POST', '/audit/seals', {}],
      ['GET', '/audit/seals/latest', undefined],
      ['GET', '/audit/keys', undefined],
    ] as const) {
      expectProblem(await api.request({ method, url, as: gso2004.proposer, body }), 403, 'forbidden');
    }
  });

  it("verifies a nomination's stream for an auditor whose jurisdiction it is in, and hides it from others", async () => {
    const url = `/audit/verify?nominationId=${nominationId}`;
    expect(expectOk(await api.request({ method: 'GET', url, as: districtAuditor }))).toEqual({ ok: true, checked: 1, sealsChecked: 0, instants: { mac: 1, sealed: 0, uncovered: 0 } });
    expectProblem(await api.request({ method: 'GET', url, as: otherDistrictAuditor }), 404, 'not_found');
    expectProblem(await api.request({ method: 'GET', url: `/audit/verify?nominationId=${nominationId}&decisionId=${nominationId}`, as: districtAuditor }), 400);
    expectProblem(await api.request({ method: 'GET', url: '/audit/verify?nominationId=not-a-uuid', as: districtAuditor }), 400);
    expectProblem(await api.request({ method: 'GET', url: '/audit/verify?stream=x', as: districtAuditor }), 400);
  });

  it('seals on request, returns the latest seal, and publishes the keys that check it offline', async () => {
    expectProblem(await api.request({ method: 'GET', url: '/audit/seals/latest', as: districtAuditor }), 404);
    const created = expectOk(await api.request({ method: 'POST', url: '/audit/seals', as: districtAuditor, body: {} }), 201);
    expect(created).toMatchObject({ sequence: 1, eventCount: 1 });
    await api.logVisible();
    // Only the seal's own event is new: nothing to seal, the latest one comes back.
    expect(expectOk(await api.request({ method: 'POST', url: '/audit/seals', as: admin, body: {} }), 200)).toEqual(created);
    expect(expectOk(await api.request({ method: 'GET', url: '/audit/seals/latest', as: otherDistrictAuditor }))).toEqual(created);

    const { keys } = expectOk(await api.request({ method: 'GET', url: '/audit/keys', as: districtAuditor }));
    expect(keys).toEqual([{ keyId: created.keyId, current: true, jwk: expect.objectContaining({ kty: 'OKP', crv: 'Ed25519', kid: created.keyId }) }]);
    const { signature, ...body } = created as Record<string, unknown>;
    const text = JSON.stringify(Object.fromEntries(Object.entries(body).sort(([a], [b]) => (a < b ? -1 : 1))));
    const publicKey = createPublicKey({ key: keys[0].jwk, format: 'jwk' });
    expect(verifySignature(null, Buffer.from(text), publicKey, Buffer.from(signature as string, 'base64url'))).toBe(true);
  });

  it("shows a superuser's change in the stream's check, the whole log's, and the check against a held seal; undone, all verify", async () => {
    const held = expectOk(await api.request({ method: 'GET', url: '/audit/seals/latest', as: districtAuditor }));
    const stream = `nomination-${nominationId}`;
    await api.database.pool.query('CREATE TABLE nomination_before AS SELECT * FROM events WHERE stream_id = $1', [stream]);
    await tamperWithLog(api.database.pool, [
      { text: `UPDATE events SET data = jsonb_set(data, '{achievements}', '"Thành tích đã bị sửa"') WHERE stream_id = $1`, values: [stream] },
    ]);
    await api.logVisible();
    const broken = { streamId: stream, revision: 0, code: 'hash_mismatch' };
    expect(expectOk(await api.request({ method: 'GET', url: `/audit/verify?nominationId=${nominationId}`, as: districtAuditor }))).toMatchObject({ ok: false, firstBroken: broken });
    const whole = await api.request({ method: 'GET', url: '/audit/verify', as: admin });
    expect(whole.headers['content-type']).toContain('application/json');
    expect(expectOk(whole)).toMatchObject({ ok: false, firstBroken: broken });
    expect(expectOk(await api.request({ method: 'POST', url: '/audit/verify', as: districtAuditor, body: { seal: held } }))).toMatchObject({ ok: false, firstBroken: broken });

    await tamperWithLog(api.database.pool, [
      { text: 'DELETE FROM events WHERE stream_id = $1', values: [stream] },
      'INSERT INTO events SELECT * FROM nomination_before',
    ]);
    expect(expectOk(await api.request({ method: 'GET', url: '/audit/verify', as: districtAuditor }))).toMatchObject({ ok: true, sealsChecked: 1 });
    expect(expectOk(await api.request({ method: 'POST', url: '/audit/verify', as: districtAuditor, body: { seal: held } }))).toMatchObject({ ok: true });
  });

  it("shows a superuser's change of when an event was recorded in every check, naming the event; undone, all verify", async () => {
    const held = expectOk(await api.request({ method: 'GET', url: '/audit/seals/latest', as: districtAuditor }));
    expect(held).toMatchObject({ version: 2 });
    const stream = `nomination-${nominationId}`;
    const { rows: [row] } = await api.database.pool.query<{ position: string }>('SELECT position::text FROM events WHERE stream_id = $1 AND revision = 0', [stream]);
    // Back-dated by a day: the audit trail's "when", ?asOf= and the from/to filters would all move.
    await tamperWithLog(api.database.pool, [{ text: `UPDATE events SET recorded_at = recorded_at - interval '1 day' WHERE stream_id = $1`, values: [stream] }]);
    await api.logVisible();
    const broken = { streamId: stream, revision: 0, position: row!.position, code: 'mac_invalid', problem: expect.stringContaining('recorded instant') };
    expect(expectOk(await api.request({ method: 'GET', url: `/audit/verify?nominationId=${nominationId}`, as: districtAuditor }))).toMatchObject({ ok: false, firstBroken: broken });
    expect(expectOk(await api.request({ method: 'GET', url: '/audit/verify', as: admin }))).toMatchObject({ ok: false, firstBroken: broken });
    expect(expectOk(await api.request({ method: 'POST', url: '/audit/verify', as: districtAuditor, body: { seal: held } }))).toMatchObject({ ok: false, firstBroken: broken });

    await tamperWithLog(api.database.pool, [{ text: 'DELETE FROM events WHERE stream_id = $1', values: [stream] }, 'INSERT INTO events SELECT * FROM nomination_before']);
    expect(expectOk(await api.request({ method: 'GET', url: `/audit/verify?nominationId=${nominationId}`, as: districtAuditor }))).toMatchObject({ ok: true });
    expect(expectOk(await api.request({ method: 'POST', url: '/audit/verify', as: districtAuditor, body: { seal: held } }))).toMatchObject({ ok: true });
  });

  it('never hands out a stored seal that does not check: 409 seal_broken naming what is wrong', async () => {
    const latest = expectOk(await api.request({ method: 'GET', url: '/audit/seals/latest', as: districtAuditor }));
    const pool = api.database.pool;
    await pool.query('CREATE TABLE seals_before AS SELECT * FROM audit_seals');
    try {
      // Rewritten by a superuser: the signature no longer covers it.
      await pool.query(`UPDATE audit_seals SET body = jsonb_set(body, '{eventCount}', to_jsonb((body->>'eventCount')::int + 1)) WHERE sequence = $1`, [latest.sequence]);
      const rewritten = expectProblem(await api.request({ method: 'GET', url: '/audit/seals/latest', as: districtAuditor }), 409, 'seal_broken');
      expect(rewritten.firstBroken).toMatchObject({ streamId: 'audit-seals', code: 'seal_signature_invalid' });
      // Not even a seal any more.
      await pool.query(`UPDATE audit_seals SET body = '{"hello": 1}' WHERE sequence = $1`, [latest.sequence]);
      expectProblem(await api.request({ method: 'GET', url: '/audit/seals/latest', as: districtAuditor }), 409, 'seal_broken');
    } finally {
      await pool.query('DELETE FROM audit_seals; INSERT INTO audit_seals SELECT * FROM seals_before; DROP TABLE seals_before');
    }
    expect(expectOk(await api.request({ method: 'GET', url: '/audit/seals/latest', as: districtAuditor }))).toEqual(latest);
  });

  it('names a removed stream to any auditor, since its unit went with it', async () => {
    const stream = `nomination-${nominationId}`;
    await tamperWithLog(api.database.pool, [{ text: 'DELETE FROM events WHERE stream_id = $1', values: [stream] }]);
    try {
      const answer = expectOk(await api.request({ method: 'GET', url: `/audit/verify?nominationId=${nominationId}`, as: otherDistrictAuditor }));
      expect(answer).toMatchObject({ ok: false, firstBroken: { streamId: stream, code: 'stream_missing' } });
    } finally {
      await tamperWithLog(api.database.pool, ['INSERT INTO events SELECT * FROM nomination_before']);
    }
  });

  it('refuses a held seal that is malformed or not signed by the service', async () => {
    const held = expectOk(await api.request({ method: 'GET', url: '/audit/seals/latest', as: districtAuditor }));
    expectProblem(await api.request({ method: 'POST', url: '/audit/verify', as: districtAuditor, body: { seal: { ...held, extra: 1 } } }), 400);
    expectProblem(await api.request({ method: 'POST', url: '/audit/verify', as: districtAuditor, body: { seal: { ...held, root: 'nothex' } } }), 400);
    expectProblem(await api.request({ method: 'POST', url: '/audit/verify', as: districtAuditor, body: {} }), 400);
    const forged = { ...held, eventCount: held.eventCount + 1 };
    expect(expectOk(await api.request({ method: 'POST', url: '/audit/verify', as: districtAuditor, body: { seal: forged } }))).toMatchObject({
      ok: false,
      firstBroken: { code: 'seal_signature_invalid' },
    });
  });

  it('npm run audit:verify -- --seal seal.json checks the database directly, exit 0 when intact and 1 naming the broken place', async () => {
    const held = expectOk(await api.request({ method: 'GET', url: '/audit/seals/latest', as: districtAuditor }));
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'audit-verify-')), 'seal.json');
    writeFileSync(file, JSON.stringify(held));
    const run = () =>
      new Promise<{ code: number; stdout: string }>((resolve) => {
        execFile(
          process.execPath,
          [path.resolve('node_modules/tsx/dist/cli.mjs'), '--tsconfig', 'tsconfig.json', 'scripts/audit-verify.ts', '--seal', file],
          { env: { ...process.env, NODE_ENV: 'test', DATABASE_URL: api.config.databaseUrl, AUDIT_SIGNING_KEY: api.config.audit.signingKeys!.join(',') } },
          (error, stdout) => resolve({ code: error === null ? 0 : Number((error as { code?: number }).code), stdout }),
        );
      });
    await api.logVisible();
    const intact = await run();
    expect(intact.code).toBe(0);
    expect(JSON.parse(intact.stdout)).toMatchObject({ ok: true });

    const stream = `nomination-${nominationId}`;
    await tamperWithLog(api.database.pool, [{ text: 'DELETE FROM events WHERE stream_id = $1', values: [stream] }]);
    try {
      const broken = await run();
      expect(broken.code).toBe(1);
      expect(JSON.parse(broken.stdout)).toMatchObject({ ok: false, firstBroken: { streamId: stream, code: 'stream_missing' } });
    } finally {
      await tamperWithLog(api.database.pool, ['INSERT INTO events SELECT * FROM nomination_before']);
    }
    // Two runs of the command line, each compiling the script with tsx: longer than jest's default on a busy machine.
  }, 120_000);

  it('records every verification and seal read, with who, what, how many events and the verdict, in GET /audit/reads', async () => {
    const reader: TestUser = { sub: 'a-120-reads', name: 'Hà Văn Đọc', roles: ['auditor'], unit: '120', codeSet: 'gso-2004' };
    await api.logVisible();
    const held = expectOk(await api.request({ method: 'GET', url: '/audit/seals/latest', as: reader }));
    const stream = expectOk(await api.request({ method: 'GET', url: `/audit/verify?nominationId=${nominationId}`, as: reader }));
    const whole = expectOk(await api.request({ method: 'GET', url: '/audit/verify', as: reader }));
    const against = expectOk(await api.request({ method: 'POST', url: '/audit/verify', as: reader, body: { seal: held } }));
    const elsewhere = '00000000-0000-4000-8000-000000000001';
    expectProblem(await api.request({ method: 'GET', url: `/audit/verify?decisionId=${elsewhere}`, as: reader }), 404);

    const { items } = expectOk(await api.request({ method: 'GET', url: `/audit/reads?actor=${reader.sub}`, as: admin }));
    const actor = { id: reader.sub, name: reader.name, unit: '120', roles: ['auditor'] };
    // Newest first.
    expect(items).toEqual([
      expect.objectContaining({ actor, resource: 'audit-verify', filter: { decisionId: elsewhere }, rows: 0, complete: true, result: { found: false } }),
      expect.objectContaining({
        actor, resource: 'audit-verify-seal', filter: { seal: { sequence: held.sequence, position: held.position, root: held.root, keyId: held.keyId } },
        rows: against.checked, complete: true, result: { ok: true, sealsChecked: against.sealsChecked },
      }),
      expect.objectContaining({ actor, resource: 'audit-verify', filter: {}, rows: whole.checked, complete: true, result: { ok: true, sealsChecked: whole.sealsChecked } }),
      expect.objectContaining({ actor, resource: 'audit-verify', filter: { nominationId }, rows: stream.checked, complete: true, result: { ok: true, sealsChecked: stream.sealsChecked } }),
      expect.objectContaining({ actor, resource: 'audit-seal', filter: {}, rows: 1, complete: true, result: { sequence: held.sequence, position: held.position } }),
    ]);
    expect(whole.checked).toBeGreaterThan(1);
    // An auditor of the reader's district sees these reads as well; one of another district does not.
    expect(expectOk(await api.request({ method: 'GET', url: `/audit/reads?actor=${reader.sub}`, as: districtAuditor })).items).toHaveLength(5);
    expect(expectOk(await api.request({ method: 'GET', url: `/audit/reads?actor=${reader.sub}`, as: otherDistrictAuditor })).items).toHaveLength(0);
  });
});
