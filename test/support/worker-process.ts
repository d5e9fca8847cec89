import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

/**
 * The real worker (apps/worker/src/main.ts) in a child process, compiled on the fly (test/support/run-ts.mjs),
 * so tests can kill it like an operator or the kernel would.
 */
export class WorkerProcess {
  private output = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(private readonly child: ChildProcess) {
    child.stdout!.on('data', (chunk: Buffer) => this.keep(chunk));
    child.stderr!.on('data', (chunk: Buffer) => this.keep(chunk));
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  static start(env: Record<string, string>): WorkerProcess {
    const child = spawn(process.execPath, [path.resolve('test/support/run-ts.mjs'), 'apps/worker/src/main.ts'], {
      env: { PATH: process.env['PATH'] ?? '', NODE_ENV: 'test', LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new WorkerProcess(child);
  }

  /** Resolves once the worker logged that it started (its consumers and processors are running). */
  async started(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.output.includes('"msg":"worker started"')) {
      if (this.child.exitCode !== null) throw new Error(`worker exited before starting:\n${this.tail()}`);
      if (Date.now() > deadline) throw new Error(`worker did not start within ${timeoutMs} ms:\n${this.tail()}`);
      await Promise.race([new Promise<void>((resolve) => this.child.stdout!.once('data', () => resolve())), this.exited]);
    }
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  tail(lines = 30): string {
    return this.output.split('\n').slice(-lines).join('\n');
  }

  private keep(chunk: Buffer): void {
    this.output = (this.output + chunk.toString('utf8')).slice(-200_000);
  }
}
