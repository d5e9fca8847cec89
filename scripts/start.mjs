#!/usr/bin/env node
// `npm start`: build, then run one api and one worker side by side with the default configuration.
// Each process creates the database if missing and migrates it (safely, under an advisory lock).
import { spawn, spawnSync } from 'node:child_process';

const build = spawnSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const children = [
  ['api', 'dist/apps/api/apps/api/src/main.js'],
  ['worker', 'dist/apps/worker/apps/worker/src/main.js'],
].map(([name, entry]) => {
  const child = spawn(process.execPath, ['--enable-source-maps', entry], { stdio: 'inherit', env: process.env });
  child.on('exit', (code, signal) => {
    if (stopping) return;
    process.stderr.write(`${JSON.stringify({ level: 'fatal', service: 'start', msg: `${name} exited`, code, signal })}\n`);
    stop(code ?? 1);
  });
  return child;
});

let stopping = false;
function stop(code) {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.on('exit', r)) : null))).then(() => process.exit(code));
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
