// Runs before `npm test` (npm's pretest): the console's browser tests drive Debian's Chromium through
// playwright-core, which never downloads a browser. On a fresh machine of this kind Chromium is not
// installed yet: install it from Debian's packages when we may (root with apt-get), else say how.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const CHROMIUM = '/usr/bin/chromium';

if (existsSync(CHROMIUM)) process.exit(0);

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
if (!isRoot || !hasApt) {
  console.error(`${CHROMIUM} is missing: the console's browser tests need Debian's Chromium. Install it with\n  sudo apt-get install -y chromium\nand run npm test again.`);
  process.exit(1);
}

console.log(`${CHROMIUM} is missing: installing Debian's chromium package for the console's browser tests`);
for (const args of [['update'], ['install', '-y', 'chromium']]) {
  const run = spawnSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (run.status !== 0) {
    console.error(`apt-get ${args.join(' ')} failed (exit ${run.status}); install chromium and run npm test again.`);
    process.exit(1);
  }
}
if (!existsSync(CHROMIUM)) {
  console.error(`apt-get installed chromium but ${CHROMIUM} is still missing.`);
  process.exit(1);
}
