import { spawn, type ChildProcess } from 'node:child_process';
import { jest } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { signDevelopmentToken } from '@app/auth';
import { loadConfig, type AppConfig } from '@app/config';
import { createTestDatabase, type TestDatabase } from '@app/database/testing';
import { PostgresEventStore, type RecordedEvent } from '@app/event-store';
import { gso2025, nominationBody2025 } from './support/nomination-fixtures';
import type { TestUser } from './support/test-api';
import { freePort } from './support/free-port';

/*
 * The per-process stream state cache (libs/application/src/stream-state-cache.ts) across two real api
 * processes on one PostgreSQL database. Each process keeps what it last read or wrote of a nomination;
 * the other one's writes are invisible to it until its own append fails on the expected revision.
 * These tests interleave commands on the same nominations between the two and check that every answer
 * and every event is what a serial execution would give: no decision taken on state that was behind.
 */

jest.setTimeout(180_000);

interface Answer {
  readonly status: number;
  readonly body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  readonly etag: string | null;
}

/** One api process (apps/api/src/main.ts compiled on the fly), its own port, its own cache. */
class ApiProcess {
  private output = '';
  private constructor(private readonly child: ChildProcess, readonly url: string) {
    child.stdout!.on('data', (chunk: Buffer) => this.keep(chunk));
    child.stderr!.on('data', (chunk: Buffer) => this.keep(chunk));
  }

