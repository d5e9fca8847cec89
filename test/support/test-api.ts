import { randomBytes } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ConsumerHost } from '@app/platform';
import { signDevelopmentToken, type Role } from '@app/auth';
import { loadConfig, type AppConfig } from '@app/config';
import { EVENT_STORE, type EventStore } from '@app/event-store';
import { createTestDatabase, type TestDatabase } from '@app/database/testing';
import { createRootLogger } from '@app/observability';
import { createApiApp } from '../../apps/api/src/api.app';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { OpsServer } from '../../apps/api/src/health/ops-server';
import { OpenApiValidator } from './openapi-validator';

export interface TestUser {
  readonly sub: string;
  readonly name: string;
  readonly roles: readonly Role[];
  readonly unit: string;
  readonly codeSet?: 'gso-2004' | 'gso-2025';
  readonly email?: string;
}

export interface InjectOptions {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  readonly url: string;
  readonly as?: TestUser;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

export interface TestResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string | string[] | number | undefined>;
  readonly body: string;
  json<T = any>(): T; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/**
 * The real api in-process (Fastify inject, no port) over a fresh migrated PostgreSQL database, the real
 * Redis under a unique key prefix, and development tokens for any user.
 */
export class TestApi {
  private readonly tokens = new Map<string, string>();
  private worker: INestApplicationContext | undefined;
  /** The highest Log-Position any response carried: sent as Min-Position on reads, as a client would. */
  lastPosition: bigint | undefined;
  private opsServer: OpsServer | undefined;
  private validator: OpenApiValidator | undefined;
  /** Every exchange that broke the document; close() fails if any was swallowed by the test. */
  readonly contractViolations: string[] = [];

  private constructor(
    readonly app: NestFastifyApplication,
    readonly config: AppConfig,
    readonly database: TestDatabase,
  ) {}

  static async start(env: Record<string, string> = {}): Promise<TestApi> {
    return TestApi.startWith(() => env);
  }

  /** Like start, with environment overrides that may depend on the fresh database's URL. */
  static async startWith(envFor: (databaseUrl: string) => Record<string, string>): Promise<TestApi> {
    const database = await createTestDatabase();
    const env = envFor(database.url);
    try {
      const config = loadConfig({
        NODE_ENV: 'test',
        DATABASE_URL: database.url,
        DATABASE_POOL_MAX: '20',
        QUEUE_PREFIX: `test-${process.pid}-${randomBytes(4).toString('hex')}`,
        LOG_LEVEL: 'silent',
        // A fresh audit key per run, so tests never write the development key file into the repository.
        AUDIT_SIGNING_KEY: randomBytes(32).toString('base64url'),
        // Tests seal when they mean to (POST /audit/seals, Sealer.seal()): a worker's timed seal appending
        // to the log in the middle of a test would change the event counts other tests assert on.
        AUDIT_SEAL_EVERY: '24h',
        WORKER_METRICS_PORT: '0',
        MAIL_DIR: path.join(tmpdir(), `nomination-test-mail-${process.pid}`),
        ...env,
      });
      const app = await createApiApp(config, createRootLogger({ level: config.logLevel, service: 'api-test' }));
      return new TestApi(app, config, database);
    } catch (error) {
      await database.drop();
      throw error;
    }
  }

  async token(user: TestUser): Promise<string> {
    const key = JSON.stringify(user);
    let token = this.tokens.get(key);
    if (token === undefined) {
      token = await signDevelopmentToken(
        { sub: user.sub, name: user.name, roles: user.roles, unit: user.unit, ...(user.codeSet ? { codeSet: user.codeSet } : {}), ...(user.email ? { email: user.email } : {}) },
        this.config,
      );
      this.tokens.set(key, token);
    }
    return token;
  }

  /**
   * Runs the worker's consumers (projections, decision completer) in-process on the same database.
   * From then on reads send Min-Position of the last write, so they see it (read your own writes).
   */
  async startWorker(): Promise<ConsumerHost> {
    if (this.worker === undefined) {
      this.worker = await NestFactory.createApplicationContext(
        WorkerModule.forRoot(this.config, createRootLogger({ level: this.config.logLevel, service: 'worker-test' })),
        { logger: false },
      );
      await this.worker.init();
    }
    return this.worker.get(ConsumerHost);
  }

  async stopWorker(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.close();
  }

  async request(options: InjectOptions): Promise<TestResponse> {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    const sendsPosition = Object.keys(headers).some((h) => h.toLowerCase() === 'min-position') || options.url.includes('minPosition=');
    if (options.method === 'GET' && this.worker !== undefined && this.lastPosition !== undefined && !sendsPosition) {
      headers['min-position'] = this.lastPosition.toString();
    }
    if (options.as !== undefined) headers['authorization'] = `Bearer ${await this.token(options.as)}`;
    if (options.body !== undefined) headers['content-type'] ??= 'application/json';
    const response = await this.app.inject({
      method: options.method,
      url: options.url,
      headers,
      ...(options.body !== undefined ? { payload: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) } : {}),
    });
    const position = response.headers['log-position'];
    if (typeof position === 'string' && (this.lastPosition === undefined || BigInt(position) > this.lastPosition)) this.lastPosition = BigInt(position);
    const answer = response as unknown as TestResponse;
    const violations = (await this.contract()).checkExchange({ ...options, headers }, answer);
    if (violations.length > 0) {
      this.contractViolations.push(...violations);
      throw new Error(`The answer breaks the OpenAPI document:\n${violations.join('\n')}`);
    }
    return answer;
  }

  /** The document the api serves at /docs-json, read once: every answer of every e2e test is checked against it. */
  private async contract(): Promise<OpenApiValidator> {
    if (this.validator === undefined) {
      const document = await this.app.inject({ method: 'GET', url: '/docs-json' });
      if (document.statusCode !== 200) throw new Error(`GET /docs-json answered ${document.statusCode}`);
      this.validator = new OpenApiValidator(document.json());
    }
    return this.validator;
  }

  /** Number of events in the store: the "nothing was written" assertions compare it. */
  async eventCount(): Promise<number> {
    const { rows } = await this.database.pool.query<{ n: string }>('SELECT count(*) AS n FROM events');
    return Number(rows[0]!.n);
  }

  /** Base URL of the internal listener (METRICS_PORT), started on a free port of 127.0.0.1 on first use. */
  async opsUrl(): Promise<string> {
    this.opsServer ??= await OpsServer.start(this.app, 0, '127.0.0.1', createRootLogger({ level: 'silent', service: 'ops-test' }));
    return `http://127.0.0.1:${this.opsServer.port}`;
  }

  /**
   * Resolves once log readers (seals, verification, subscribers) can see every committed event: they
   * read only below the oldest transaction still running anywhere in the cluster.
   */
  async logVisible(): Promise<void> {
    const store = this.app.get<EventStore>(EVENT_STORE);
    const { rows } = await this.database.pool.query<{ position: string | null }>('SELECT max(position)::text AS position FROM events');
    const newest = rows[0]?.position;
    if (newest === null || newest === undefined) return;
    for (;;) {
      const head = await store.headPosition();
      if (head !== undefined && head >= BigInt(newest)) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async close(): Promise<void> {
    await this.stopWorker();
    await this.opsServer?.close();
    await this.app.close();
    await this.database.drop();
    if (this.contractViolations.length > 0) {
      throw new Error(`Answers broke the OpenAPI document:\n${this.contractViolations.join('\n')}`);
    }
  }
}
