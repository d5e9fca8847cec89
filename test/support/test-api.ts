import { randomBytes } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { signDevelopmentToken, type Role } from '@app/auth';
import { loadConfig, type AppConfig } from '@app/config';
import { createTestDatabase, type TestDatabase } from '@app/database/testing';
import { createRootLogger } from '@app/observability';
import { createApiApp } from '../../apps/api/src/api.app';

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
        DATABASE_POOL_MAX: '10',
        QUEUE_PREFIX: `test-${process.pid}-${randomBytes(4).toString('hex')}`,
        LOG_LEVEL: 'silent',
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

  async request(options: InjectOptions): Promise<TestResponse> {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (options.as !== undefined) headers['authorization'] = `Bearer ${await this.token(options.as)}`;
    if (options.body !== undefined) headers['content-type'] ??= 'application/json';
    const response = await this.app.inject({
      method: options.method,
      url: options.url,
      headers,
      ...(options.body !== undefined ? { payload: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) } : {}),
    });
    return response as unknown as TestResponse;
  }

  /** Number of events in the store: the "nothing was written" assertions compare it. */
  async eventCount(): Promise<number> {
    const { rows } = await this.database.pool.query<{ n: string }>('SELECT count(*) AS n FROM events');
    return Number(rows[0]!.n);
  }

  async close(): Promise<void> {
    await this.app.close();
    await this.database.drop();
  }
}