  static async start(env: Record<string, string>): Promise<ApiProcess> {
    const port = await freePort();
    const child = spawn(process.execPath, [path.resolve('test/support/run-ts.mjs'), 'apps/api/src/main.ts'], {
      env: { PATH: process.env['PATH'] ?? '', ...env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const api = new ApiProcess(child, `http://127.0.0.1:${port}`);
    const deadline = Date.now() + 120_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`api exited before it was ready:\n${api.output.slice(-3000)}`);
      if (Date.now() > deadline) throw new Error(`api not ready in time:\n${api.output.slice(-3000)}`);
      const ready = await fetch(`${api.url}/health/live`).then((r) => r.ok, () => false);
      if (ready) return api;
      // Polling the port: the process gives no other signal that it listens.
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  async post(token: string, url: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    const response = await fetch(`${this.url}${url}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: await response.json(), etag: response.headers.get('etag') };
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }

  private keep(chunk: Buffer): void {
    this.output = (this.output + chunk.toString('utf8')).slice(-20_000);
  }
}

let database: TestDatabase;
let config: AppConfig;
let store: PostgresEventStore;
let a: ApiProcess;
let b: ApiProcess;
const tokens = new Map<string, string>();

async function token(user: TestUser): Promise<string> {
  let value = tokens.get(user.sub);
  if (value === undefined) {
    value = await signDevelopmentToken({ sub: user.sub, name: user.name, roles: user.roles, unit: user.unit, codeSet: user.codeSet! }, config);
    tokens.set(user.sub, value);
  }
  return value;
}

const { proposer, communeOfficer, provinceOfficer } = gso2025;
const returnBody = { reason: 'Thiếu biên bản họp Hội đồng Thi đua - Khen thưởng xã.', missing: ['council_minutes'] };
const approveBody = { comment: 'Đủ điều kiện, đề nghị cấp trên xem xét.' };

async function events(id: string): Promise<readonly RecordedEvent[]> {
  return store.readStream(`nomination-${id}`);
}

/** Creates and submits through `api` and approves at the commune: the nomination waits at the province. */
async function atProvince(api: ApiProcess): Promise<string> {
  const created = await api.post(await token(proposer), '/nominations', nominationBody2025());
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  expect((await api.post(await token(proposer), `/nominations/${id}/submit`, {})).status).toBe(200);
  expect((await api.post(await token(communeOfficer), `/nominations/${id}/approve`, approveBody)).status).toBe(200);
  return id;
}

beforeAll(async () => {
  database = await createTestDatabase();
  const env = {
    NODE_ENV: 'test',
    DATABASE_URL: database.url,
    DATABASE_POOL_MAX: '5',
    API_PROCESSES: '1',
    METRICS_PORT: '0',
    QUEUE_PREFIX: `race-${process.pid}-${randomBytes(4).toString('hex')}`,
    LOG_LEVEL: 'warn',
    AUDIT_SIGNING_KEY: randomBytes(32).toString('base64url'),
    AUDIT_SEAL_EVERY: '24h',
    MAIL_DIR: path.join(tmpdir(), `nomination-race-mail-${process.pid}`),
    DEMO: 'off',
  };
  config = loadConfig(env);
  store = new PostgresEventStore(database.pool);
  // One after the other: the first migrates the database.
  a = await ApiProcess.start(env);
  b = await ApiProcess.start(env);
});

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await store?.close();
  await database?.drop();
});

describe('stream state cache across two api processes', () => {
  it('an approval from A on its cached state after B returned the nomination is refused as a serial run refuses it, and writes nothing', async () => {
    const id = await atProvince(a); // A holds the nomination at the province stage, under review
    const returned = await b.post(await token(provinceOfficer), `/nominations/${id}/return`, returnBody);
    expect(returned.status).toBe(200);
    expect(returned.body.status).toBe('returned');

    // A's cache still says "under review at the province": its append must conflict, and the retry on
    // the fresh stream finds it returned.
    const late = await a.post(await token(provinceOfficer), `/nominations/${id}/approve`, approveBody);

    expect(late.status).toBeGreaterThanOrEqual(400);
    expect(late.status).toBeLessThan(500);
    const types = (await events(id)).map((e) => e.type);
    expect(types).toEqual(['NominationCreated', 'NominationSubmitted', 'StageApproved', 'NominationReturned']);

    // The proposer resubmits through B (back to the province stage, DOMAIN.md); A, whose cache now says
    // "returned", approves at the province: refused on the cache, confirmed on a fresh read, written.
    expect((await b.post(await token(proposer), `/nominations/${id}/submit`, {})).status).toBe(200);
    const again = await a.post(await token(provinceOfficer), `/nominations/${id}/approve`, approveBody);

    expect(again.status).toBe(200);
    const serial = await events(id);
    expect(serial.slice(0, 6).map((e) => e.type)).toEqual([
      'NominationCreated', 'NominationSubmitted', 'StageApproved', 'NominationReturned', 'NominationSubmitted', 'NominationApproved',
    ]);
    expect(Number(JSON.parse(again.etag!))).toBe(serial.length - 1);
    expect(serial.at(-1)!.type).toBe('NominationApproved');
    expect((serial.at(-1)!.metadata['actor'] as { id: string }).id).toBe(provinceOfficer.sub);
  });

  it('answers an If-Match with the revision B wrote, although A\'s cache is behind it', async () => {
    const id = await atProvince(a);
    const returned = await b.post(await token(provinceOfficer), `/nominations/${id}/return`, returnBody);
    const resubmitted = await b.post(await token(proposer), `/nominations/${id}/submit`, {}, { 'if-match': returned.etag! });
    expect(resubmitted.status).toBe(200);

    // A last wrote revision 2; the client saw B's answer (revision 4) and sends its ETag.
    const current = await a.post(await token(provinceOfficer), `/nominations/${id}/approve`, approveBody, { 'if-match': resubmitted.etag! });
    expect([current.status, current.body.code]).toEqual([200, undefined]);
    expect(Number(JSON.parse(current.etag!))).toBe(5);
    // and one that is really out of date is still refused
    const stale = await a.post(await token(proposer), `/nominations/${id}/withdraw`, { reason: 'Rút để bổ sung' }, { 'if-match': returned.etag! });
    expect(stale.status).toBe(412);
    expect(await events(id)).toHaveLength(6);
  });

  it('interleaved approvals and returns on the same nominations from both processes: exactly one wins each race, and the stream says which', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push(await atProvince(i % 2 === 0 ? a : b));
    // Warm both caches on every nomination (a refused read-only probe would not do: a no-op is never
    // trusted from the cache), then race an approval on one process against a return on the other.
    const rounds = await Promise.all(ids.map(async (id, i) => {
      const [approver, returner] = i % 2 === 0 ? [a, b] : [b, a];
      const [approved, returned] = await Promise.all([
        approver.post(await token(provinceOfficer), `/nominations/${id}/approve`, approveBody),
        returner.post(await token(provinceOfficer), `/nominations/${id}/return`, returnBody),
      ]);
      return { id, approved, returned };
    }));

    for (const { id, approved, returned } of rounds) {
      const stream = await events(id);
      const winners = [approved, returned].filter((r) => r.status === 200);
      expect(winners).toHaveLength(1);
      for (const loser of [approved, returned].filter((r) => r.status !== 200)) expect(loser.status).toBeLessThan(500);
      // Only the winner's events follow the commune approval, and its ETag names the last of them.
      // (an approval at the deciding level, the province, is the NominationApproved event)
      expect(stream[3]!.type).toBe(approved.status === 200 ? 'NominationApproved' : 'NominationReturned');
      expect(new Set(stream.slice(3).map((e) => e.metadata['commandId'])).size).toBe(1);
      expect(Number(JSON.parse(winners[0]!.etag!))).toBe(stream.length - 1);
    }

    // Where the return won, the proposer resubmits through one process and the province approves
    // through the other, each on a stream its own cache has not seen the end of.
    for (const { id, returned } of rounds.filter((r) => r.returned.status === 200)) {
      const [first, second] = rounds.findIndex((r) => r.returned === returned) % 2 === 0 ? [a, b] : [b, a];
      const resubmitted = await second.post(await token(proposer), `/nominations/${id}/submit`, {});
      const approved = await first.post(await token(provinceOfficer), `/nominations/${id}/approve`, approveBody);
      expect([resubmitted.status, approved.status]).toEqual([200, 200]);
      const stream = await events(id);
      expect(stream.slice(3).map((e) => e.type)).toEqual(['NominationReturned', 'NominationSubmitted', 'NominationApproved']);
      expect(Number(JSON.parse(approved.etag!))).toBe(stream.length - 1);
    }
  });
});
