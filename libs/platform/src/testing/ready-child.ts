import { type ChildProcess, spawn } from 'node:child_process';

/**
 * Starts `script` (a TypeScript file, relative to the repository root) in a child node process and
 * resolves once it prints `ready`. tsx runs as a loader of that very process (not its CLI, which would
 * run the script in a grandchild that a SIGKILL of the child would leave running). The child is kept in
 * `children` while it lives, for the test's afterEach to kill.
 */
export function startReadyChild(script: string, env: NodeJS.ProcessEnv, children: Set<ChildProcess>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { ...process.env, TSX_TSCONFIG_PATH: 'tsconfig.json', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    children.add(child);
    child.once('exit', () => children.delete(child));
    child.once('error', reject);
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve(child);
    });
  });
}
