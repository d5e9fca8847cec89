/**
 * Prints a development bearer token for the configured HS256 secret:
 *   npm run -s token -- --sub u1 --name "Nguyễn Văn A" --roles officer,decider --unit 120 --code-set gso-2004 [--email x@y] [--ttl 8h]
 * (`-s` keeps npm's banner out of stdout, so `TOKEN=$(npm run -s token -- ...)` works.)
 */
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '@app/config';
import { isCodeSet, isRole, signDevelopmentToken, TokenVerifier, Unauthenticated, type CodeSet, type Role } from '@app/auth';

const USAGE = 'usage: npm run -s token -- --sub <id> --name <name> --roles <role,role> --unit <code> [--code-set gso-2004|gso-2025] [--email <address>] [--ttl 8h]';

function fail(message: string): never {
  console.error(`token: ${message}`);
  process.exit(2);
}

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
  if (config.nodeEnv === 'production') fail('refusing to mint tokens when NODE_ENV=production; tokens come from the identity provider there');
  if (config.auth.jwksUrl !== undefined) fail('AUTH_JWKS_URL is set, so this service accepts only RS256/ES256 tokens from that key set; unset it to use development tokens');

  let values;
  try {
    ({ values } = parseArgs({
      options: {
        sub: { type: 'string' },
        name: { type: 'string' },
        roles: { type: 'string' },
        unit: { type: 'string' },
        'code-set': { type: 'string' },
        email: { type: 'string' },
        ttl: { type: 'string', default: '8h' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    fail(`${(error as Error).message}\n${USAGE}`);
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const { sub, name, roles: roleList, unit } = values;
  if (sub === undefined || name === undefined || roleList === undefined || unit === undefined) fail(`--sub, --name, --roles and --unit are required\n${USAGE}`);

  const roles = roleList.split(',').map((role) => role.trim()).filter((role) => role !== '');
  const unknown = roles.filter((role) => !isRole(role));
  if (unknown.length > 0 || roles.length === 0) fail(`--roles: unknown or missing role(s) ${unknown.join(', ')}; use proposer, officer, decider, auditor, admin`);
  const codeSet = values['code-set'];
  if (codeSet !== undefined && !isCodeSet(codeSet)) fail('--code-set must be gso-2004 or gso-2025');

  let token: string;
  try {
    token = await signDevelopmentToken(
      {
        sub,
        name: name.normalize('NFC'),
        roles: roles as Role[],
        unit,
        ...(codeSet !== undefined ? { codeSet: codeSet as CodeSet } : {}),
        ...(values.email !== undefined ? { email: values.email } : {}),
      },
      config,
      { expiresIn: values.ttl },
    );
  } catch (error) {
    fail((error as Error).message);
  }

  // Verifying with the service's own rules catches a bad --unit or --email here, not as a puzzling 401 later.
  try {
    await new TokenVerifier(config.auth).verify(token);
  } catch (error) {
    if (error instanceof Unauthenticated) fail(`the service would refuse this token (${error.reason}${error.claim ? `: ${error.claim}` : ''})`);
    throw error;
  }
  process.stdout.write(`${token}\n`);
}

void main();
