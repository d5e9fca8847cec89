#!/usr/bin/env node
// Runs a TypeScript entry point of this repository in a child process, compiled on the fly by swc with
// decorator metadata (which Nest's dependency injection needs and tsx/esbuild does not emit), resolving
// the @app/* aliases to libs/*/src. Tests use it to run the real worker, so that it can be SIGKILLed.
//   node test/support/run-ts.mjs apps/worker/src/main.ts
import { readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformSync } from '@swc/core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const swc = {
  jsc: { parser: { syntax: 'typescript', decorators: true }, transform: { legacyDecorator: true, decoratorMetadata: true }, target: 'es2022' },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};

Module._extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(readFileSync(filename, 'utf8'), { ...swc, filename });
  module._compile(code, filename);
};

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function resolveAlias(request, parent, ...rest) {
  const alias = /^@app\/([a-z-]+)(\/testing)?$/.exec(request);
  const target = alias ? path.join(root, 'libs', alias[1], 'src', alias[2] ? 'testing' : '', 'index.ts') : request;
  return resolveFilename.call(this, target, parent, ...rest);
};

const entry = process.argv[2];
if (!entry) {
  process.stderr.write('usage: node test/support/run-ts.mjs <entry.ts> [args]\n');
  process.exit(2);
}
process.argv.splice(2, 1);
createRequire(import.meta.url)(path.resolve(entry));
