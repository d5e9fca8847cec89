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
  readonly notifications: NotificationSettings;
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
  /** Reads (GET) allowed per user per minute before 429; a budget of its own, higher than writes. */
  readonly readRateLimitPerMinute: number;
  /** When Redis cannot count a request: let it through (true) or refuse it with 503 (false). */
  readonly rateLimitFailOpen: boolean;
  /**
   * Proxies whose `X-Forwarded-For` is believed: false (the default, the peer address is the client),
   * or a list of addresses / CIDR ranges of the proxies in front of the api.
   */
  readonly trustProxy: false | readonly string[];
  /** Port of the internal listener serving /metrics and the detailed readiness; never publish it. */
  readonly metricsPort: number;
  /** Deepest nesting of arrays/objects accepted in a JSON body. */
  readonly jsonMaxDepth: number;
  /** Longest accepted path parameter, in characters (414 beyond). */
  readonly maxParamLength: number;
  /** Most events one nomination stream may hold (409 nomination_too_many_events beyond). */
  readonly nominationMaxEvents: number;
  /** Most bytes of event payload one nomination stream may hold (413 nomination_too_large beyond). */
  readonly nominationMaxBytes: number;
  /** Oldest token accepted, counted from its `iat` (and the longest lifetime `exp - iat` may give). */
  readonly authMaxTokenAgeSeconds: number;
  /** Streams whose folded state each api process keeps between commands (0: none; see stream-state-cache.ts). */
  readonly streamCacheStreams: number;
  /** Approximate megabytes of events those kept streams may hold per api process. */
  readonly streamCacheMegabytes: number;
  /** How long a staff directory record (active, unit) is cached per api process before re-reading. */
  readonly authStaffCacheSeconds: number;
  /** /health/ready says `degraded` when a projection's oldest unprocessed event is older than this. */
  readonly projectionStuckSeconds: number;
  readonly audit: AuditConfig;
}

export interface OidcConfig {
  readonly issuer: string;
  /** The console's client id at the provider: a public client (no secret), PKCE S256. */
  readonly clientId: string;
  readonly scope: string;
}

/**
 * The audit trail's keys and seals (API.md, Audit). A key is a secret of at least 32 random bytes,
 * base64url; the first of a ring is the current one (it MACs new events and signs new seals), the
 * others are retired keys still needed to check what they once signed.
 */
export interface AuditConfig {
  /** From AUDIT_SIGNING_KEY (comma-separated); undefined when unset. */
  readonly signingKeys: readonly string[] | undefined;
  /** AUDIT_SIGNING_KEY_FILE: one key per line, '#' comments; read at start. */
  readonly signingKeyFile: string | undefined;
  /** Where development generates (once) and then reuses a key when neither is set; never in production. */
  readonly developmentKeyFile: string;
  /** AUDIT_SEAL_EVERY: how often the worker seals the log when anything changed. */
  readonly sealEveryMs: number;
}

/** Decoded length a signing key must have at least. */
export const AUDIT_KEY_MIN_BYTES = 32;

export interface NotificationSettings {
  /** Directory of the e-mail templates (`<template>/<locale>.subject.txt|.html|.txt`). */
  readonly templatesDir: string;
  /** E-mails one worker process sends at once. */
  readonly concurrency: number;
  /** Attempts of a transiently failing send (SMTP 4xx, connection refused) before it is marked failed. */
  readonly maxAttempts: number;
  /** First retry delay; each next one doubles, up to retryMaxMs, with random jitter of up to half. */
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  /** How often the sweeper re-queues unsent outbox rows and scheduled reminders Redis may have lost. */
  readonly sweepIntervalMs: number;
  /** An outbox row queued longer ago than this without being sent is handed to BullMQ again. */
  readonly requeueAfterMs: number;
  /** How long a worker's claim on a job lasts without renewal; a killed worker's job returns after it. */
  readonly jobLockMs: number;
  /** Longest an SMTP server may stay silent during one send before it counts as a (transient) failure. */
  readonly sendTimeoutMs: number;
  /** Vietnam wall-clock time (HH:MM) of the daily digest on working days. */
  readonly digestTime: string;
  /** Vietnam wall-clock time (HH:MM) at which due_soon and overdue reminders fire on their day. */
  readonly reminderTime: string;
  /** Port of the worker's own GET /metrics (Prometheus); 0 turns it off. */
  readonly workerMetricsPort: number;
  /**
   * Days a sent notification (or a failed one nobody retried) is kept in the outbox before the worker
   * purges it; 0 keeps every row forever.
   */
  readonly retentionDays: number;
}

