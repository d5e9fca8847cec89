import { ConfigError, DEV_JWT_SECRET, loadConfig } from './app-config';

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      nodeEnv: 'development',
      port: 3000,
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/nomination_approvals',
      eventStore: 'postgres',
      redisUrl: 'redis://127.0.0.1:6379/0',
      smtpUrl: undefined,
      mailFrom: 'Khen thưởng <no-reply@localhost>',
      publicUrl: 'http://localhost:3000',
      writeRateLimitPerMinute: 600,
      baseSalaryOverride: undefined,
    });
    expect(config.auth).toEqual({
      jwtSecret: DEV_JWT_SECRET,
      issuer: 'nomination-approvals',
      audience: 'nomination-approvals',
      jwksUrl: undefined,
    });
  });

  it('reports every bad variable at once', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      DATABASE_URL: 'mysql://x',
      EVENT_STORE: 'kurrentdb',
      REDIS_URL: 'not a url',
      WRITE_RATE_LIMIT_PER_MINUTE: '0',
    });
    expect(problems.map((p) => p.split(/[:=]/)[0])).toEqual([
      'KURRENTDB_URL',
      'PORT',
      'DATABASE_URL',
      'REDIS_URL',
      'WRITE_RATE_LIMIT_PER_MINUTE',
    ]);
  });

  it('reads a base-salary override and refuses the retired BASE_SALARY_VND', () => {
    expect(loadConfig({ BASE_SALARY_OVERRIDE: '2026-07-01=2530000' }).baseSalaryOverride).toEqual({ from: '2026-07-01', amount: 2_530_000 });
    expect(problemsOf({ BASE_SALARY_OVERRIDE: '2026-13-01=2530000' })).toEqual([expect.stringMatching(/^BASE_SALARY_OVERRIDE=.*YYYY-MM-DD=amount/u)]);
    expect(problemsOf({ BASE_SALARY_OVERRIDE: '2530000' })).toHaveLength(1);
    expect(problemsOf({ BASE_SALARY_VND: '2340000' })).toEqual([expect.stringMatching(/^BASE_SALARY_VND: no longer used/u)]);
  });

  it('refuses the development secret in production', () => {
    const key = Buffer.alloc(32, 7).toString('base64url');
    expect(problemsOf({ NODE_ENV: 'production', AUDIT_SIGNING_KEY: key, SMTP_URL: 'smtp://mail.sonla.gov.vn:25' })).toEqual([
      expect.stringContaining('AUTH_JWT_SECRET: the development secret is refused'),
    ]);
    expect(problemsOf({ NODE_ENV: 'production', AUTH_JWT_SECRET: 'short', AUDIT_SIGNING_KEY: key, SMTP_URL: 'smtp://mail.sonla.gov.vn:25' })).toEqual([
      expect.stringContaining('at least 32 characters'),
    ]);
  });

  it('refuses to run production without an audit signing key of its own', () => {
    const secret = 'a-production-secret-of-more-than-32-characters';
    expect(problemsOf({ NODE_ENV: 'production', AUTH_JWT_SECRET: secret, SMTP_URL: 'smtp://mail.sonla.gov.vn:25' })).toEqual([
      expect.stringContaining('AUDIT_SIGNING_KEY: required when NODE_ENV=production'),
    ]);
    expect(loadConfig({ NODE_ENV: 'production', AUTH_JWT_SECRET: secret, AUDIT_SIGNING_KEY_FILE: '/run/secrets/audit', SMTP_URL: 'smtp://mail.sonla.gov.vn:25' }).audit)
      .toMatchObject({ signingKeyFile: '/run/secrets/audit', signingKeys: undefined });
  });

  it('reads audit keys as a ring, naming a bad key by its place and never by its value', () => {
    const current = Buffer.alloc(32, 1).toString('base64url');
    const retired = Buffer.alloc(48, 2).toString('base64url');
    expect(loadConfig({ AUDIT_SIGNING_KEY: `${current}, ${retired}` }).audit.signingKeys).toEqual([current, retired]);
    const problems = problemsOf({ AUDIT_SIGNING_KEY: `${current},tooshort` });
    expect(problems).toEqual([expect.stringContaining('AUDIT_SIGNING_KEY: key 2 must be base64url')]);
    expect(problems[0]).not.toContain('tooshort');
  });

  it('reads AUDIT_SEAL_EVERY as a duration, default 60 s', () => {
    expect(loadConfig({}).audit.sealEveryMs).toBe(60_000);
    expect(loadConfig({ AUDIT_SEAL_EVERY: '5m' }).audit.sealEveryMs).toBe(300_000);
    expect(loadConfig({ AUDIT_SEAL_EVERY: '90' }).audit.sealEveryMs).toBe(90_000);
    expect(problemsOf({ AUDIT_SEAL_EVERY: 'soon' })).toEqual([expect.stringContaining('AUDIT_SEAL_EVERY=soon')]);
    expect(problemsOf({ AUDIT_SEAL_EVERY: '10ms' })).toEqual([expect.stringContaining('AUDIT_SEAL_EVERY=10ms')]);
  });

  it('refuses production without SMTP_URL (the .eml files are a development default)', () => {
    expect(problemsOf({ NODE_ENV: 'production', AUTH_JWKS_URL: 'https://id.example.gov.vn/jwks', AUDIT_SIGNING_KEY: Buffer.alloc(32, 9).toString('base64url') })).toEqual([
      expect.stringContaining('SMTP_URL: required when NODE_ENV=production'),
    ]);
  });

  it('reads the notification settings and refuses a digest time that is not HH:MM', () => {
    expect(loadConfig({}).notifications).toMatchObject({ digestTime: '07:30', reminderTime: '08:00', maxAttempts: 12, workerMetricsPort: 9465, retentionDays: 365 });
    expect(loadConfig({ NOTIFICATION_RETENTION_DAYS: '0' }).notifications.retentionDays).toBe(0);
    expect(problemsOf({ NOTIFICATION_RETENTION_DAYS: '-1' })).toEqual([expect.stringContaining('NOTIFICATION_RETENTION_DAYS')]);
    expect(problemsOf({ DIGEST_TIME: '7h30' })).toEqual([expect.stringContaining('DIGEST_TIME=7h30')]);
  });

  it('accepts production with a JWKS endpoint and no secret', () => {
    const config = loadConfig({ NODE_ENV: 'production', AUTH_JWKS_URL: 'https://id.example.gov.vn/jwks', AUDIT_SIGNING_KEY: Buffer.alloc(32, 9).toString('base64url'), SMTP_URL: 'smtp://mail.sonla.gov.vn:25' });
    expect(config.auth.jwtSecret).toBeUndefined();
    expect(config.auth.jwksUrl).toBe('https://id.example.gov.vn/jwks');
  });

  it('never echoes a malformed URL that may carry a password', () => {
    const problems = problemsOf({ DATABASE_URL: 'postgres://user:s3cret@@' });
    expect(problems.join('\n')).not.toContain('s3cret');
  });
});
