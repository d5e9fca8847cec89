#!/usr/bin/env node
// `npm run verify:quick`: the same checks as `npm run typecheck && npm run lint`, run side by side where
// they do not depend on each other, so two cores finish them in about two thirds of the time. The
// console's generated API types come first for what reads them (its typecheck and ESLint's typed
// rules); the TypeScript check of the service needs nothing and runs alongside from the start.
// Each check's output is printed whole when it ends; the exit code is the first failure's.
import { spawn } from 'node:child_process';

const bin = (name) => `node_modules/.bin/${name}`;

function run(label, command, args) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const output = [];
    child.stdout.on('data', (chunk) => output.push(chunk));
    child.stderr.on('data', (chunk) => output.push(chunk));
    child.on('error', (error) => output.push(Buffer.from(`${error.message}\n`)));
    child.on('close', (code, signal) => {
      const text = Buffer.concat(output).toString();
      if (text.length > 0) process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
      const status = code ?? (signal === null ? 1 : 128);
      if (status !== 0) process.stderr.write(`verify:quick: ${label} failed (${signal ?? `exit ${status}`})\n`);
      resolve(status);
    });
  });
}

async function sequence(...steps) {
  for (const step of steps) {
    const status = await step();
    if (status !== 0) return status;
  }
  return 0;
}

const statuses = await Promise.all([
  run('typecheck of the service', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']),
  sequence(
    () => run('console API types', 'npm', ['run', '-s', 'console:types']),
    async () => {
      const both = await Promise.all([
        run('typecheck of the console', bin('tsc'), ['-p', 'apps/console/tsconfig.json', '--noEmit']),
        run('lint', bin('eslint'), ['--max-warnings', '0', 'apps', 'libs', 'test', 'scripts', 'bench']),
      ]);
      return both.find((status) => status !== 0) ?? 0;
    },
  ),
]);
process.exit(statuses.find((status) => status !== 0) ?? 0);
