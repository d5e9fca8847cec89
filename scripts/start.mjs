#!/usr/bin/env node
// `npm start`: build, then run one api and one worker side by side with the default configuration.
// Each process creates the database if missing and migrates it (safely, under an advisory lock).
// In development, once the api is ready, an empty event log gets the Mường La demo (`npm run demo
// -- --if-empty`); DEMO=off skips it, and it never runs with NODE_ENV=production.
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

async function loadDemoWhenReady() {
  const port = process.env.PORT ?? '3000';
  const ready = `http://127.0.0.1:${port}/health/ready`;
  for (let attempt = 0; attempt < 120 && !stopping; attempt += 1) {
    try {
      if ((await fetch(ready)).ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  if (stopping) return;
  const demo = spawn('npm', ['run', '--silent', 'demo', '--', '--if-empty'], {
    stdio: 'inherit', env: { ...process.env, API_URL: process.env.API_URL ?? `http://127.0.0.1:${port}` },
  });
  demo.on('exit', (code) => {
    if (code !== 0) process.stderr.write(`${JSON.stringify({ level: 'error', service: 'start', msg: 'demo failed; the service keeps running', code })}\n`);
  });
}

let stopping = false;
function stop(code) {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.on('exit', r)) : null))).then(() => process.exit(code));
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

const demoWanted = process.env.DEMO !== 'off' && (process.env.NODE_ENV ?? 'development') === 'development';
if (demoWanted) void loadDemoWhenReady();