/** The development secret: fine on a laptop, refused in production. */
export const DEV_JWT_SECRET = 'dev-only-secret-change-me-nomination-approvals-0000';

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/** Facts about the process's surroundings that are not environment variables. */
export interface ConfigHost {
  /**
   * True inside the service's container image. The image says so itself (NOMINATION_APPROVALS_IMAGE);
   * Docker's /.dockerenv is not used, because development and CI machines often are containers too.
   */
  readonly inContainer: boolean;
}

function shannonBits(symbols: readonly (string | number)[]): number {
  const counts = new Map<string | number, number>();
  for (const symbol of symbols) counts.set(symbol, (counts.get(symbol) ?? 0) + 1);
  let perSymbol = 0;
  for (const count of counts.values()) {
    const p = count / symbols.length;
    perSymbol -= p * Math.log2(p);
  }
  return perSymbol * symbols.length;
}

/** The shortest period the text (nearly) repeats with, e.g. 8 for `passwordpassword…`; its length if none. */
function shortestPeriod(chars: readonly string[]): number {
  for (let period = 1; period <= chars.length / 2; period++) {
    let same = 0;
    for (let i = period; i < chars.length; i++) if (chars[i] === chars[i - period]) same++;
    if (same >= 0.9 * (chars.length - period)) return period;
  }
  return chars.length;
}

/**
 * A cheap upper bound on how guessable a secret is, in bits: the least of the Shannon entropy of its
 * characters, of the steps between consecutive characters (`abcdef…`, `13579…`) and of one period of a
 * repeated text (`passwordpassword…`), each times its length. Random base64 of 32 characters scores
 * ~145, 32 random hex digits ~112; `aaaa…`, repeated words and counting sequences score far lower.
 */
export function secretEntropyBits(secret: string): number {
  const chars = [...secret];
  if (chars.length === 0) return 0;
  const codes = chars.map((ch) => ch.codePointAt(0)!);
  const steps = codes.slice(1).map((code, i) => code - codes[i]!);
  const period = shortestPeriod(chars);
  return Math.min(shannonBits(chars), shannonBits(steps) + 8, shannonBits(chars.slice(0, period)));
}

