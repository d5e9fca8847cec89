import { availableParallelism } from 'node:os';

/**
 * The one typed configuration object. Built from the environment once at start; nothing else in the
 * code base reads process.env. Every invalid variable is reported together so an operator fixes a
 * broken deployment in one pass.
 */

export type NodeEnv = 'development' | 'test' | 'production';
export type EventStoreKind = 'postgres' | 'kurrentdb';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface AppConfig {
  readonly nodeEnv: NodeEnv;
  readonly port: number;
  /** Api processes sharing the port (node's cluster); by default one per core. */
  readonly apiProcesses: number;
  readonly databaseUrl: string;
  readonly databasePoolMax: number;
  readonly eventStore: EventStoreKind;
  readonly kurrentDbUrl: string | undefined;
  readonly redisUrl: string;
  /** Prefix of every BullMQ key, so several deployments or test runs can share one Redis. */
  readonly queuePrefix: string;
  /** Unset in development: mails are written as .eml files under mailDir and logged instead. */
  readonly smtpUrl: string | undefined;
  readonly mailDir: string;
  readonly mailFrom: string;
  readonly publicUrl: string;
  readonly auth: {
    readonly jwtSecret: string | undefined;
    readonly issuer: string;
    readonly audience: string;
    readonly jwksUrl: string | undefined;
    /** OpenID Connect sign-in for the console (authorization code + PKCE); unset: no OIDC sign-in offered. */
    readonly oidc?: OidcConfig | undefined;
  };
  /** Built console (index.html + assets/) the api serves at `/`; not served when the folder has no index.html. */
  readonly consoleDir: string;
  readonly logLevel: LogLevel;
  /** Writes (POST/PATCH/PUT) allowed per user per minute before 429. */
  readonly writeRateLimitPerMinute: number;
  /**
   * A base salary (mức lương cơ sở) announced but not yet in the reference data: `BASE_SALARY_OVERRIDE`
   * = `YYYY-MM-DD=amount`, accepted only after the data's last date (the api logs a warning while set).
   * The amounts in force are the dated table in libs/nomination's reference data.
   */
  readonly baseSalaryOverride: { readonly from: string; readonly amount: number } | undefined;
  /** Largest accepted JSON body, in bytes. */
  readonly bodyLimitBytes: number;
  /** Days a stored Idempotency-Key answer is kept before the worker purges it. */
  readonly idempotencyRetentionDays: number;
}

export interface OidcConfig {
  readonly issuer: string;
  /** The console's client id at the provider: a public client (no secret), PKCE S256. */
  readonly clientId: string;
  readonly scope: string;
}

/** The development secret: fine on a laptop, refused in production. */
export const DEV_JWT_SECRET = 'dev-only-secret-change-me-nomination-approvals-0000';

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

type Env = Readonly<Record<string, string | undefined>>;

class Reader {
  readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  string(name: string, fallback: string): string;
  string(name: string, fallback?: undefined): string | undefined;
  string(name: string, fallback?: string): string | undefined {
    const raw = this.env[name];
    if (raw === undefined || raw.trim() === '') return fallback;
    return raw.trim();
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.string(name, fallback);
    if (!(allowed as readonly string[]).includes(value)) {
      this.problems.push(`${name}=${value}: must be one of ${allowed.join(', ')}`);
      return fallback;
    }
    return value as T;
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!/^-?\d+$/.test(raw) || value < min || value > max) {
      this.problems.push(`${name}=${raw}: must be an integer from ${min} to ${max}`);
      return fallback;
    }
    return value;
  }

  url(name: string, protocols: readonly string[], fallback: string): string;
  url(name: string, protocols: readonly string[], fallback?: undefined): string | undefined;
  url(name: string, protocols: readonly string[], fallback?: string): string | undefined {
    const value = this.string(name) ?? fallback;
    if (value === undefined) return undefined;
    try {
      const parsed = new URL(value);
      if (!protocols.includes(parsed.protocol.replace(/:$/, ''))) {
        this.problems.push(`${name}: protocol must be one of ${protocols.join(', ')}`);
      }
    } catch {
      // The value itself may embed a password, so it is not echoed back.
      this.problems.push(`${name}: not a valid URL`);
    }
    return value;
  }
}

function readBaseSalaryOverride(read: Reader, env: Env): AppConfig['baseSalaryOverride'] {
  if (env['BASE_SALARY_VND'] !== undefined) {
    // Refused rather than ignored: one number for every date paid the 2022 year at 2024's rate.
    read.problems.push('BASE_SALARY_VND: no longer used; the base salary is a dated table in the reference data (use BASE_SALARY_OVERRIDE=YYYY-MM-DD=amount for an amount not yet there)');
  }
  const raw = read.string('BASE_SALARY_OVERRIDE');
  if (raw === undefined) return undefined;
  const match = /^(\d{4}-\d{2}-\d{2})=(\d{1,10})$/u.exec(raw);
  const from = match?.[1];
  const amount = Number(match?.[2]);
  const date = from === undefined ? undefined : new Date(`${from}T00:00:00Z`);
  const valid = date !== undefined && !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === from && amount > 0 && amount <= 1_000_000_000;
  if (!valid) {
    read.problems.push(`BASE_SALARY_OVERRIDE=${raw}: must be YYYY-MM-DD=amount (VND per month)`);
    return undefined;
  }
  return { from, amount };
}

