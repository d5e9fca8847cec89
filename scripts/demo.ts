/**
 * `npm run demo`: replays the Mường La 2022 review (and a small 2025 year) through the public HTTP API of
 * a running service, then prints the awards report. Running it again writes nothing new.
 *
 *   API_URL (default http://127.0.0.1:$PORT or :3000), AUTH_JWT_SECRET etc. as the service has them.
 *   --if-empty   do nothing when the event log already holds events (used by `npm start`).
 */
import { parseArgs } from 'node:util';
import { Pool } from 'pg';
import { signDevelopmentToken } from '@app/auth';
import { ConfigError, loadConfig, type AppConfig } from '@app/config';
import { formatReport, runDemo, type DemoUser } from './demo/muong-la';

function fail(message: string): never {
  console.error(`demo: ${message}`);
  process.exit(2);
}

async function logHoldsEvents(config: AppConfig): Promise<boolean> {
  if (config.eventStore !== 'postgres') return false;
  const pool = new Pool({ connectionString: config.databaseUrl, max: 1 });
  try {
    const { rows } = await pool.query<{ any: boolean }>('SELECT EXISTS (SELECT 1 FROM events) AS any');
    return rows[0]!.any;
  } finally {
    await pool.end();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'if-empty': { type: 'boolean', default: false } }, strict: true });
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
  if (config.nodeEnv === 'production') fail('refusing to run against NODE_ENV=production: the demo mints development tokens');
  if (config.auth.jwtSecret === undefined) fail('no AUTH_JWT_SECRET to mint development tokens with (AUTH_JWKS_URL is set)');
  if (values['if-empty'] && (await logHoldsEvents(config))) {
    console.log('demo: the event log is not empty; not loading the demo (run `npm run demo` to replay it anyway)');
    return;
  }
  const apiUrl = (process.env['API_URL'] ?? `http://127.0.0.1:${config.port}`).replace(/\/+$/u, '');
  const tokens = new Map<string, Promise<string>>();
  const token = (user: DemoUser): Promise<string> => {
    let minted = tokens.get(user.id);
    if (minted === undefined) {
      minted = signDevelopmentToken({ sub: user.id, name: user.name, email: user.email, roles: [...user.roles], unit: user.unit, codeSet: user.codeSet }, config, { expiresIn: '1h' });
      tokens.set(user.id, minted);
    }
    return minted;
  };
  const started = Date.now();
  const result = await runDemo({ apiUrl, token, log: (line) => console.log(`demo: ${line}`) });
  console.log(formatReport(result));
  console.log(`demo: done in ${((Date.now() - started) / 1000).toFixed(1)} s against ${apiUrl}`);
}

main().catch((error: unknown) => {
  console.error(`demo: ${(error as Error).message}`);
  process.exit(1);
});