/** Below this a production secret is refused (see secretEntropyBits). */
export const MIN_SECRET_ENTROPY_BITS = 100;

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function isProxyAddress(value: string): boolean {
  const [address, prefix, ...rest] = value.split('/');
  if (rest.length > 0 || address === undefined) return false;
  const v4 = IPV4.test(address);
  const v6 = !v4 && /^[0-9a-f:.]+$/i.test(address) && address.includes(':');
  if (!v4 && !v6) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (v4 ? 32 : 128);
}

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

  clock(name: string, fallback: string): string {
    const value = this.string(name, fallback);
    if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(value)) {
      this.problems.push(`${name}=${value}: must be a time HH:MM (Vietnam time)`);
      return fallback;
    }
    return value;
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

  boolean(name: string, fallback: boolean): boolean {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    if (/^(true|1|yes)$/i.test(raw)) return true;
    if (/^(false|0|no)$/i.test(raw)) return false;
    this.problems.push(`${name}=${raw}: must be true or false`);
    return fallback;
  }

  /** `90` (seconds), `500ms`, `90s`, `15m` or `1h`, within [minMs, maxMs]. */
  duration(name: string, fallbackMs: number, minMs: number, maxMs: number): number {
    const raw = this.string(name);
    if (raw === undefined) return fallbackMs;
    const match = /^(\d+)(ms|s|m|h)?$/.exec(raw);
    const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[(match?.[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
    const value = match === null ? Number.NaN : Number(match[1]) * unit;
    if (!(value >= minMs && value <= maxMs)) {
      this.problems.push(`${name}=${raw}: must be a duration such as 60s, 5m or 500ms, from ${minMs} ms to ${maxMs} ms`);
      return fallbackMs;
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

/** Whether a text is an acceptable audit signing key (base64url, >= 32 bytes decoded). */
export function isAuditKey(key: string): boolean {
  return /^[A-Za-z0-9_-]+={0,2}$/.test(key) && Buffer.from(key, 'base64url').length >= AUDIT_KEY_MIN_BYTES;
}

export function loadConfig(env: Env = process.env, host: ConfigHost = hostOf(env)): AppConfig {
  const read = new Reader(env);
  if (host.inContainer && read.string('NODE_ENV') === undefined) {
    read.problems.push('NODE_ENV: must be set inside a container image (production, or development/test on purpose)');
  }
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
    } else if (jwtSecret !== undefined && secretEntropyBits(jwtSecret) < MIN_SECRET_ENTROPY_BITS) {
      read.problems.push(`AUTH_JWT_SECRET: too predictable for production (under ${MIN_SECRET_ENTROPY_BITS} bits of entropy); use e.g. \`openssl rand -base64 48\``);
    }
    if (jwksUrl !== undefined && !jwksUrl.startsWith('https://')) {
      read.problems.push('AUTH_JWKS_URL: must use https when NODE_ENV=production');
    }
    if (oidcIssuer !== undefined && !oidcIssuer.startsWith('https://')) {
      read.problems.push('AUTH_OIDC_ISSUER: must use https when NODE_ENV=production');
    }
  }

  const signingKeys = read.string('AUDIT_SIGNING_KEY')?.split(',').map((key) => key.trim()).filter((key) => key !== '');
  const signingKeyFile = read.string('AUDIT_SIGNING_KEY_FILE');
  if (signingKeys !== undefined && signingKeyFile !== undefined) {
    read.problems.push('AUDIT_SIGNING_KEY, AUDIT_SIGNING_KEY_FILE: set one of them, not both');
  }
  signingKeys?.forEach((key, i) => {
    if (!isAuditKey(key)) {
      // The value is a secret: its position is named, never the value.
      read.problems.push(`AUDIT_SIGNING_KEY: key ${i + 1} must be base64url of at least ${AUDIT_KEY_MIN_BYTES} random bytes`);
    }
  });
  if (nodeEnv === 'production' && signingKeys === undefined && signingKeyFile === undefined) {
    read.problems.push('AUDIT_SIGNING_KEY: required when NODE_ENV=production (or AUDIT_SIGNING_KEY_FILE); the generated development key is refused');
  }
  const smtpUrl = read.url('SMTP_URL', ['smtp', 'smtps']);
  if (nodeEnv === 'production' && smtpUrl === undefined) {
    read.problems.push('SMTP_URL: required when NODE_ENV=production (without it mails are only written to MAIL_DIR)');
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
    smtpUrl,
    mailDir: read.string('MAIL_DIR', 'var/mail'),
    mailFrom: read.string('MAIL_FROM', 'Khen thưởng <no-reply@localhost>').normalize('NFC'),
    publicUrl: read.url('PUBLIC_URL', ['http', 'https'], 'http://localhost:3000').replace(/\/+$/, ''),
    notifications: {
      templatesDir: read.string('MAIL_TEMPLATES_DIR', 'libs/notifications/templates'),
      concurrency: read.integer('MAIL_CONCURRENCY', 32, 1, 256),
      maxAttempts: read.integer('MAIL_MAX_ATTEMPTS', 12, 1, 100),
      retryBaseMs: read.integer('MAIL_RETRY_BASE_MS', 5_000, 1, 3_600_000),
      retryMaxMs: read.integer('MAIL_RETRY_MAX_MS', 900_000, 1, 86_400_000),
      sweepIntervalMs: read.integer('NOTIFICATION_SWEEP_MS', 15_000, 50, 3_600_000),
      requeueAfterMs: read.integer('NOTIFICATION_REQUEUE_AFTER_MS', 60_000, 0, 86_400_000),
      jobLockMs: read.integer('NOTIFICATION_JOB_LOCK_MS', 30_000, 1_000, 600_000),
      sendTimeoutMs: read.integer('MAIL_SEND_TIMEOUT_MS', 60_000, 1_000, 600_000),
      retentionDays: read.integer('NOTIFICATION_RETENTION_DAYS', 365, 0, 36_500),
      digestTime: read.clock('DIGEST_TIME', '07:30'),
      reminderTime: read.clock('REMINDER_TIME', '08:00'),
      workerMetricsPort: read.integer('WORKER_METRICS_PORT', 9465, 0, 65535),
    },
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
    readRateLimitPerMinute: read.integer('READ_RATE_LIMIT_PER_MINUTE', 3000, 1, 10_000_000),
    rateLimitFailOpen: read.boolean('RATE_LIMIT_FAIL_OPEN', true),
    trustProxy: readTrustProxy(read),
    metricsPort: read.integer('METRICS_PORT', 9464, 0, 65535),
    jsonMaxDepth: read.integer('JSON_MAX_DEPTH', 32, 4, 256),
    maxParamLength: read.integer('MAX_PARAM_LENGTH', 200, 36, 2000),
    nominationMaxEvents: read.integer('NOMINATION_MAX_EVENTS', 500, 20, 100_000),
    nominationMaxBytes: read.integer('NOMINATION_MAX_BYTES', 8 * 1_048_576, 65_536, 1_073_741_824),
    authMaxTokenAgeSeconds: read.integer('AUTH_MAX_TOKEN_AGE', 12 * 3600, 60, 30 * 24 * 3600),
    streamCacheStreams: read.integer('STREAM_CACHE_STREAMS', 1_000, 0, 10_000_000),
    streamCacheMegabytes: read.integer('STREAM_CACHE_MB', 16, 1, 65_536),
    authStaffCacheSeconds: read.integer('AUTH_STAFF_CACHE_SECONDS', 5, 0, 300),
    projectionStuckSeconds: read.integer('PROJECTION_STUCK_SECONDS', 60, 1, 86_400),
    audit: {
      signingKeys,
      signingKeyFile,
      developmentKeyFile: read.string('AUDIT_DEV_KEY_FILE', 'var/audit-signing.key'),
      sealEveryMs: read.duration('AUDIT_SEAL_EVERY', 60_000, 1_000, 24 * 3_600_000),
    },
  };
  if (read.problems.length > 0) throw new ConfigError(read.problems);
  return config;
}

function readTrustProxy(read: Reader): false | readonly string[] {
  const raw = read.string('TRUST_PROXY');
  if (raw === undefined || /^(false|0|no|off)$/i.test(raw)) return false;
  const entries = raw.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  const bad = entries.filter((entry) => !isProxyAddress(entry));
  if (entries.length === 0 || bad.length > 0) {
    // `true` (trust anyone) is refused on purpose: it lets every client write its own address.
    read.problems.push(`TRUST_PROXY: must be false or a comma-separated list of IP addresses or CIDR ranges${bad.length > 0 ? ` (not an address: ${bad.join(', ')})` : ''}`);
    return false;
  }
  return entries;
}

/** Whether this process runs inside the service's container image (see ConfigHost). */
export function hostOf(env: Env): ConfigHost {
  return { inContainer: env['NOMINATION_APPROVALS_IMAGE'] !== undefined };
}
