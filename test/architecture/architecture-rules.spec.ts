import { ESLint } from 'eslint';

/**
 * The architecture rules live in eslint.config.mjs and run in `npm run verify:quick`. These specs prove
 * the rules actually fire, so a config edit cannot silently disable them.
 */
const eslint = new ESLint({ cwd: process.cwd() });

async function violations(filePath: string, code: string, ruleId = 'no-restricted-imports'): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((m) => m.ruleId === ruleId).map((m) => m.message);
}

describe('architecture rules', () => {
  it.each([
    ["import { Injectable } from '@nestjs/common';", 'NestJS'],
    ["import { Pool } from 'pg';", 'a driver'],
    ["import { Queue } from 'bullmq';", 'BullMQ'],
    ["import { Redis } from 'ioredis';", 'Redis'],
    ["import { readFileSync } from 'node:fs';", 'file I/O'],
    ["import { loadConfig } from '@app/config';", 'another lib'],
  ])('refuses %s in libs/nomination (%s)', async (code) => {
    expect(await violations('libs/nomination/src/nomination.decide.ts', `${code}\nexport const x = 1;\n`)).toHaveLength(1);
  });

  it('lets the domain import its own files and node:crypto', async () => {
    const code = "import { createHash } from 'node:crypto';\nimport { y } from './stage-route';\nexport const x = [createHash, y];\n";
    expect(await violations('libs/nomination/src/nomination.decide.ts', code)).toEqual([]);
  });

  it('refuses an app importing another app', async () => {
    expect(await violations('apps/api/src/x.ts', "import { WorkerModule } from '../../worker/src/worker.module';\nexport const x = WorkerModule;\n")).toHaveLength(1);
    expect(await violations('apps/worker/src/x.ts', "import { ApiModule } from '../../api/src/api.module';\nexport const x = ApiModule;\n")).toHaveLength(1);
  });

  it('refuses reaching into a lib past its index', async () => {
    expect(await violations('apps/api/src/x.ts', "import { x } from '@app/event-store/src/postgres/postgres-event-store';\nexport const y = x;\n")).toHaveLength(1);
    expect(await violations('apps/api/src/x.ts', "import { x } from '../../../libs/event-store/src/hash-chain';\nexport const y = x;\n")).toHaveLength(1);
  });

  it.each([
    ['libs/application/src/issue-decision.handler.ts', "import { Pool } from 'pg';"],
    ['libs/application/src/staff-directory.ts', "import type { PoolClient } from 'pg';"],
    ['libs/application/src/x.ts', "import { Cursor } from 'pg-cursor';"],
    ['apps/api/src/http/idempotency.ts', "import { Pool } from 'pg';"],
    ['apps/api/src/health/health.controller.ts', "import type { Pool } from 'pg';"],
  ])('refuses the PostgreSQL driver in %s (%s)', async (file, code) => {
    expect(await violations(file, `${code}\nexport const x = 1;\n`)).toEqual([expect.stringContaining('No PostgreSQL driver here')]);
  });

  it('keeps the other rules where the driver is refused', async () => {
    expect(await violations('libs/application/src/x.ts', "import { ApiModule } from '../../../apps/api/src/api.module';\nexport const x = ApiModule;\n")).toHaveLength(1);
    expect(await violations('libs/application/src/x.ts', "import { x } from '@app/event-store/src/hash-chain';\nexport const y = x;\n")).toHaveLength(1);
  });

  it.each([
    "import { ApplicationModule } from '@app/application';",
    "import { Roles } from '@app/auth';",
    "import { WorkerModule } from '../../../apps/worker/src/worker.module';",
    "import { x } from '@app/event-store/src/hash-chain';",
  ])('refuses %s in libs/notifications', async (code) => {
    expect(await violations('libs/notifications/src/x.ts', `${code}\nexport const y = 1;\n`)).toHaveLength(1);
  });

  it('lets libs/notifications use the domain, the event store, the platform and BullMQ', async () => {
    const code = "import { toNominationEvent } from '@app/nomination';\nimport type { EventStore } from '@app/event-store';\nimport { PG_POOL } from '@app/platform';\nimport { Queue } from 'bullmq';\nexport const x = [toNominationEvent, PG_POOL, Queue];\nexport type Y = EventStore;\n";
    expect(await violations('libs/notifications/src/x.ts', code)).toEqual([]);
  });

  it('lets the records and event-store adapters use the driver', async () => {
    expect(await violations('libs/records/src/postgres/x.ts', "import type { Pool } from 'pg';\nexport type X = Pool;\n")).toEqual([]);
    expect(await violations('libs/event-store/src/postgres/x.ts', "import type { Pool } from 'pg';\nexport type X = Pool;\n")).toEqual([]);
  });

  describe('no HTTP below apps/api', () => {
    it.each([
      ['libs/application/src/x.ts', "import { ConflictException } from '@nestjs/common';"],
      ['libs/auth/src/x.ts', "import { HttpException, Injectable } from '@nestjs/common';"],
      ['libs/read-models/src/x.ts', "import { HttpStatus } from '@nestjs/common';"],
      ['libs/notifications/src/x.ts', "import { NotFoundException } from '@nestjs/common';"],
    ])('refuses Nest\'s HTTP exceptions in %s', async (file, code) => {
      expect(await violations(file, `${code}\nexport const x = 1;\n`)).toEqual([expect.stringContaining('No HTTP below apps/api')]);
    });

    it('lets a lib use the rest of @nestjs/common', async () => {
      expect(await violations('libs/application/src/x.ts', "import { Inject, Injectable, Module } from '@nestjs/common';\nexport const x = [Inject, Injectable, Module];\n")).toEqual([]);
    });

    it.each([
      ['a class field', 'export class StaleRevision extends Error {\n  readonly code = \'stale_revision\';\n  readonly status = 412;\n}\n'],
      ['an abstract field\'s literal type', 'export abstract class AuthError extends Error {\n  abstract readonly status: 401 | 403;\n}\n'],
      ['an object member', 'export const answer = { code: \'forbidden\', status: 403 };\n'],
      ['a type member', 'export interface Refusal {\n  readonly statusCode: 429;\n}\n'],
      ['a reply status call', 'export function send(reply: { status(n: number): void }): void {\n  reply.status(500);\n}\n'],
    ])('refuses an HTTP status declared in a lib (%s)', async (_what, code) => {
      for (const file of ['libs/application/src/x.ts', 'libs/auth/src/x.ts', 'libs/event-store/src/x.ts']) {
        expect([...new Set(await violations(file, code, 'no-restricted-syntax'))]).toEqual([expect.stringContaining('No HTTP status below apps/api')]);
      }
    });

    it('lets libs keep status words and numbers that are not HTTP statuses, and lets apps/api and lib specs use statuses', async () => {
      const domain = "export const state = { status: 'approved', members: 9, limit: 500 };\nexport class X { readonly status = 'none'; readonly maxEvents = 500; }\n";
      expect(await violations('libs/nomination/src/x.ts', domain, 'no-restricted-syntax')).toEqual([]);
      const table = 'export const stale = { status: 412 };\n';
      expect(await violations('apps/api/src/http/x.ts', table, 'no-restricted-syntax')).toEqual([]);
      expect(await violations('libs/auth/src/x.spec.ts', table, 'no-restricted-syntax')).toEqual([]);
      expect(await violations('libs/auth/src/testing/x.ts', table, 'no-restricted-syntax')).toEqual([]);
    });
  });

  it('refuses a lib importing an app', async () => {
    expect(await violations('libs/read-models/src/x.ts', "import { ApiModule } from '../../../apps/api/src/api.module';\nexport const x = ApiModule;\n")).toHaveLength(1);
  });
});
