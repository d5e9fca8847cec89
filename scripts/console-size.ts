/**
 * What a first visit to the console downloads: the JavaScript and CSS that index.html references (the
 * entry script and its module preloads), raw and gzipped, against the 250 KB gzipped JavaScript budget.
 *   npm run bench:console            (builds, then measures dist/console)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export const INITIAL_JS_BUDGET_BYTES = 250 * 1024;

export interface AssetSize {
  readonly file: string;
  readonly raw: number;
  readonly gzip: number;
}

export interface ConsoleDownload {
  readonly initialJs: readonly AssetSize[];
  readonly initialCss: readonly AssetSize[];
  readonly onDemandJs: readonly AssetSize[];
  readonly initialJsGzip: number;
}

export function measureConsoleBuild(dir: string): ConsoleDownload {
  const html = readFileSync(join(dir, 'index.html'), 'utf8');
  const referenced = [...html.matchAll(/(?:src|href)="\/assets\/([^"]+)"/g)].map((m) => m[1]!);
  const measure = (file: string): AssetSize => {
    const bytes = readFileSync(join(dir, 'assets', file));
    return { file, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  };
  const initialJs = referenced.filter((f) => f.endsWith('.js')).map(measure);
  return {
    initialJs,
    initialCss: referenced.filter((f) => f.endsWith('.css')).map(measure),
    onDemandJs: readdirSync(join(dir, 'assets')).filter((f) => f.endsWith('.js') && !referenced.includes(f)).map(measure),
    initialJsGzip: initialJs.reduce((total, a) => total + a.gzip, 0),
  };
}

if (process.argv[1]?.endsWith('console-size.ts')) {
  const size = measureConsoleBuild(process.argv[2] ?? 'dist/console');
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  const line = (label: string, a: AssetSize) => console.log(`${label} ${a.file}: ${kb(a.raw)} raw, ${kb(a.gzip)} gzip`);
  size.initialJs.forEach((a) => line('initial js  ', a));
  size.initialCss.forEach((a) => line('initial css ', a));
  size.onDemandJs.forEach((a) => line('on demand js', a));
  console.log(`initial JavaScript: ${kb(size.initialJsGzip)} gzipped, budget ${kb(INITIAL_JS_BUDGET_BYTES)}`);
  if (size.initialJsGzip > INITIAL_JS_BUDGET_BYTES) process.exit(1);
}
