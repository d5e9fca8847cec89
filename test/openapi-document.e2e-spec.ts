import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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

  it('documents every text/csv answer as text with its header line, never as the JSON schema', () => {
    const document = JSON.parse(readFileSync(documentFile, 'utf8'));
    const csv: string[] = [];
    for (const [path, item] of Object.entries<Record<string, { responses: Record<string, { content?: Record<string, { schema: { type?: string; pattern?: string }; example?: string }> }> }>>(document.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        for (const [status, response] of Object.entries(operation.responses ?? {})) {
          const media = response.content?.['text/csv'];
          if (media === undefined) continue;
          csv.push(`${method.toUpperCase()} ${path} ${status}`);
          expect(media.schema).toMatchObject({ type: 'string', contentMediaType: 'text/csv', pattern: expect.stringMatching(/^\^\\uFEFF.+\\r\\n$/) });
          expect(new RegExp(media.schema.pattern!, 'u').test(media.example!)).toBe(true);
        }
        expect(JSON.stringify(operation)).not.toContain('x-csv-response');
      }
    }
    expect(csv.sort()).toEqual(['GET /audit/events 200', 'GET /reports/awards 200']);
  });

  it('names the two 409 reasons of a withdrawal and a rejection, and audit from/to as instants', () => {
    const document = JSON.parse(readFileSync(documentFile, 'utf8'));
    for (const path of ['/nominations/{id}/withdraw', '/nominations/{id}/reject']) {
      const conflict = document.paths[path].post.responses['409'];
      expect(conflict.description).toContain('decision_in_progress');
      const examples = conflict.content['application/problem+json'].examples;
      expect(Object.values(examples).map((e) => (e as { value: { details: { reason: string } } }).value.details.reason)).toEqual(['decision_in_progress', 'on_issued_decision']);
    }
    const parameters: { name: string; description: string; schema: { pattern: string } }[] = document.paths['/audit/events'].get.parameters;
    const from = parameters.find((p) => p.name === 'from')!;
    const to = parameters.find((p) => p.name === 'to')!;
    expect(from.description).toContain('inclusive');
    expect(to.description).toContain('exclusive');
    const instant = new RegExp(from.schema.pattern, 'u');
    expect(['2023-01-01T00:00:00+07:00', '2023-01-01T00:00Z'].map((v) => instant.test(v))).toEqual([true, true]);
    expect(['2023-01-01', '2023-01-01T00:00:00', '2023-W01-1T00:00Z'].map((v) => instant.test(v))).toEqual([false, false, false]);
  });
});
