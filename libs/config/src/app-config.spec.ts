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
    expect(problemsOf({ NODE_ENV: 'production' })).toEqual([
      expect.stringContaining('AUTH_JWT_SECRET: the development secret is refused'),
    ]);
    expect(problemsOf({ NODE_ENV: 'production', AUTH_JWT_SECRET: 'short' })).toEqual([
      expect.stringContaining('at least 32 characters'),
    ]);
  });

  it('accepts production with a JWKS endpoint and no secret', () => {
    const config = loadConfig({ NODE_ENV: 'production', AUTH_JWKS_URL: 'https://id.example.gov.vn/jwks' });
    expect(config.auth.jwtSecret).toBeUndefined();
    expect(config.auth.jwksUrl).toBe('https://id.example.gov.vn/jwks');
  });

  it('never echoes a malformed URL that may carry a password', () => {
    const problems = problemsOf({ DATABASE_URL: 'postgres://user:s3cret@@' });
    expect(problems.join('\n')).not.toContain('s3cret');
  });
});
