/*
 * The top frames of one or more .cpuprofile files (bench/cpu-profile-hook.mjs, `node --cpu-prof`):
 * self time per function and per package, as a share of all samples.
 *
 *   npx tsx bench/profile-summary.ts var/profile/*.cpuprofile [top]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}
interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const args = process.argv.slice(2);
const top = /^\d+$/.test(args[args.length - 1] ?? '') ? Number(args.pop()) : 30;
const byFrame = new Map<string, number>();
const byPackage = new Map<string, number>();
let total = 0;

/** node_modules/<pkg> (scoped too), or the project's own folder (libs/x, apps/x), or node internals. */
function packageOf(url: string): string {
  if (url === '') return '(native / V8)';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.startsWith('node:')) return 'node:' + url.slice(5).split('/')[0];
  const own = /\/(apps|libs)\/([^/]+)\//.exec(url);
  return own ? `${own[1]}/${own[2]}` : url;
}

for (const file of args) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  // The profiler's own start call (the hook's Session.post) collects samples of its own: not the api's.
  const ofHook = (id: number): boolean => {
    for (let at: number | undefined = id; at !== undefined; at = parents.get(at)) {
      if (nodes.get(at)!.callFrame.url.includes('cpu-profile-hook')) return true;
    }
    return false;
  };
  profile.samples.forEach((id, index) => {
    const node = nodes.get(id)!;
    if (ofHook(id)) return;
    const micros = profile.timeDeltas[index] ?? 0;
    const { functionName, url, lineNumber } = node.callFrame;
    // Idle time is the api waiting for work: not part of what a command costs.
    if (functionName === '(idle)') return;
    const short = url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(apps|libs|dist)\//, '$1/');
    const frame = `${functionName || '(anonymous)'} ${short}:${lineNumber + 1}`;
    byFrame.set(frame, (byFrame.get(frame) ?? 0) + micros);
    byPackage.set(packageOf(url), (byPackage.get(packageOf(url)) ?? 0) + micros);
    total += micros;
  });
}

const table = (map: Map<string, number>, n: number): void => {
  console.table([...map].sort((a, b) => b[1] - a[1]).slice(0, n).map(([name, micros]) => ({ name, 'self %': Math.round((1000 * micros) / total) / 10 })));
};
console.log(`${args.length} profile(s), ${(total / 1e6).toFixed(1)} s sampled`);
console.log('\nSelf time by package');
table(byPackage, 25);
console.log('\nSelf time by function');
table(byFrame, top);
