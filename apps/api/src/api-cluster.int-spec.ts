import { spawn } from 'node:child_process';
import cluster, { type Worker } from 'node:cluster';
import { get } from 'node:http';
import { resolve } from 'node:path';
import pino from 'pino';
import { superviseApiProcesses, type ApiProcessGroup } from './api-cluster';
import { freePort } from '../../../test/support/free-port';

/*
 * The supervisor with real processes: node's cluster forks a stand-in api (test/support/fixtures/
 * cluster-worker.cjs) that shares one port, answers with its pid and counts requests in prom-client.
 */

function fetchText(port: number, path: string): Promise<string> {
  return new Promise((done, fail) => {
    // A fresh connection per request, so the primary hands each one to the next process in turn.
    get({ host: '127.0.0.1', port, path, agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => done(body));
    }).on('error', fail);
  });
}

/** Resolves when `count` more processes have started listening. */
function listening(count: number): Promise<Worker[]> {
  return new Promise((done) => {
    const workers: Worker[] = [];
    const onListening = (worker: Worker): void => {
      workers.push(worker);
      if (workers.length === count) {
        cluster.off('listening', onListening);
        done(workers);
      }
    };
    cluster.on('listening', onListening);
  });
}

const logger = pino({ level: 'silent' });
let port: number;
let group: ApiProcessGroup | undefined;

beforeEach(async () => {
  port = await freePort();
  cluster.setupPrimary({ exec: resolve('test/support/fixtures/cluster-worker.js'), args: [String(port)] });
});

afterEach(async () => {
  await group?.stop();
  group = undefined;
});

describe('superviseApiProcesses', () => {
  it('runs the processes on one port, each answering in turn', async () => {
    const started = listening(2);
    group = superviseApiProcesses(2, logger);
    const workers = await started;

    const pids = new Set<string>();
    for (let i = 0; i < 6; i++) pids.add(await fetchText(port, '/'));

    expect(pids).toEqual(new Set(workers.map((w) => String(w.process.pid))));
  });

  it('starts another process when one dies, and keeps serving', async () => {
    const started = listening(2);
    group = superviseApiProcesses(2, logger);
    const [victim, survivor] = await started;
    const replacement = listening(1);

    victim!.process.kill('SIGKILL');
    const [fresh] = await replacement;

    const pids = new Set<string>();
    for (let i = 0; i < 6; i++) pids.add(await fetchText(port, '/'));
    expect(pids).toEqual(new Set([String(survivor!.process.pid), String(fresh!.process.pid)]));
    expect(Object.keys(cluster.workers ?? {})).toHaveLength(2);
  });

  it('answers /metrics with every process counted, whichever process the scrape reaches', async () => {
    const started = listening(2);
    group = superviseApiProcesses(2, logger);
    await started;
    for (let i = 0; i < 10; i++) await fetchText(port, '/');

    const metrics = await fetchText(port, '/metrics');

    // Ten requests spread over both processes, plus the scrape itself: one process alone would report about half.
    expect(metrics).toMatch(/^fixture_requests_total 11$/m);
  });

  it('keeps restarting, backing off, while every process dies as it starts (the primary does not quit)', async () => {
    // A primary in a process of its own: in this one jest would keep the event loop alive anyway.
    const primary = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/support/fixtures/cluster-primary.ts', resolve('test/support/fixtures/cluster-dying-worker.js')],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      const outcome = await new Promise<{ restarts: number[] } | { exited: number | null }>((done) => {
        const restarts: number[] = [];
        let buffered = '';
        primary.stdout.setEncoding('utf8');
        primary.stdout.on('data', (chunk: string) => {
          buffered += chunk;
          const lines = buffered.split('\n');
          buffered = lines.pop()!;
          for (const line of lines) {
            if (!line.startsWith('{')) continue;
            const entry = JSON.parse(line) as { msg?: string; restartInMs?: number };
            if (entry.msg === 'api process died; starting another') restarts.push(entry.restartInMs!);
          }
          // Both first processes died and one of their replacements did too: a third round was scheduled.
          if (restarts.length >= 3) done({ restarts });
        });
        primary.on('exit', (code) => done({ exited: code }));
      });
      // Not `{ exited: 0 }`: with nothing left to wait for, the primary used to quit, silently and with success.
      expect(outcome).toEqual({ restarts: expect.arrayContaining([1000, 2000, 4000]) });
    } finally {
      primary.kill('SIGKILL');
    }
  });

  it('stops every process and resolves once they have exited', async () => {
    const started = listening(2);
    const running = superviseApiProcesses(2, logger);
    const workers = await started;

    await running.stop();

    expect(workers.every((w) => w.isDead())).toBe(true);
    expect(Object.keys(cluster.workers ?? {})).toHaveLength(0);
  });
});
