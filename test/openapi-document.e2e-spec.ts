import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { TestApi } from './support/test-api';
import { typeHoles } from './support/type-holes';

/*
 * The served OpenAPI document as validators and generators read it (`npm run lint:openapi` runs just
 * this file). It is written to var/openapi/ (openapi.json and the openapi-typescript types beside it)
 * for whoever wants to look at what was checked.
 */
const OUT = resolve('var/openapi');
const documentFile = `${OUT}/openapi.json`;
const typesFile = `${OUT}/openapi.d.ts`;

function run(command: string, args: string[]): { status: number | null; output: string } {
  const result = spawnSync('npx', ['--no-install', command, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { status: result.status, output: `${result.stdout}\n${result.stderr}` };
}

describe('the OpenAPI document', () => {
  beforeAll(async () => {
    const api = await TestApi.start();
    try {
      const response = await api.request({ method: 'GET', url: '/docs-json' });
      expect(response.statusCode).toBe(200);
      mkdirSync(OUT, { recursive: true });
      writeFileSync(documentFile, `${JSON.stringify(response.json(), null, 2)}\n`);
    } finally {
      await api.close();
    }
  });

  it('passes redocly lint with the recommended rules, without a single error', () => {
    const lint = run('redocly', ['lint', '--config', 'redocly.yaml', '--format', 'stylish', documentFile]);
    if (lint.status !== 0) throw new Error(`redocly lint failed:\n${lint.output}`);
    expect(lint.output).toMatch(/valid/i);
  });

  it('generates TypeScript types with no untyped holes', () => {
    const generated = run('openapi-typescript', [documentFile, '--output', typesFile]);
    if (generated.status !== 0) throw new Error(`openapi-typescript failed:\n${generated.output}`);
    // POST /nominations/{id}/submit takes `{}`: an object with no members is its exact type.
    expect(typeHoles(typesFile, ['SubmitNominationDto', 'EmptyBodyDto'])).toEqual([]);
  });
});