export function loadConfig(env: Env = process.env): AppConfig {
  const read = new Reader(env);
  const nodeEnv = read.oneOf<NodeEnv>('NODE_ENV', ['development', 'test', 'production'], 'development');
  const eventStore = read.oneOf<EventStoreKind>('EVENT_STORE', ['postgres', 'kurrentdb'], 'postgres');
  const kurrentDbUrl = read.url('KURRENTDB_URL', ['kurrentdb', 'esdb', 'kurrentdb+discover', 'esdb+discover']);
  if (eventStore === 'kurrentdb' && kurrentDbUrl === undefined) {
    read.problems.push('KURRENTDB_URL: required when EVENT_STORE=kurrentdb');
  }

  const jwksUrl = read.url('AUTH_JWKS_URL', ['https', 'http']);
  const configuredSecret = read.string('AUTH_JWT_SECRET');
  const jwtSecret = configuredSecret ?? (jwksUrl === undefined ? DEV_JWT_SECRET : undefined);
  const oidcIssuer = read.url('AUTH_OIDC_ISSUER', ['https', 'http']);
  if (oidcIssuer !== undefined && jwksUrl === undefined) {
    read.problems.push("AUTH_OIDC_ISSUER: needs AUTH_JWKS_URL (the provider's jwks_uri) so the api can verify the tokens it issues");
  }
  if (nodeEnv === 'production') {
    if (jwtSecret === DEV_JWT_SECRET) {
      read.problems.push('AUTH_JWT_SECRET: the development secret is refused when NODE_ENV=production (set AUTH_JWKS_URL or a secret of your own)');
    } else if (jwtSecret !== undefined && jwtSecret.length < 32) {
      read.problems.push('AUTH_JWT_SECRET: must be at least 32 characters when NODE_ENV=production');
    }
    if (jwksUrl !== undefined && !jwksUrl.startsWith('https://')) {
      read.problems.push('AUTH_JWKS_URL: must use https when NODE_ENV=production');
    }
    if (oidcIssuer !== undefined && !oidcIssuer.startsWith('https://')) {
      read.problems.push('AUTH_OIDC_ISSUER: must use https when NODE_ENV=production');
    }
  }

  const config: AppConfig = {
    nodeEnv,
    port: read.integer('PORT', 3000, 0, 65535),
    apiProcesses: read.integer('API_PROCESSES', availableParallelism(), 1, 64),
    databaseUrl: read.url('DATABASE_URL', ['postgres', 'postgresql'], 'postgres://postgres@127.0.0.1:5432/nomination_approvals'),
    databasePoolMax: read.integer('DATABASE_POOL_MAX', 20, 1, 500),
    eventStore,
    kurrentDbUrl,
    redisUrl: read.url('REDIS_URL', ['redis', 'rediss'], 'redis://127.0.0.1:6379/0'),
    queuePrefix: read.string('QUEUE_PREFIX', 'nomination-approvals'),
    smtpUrl: read.url('SMTP_URL', ['smtp', 'smtps']),
    mailDir: read.string('MAIL_DIR', 'var/mail'),
    mailFrom: read.string('MAIL_FROM', 'Khen thưởng <no-reply@localhost>').normalize('NFC'),
    publicUrl: read.url('PUBLIC_URL', ['http', 'https'], 'http://localhost:3000').replace(/\/+$/, ''),
    auth: {
      jwtSecret,
      // Tokens from the OIDC provider carry its issuer; a separate AUTH_JWT_ISSUER is rarely wanted then.
      issuer: read.string('AUTH_JWT_ISSUER', oidcIssuer?.replace(/\/+$/, '') ?? 'nomination-approvals'),
      audience: read.string('AUTH_JWT_AUDIENCE', 'nomination-approvals'),
      jwksUrl,
      oidc: oidcIssuer === undefined ? undefined : {
        issuer: oidcIssuer.replace(/\/+$/, ''),
        clientId: read.string('AUTH_OIDC_CLIENT_ID', 'nomination-console'),
        scope: read.string('AUTH_OIDC_SCOPE', 'openid profile email'),
      },
    },
    consoleDir: read.string('CONSOLE_DIR', 'dist/console'),
    logLevel: read.oneOf<LogLevel>('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], nodeEnv === 'test' ? 'warn' : 'info'),
    writeRateLimitPerMinute: read.integer('WRITE_RATE_LIMIT_PER_MINUTE', 600, 1, 1_000_000),
    baseSalaryOverride: readBaseSalaryOverride(read, env),
    bodyLimitBytes: read.integer('BODY_LIMIT_BYTES', 1_048_576, 1024, 50 * 1_048_576),
    idempotencyRetentionDays: read.integer('IDEMPOTENCY_RETENTION_DAYS', 30, 1, 3650),
  };
  if (read.problems.length > 0) throw new ConfigError(read.problems);
  return config;
}
