/**
 * Verifies the event log from the command line, against the database (and KurrentDB, when that is
 * the configured store) directly, with the service's own configuration and audit keys:
 *   npm run audit:verify                              the whole log against every stored seal
 *   npm run audit:verify -- --seal seal.json          ... and against a seal kept outside the system
 *   npm run audit:verify -- --nomination <uuid>       one nomination's stream (or --decision, --stream)
 * `seal.json` holds a seal as POST /audit/seals or GET /audit/seals/latest returned it (or `{ "seal": … }`).
 * Prints the verdict as JSON ({ ok, checked, sealsChecked, firstBroken? }) on stdout, progress on stderr.
 * Exit codes: 0 verified, 1 broken (firstBroken names where), 2 usage, configuration or connection.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createAuditServices, isSeal, loadAuditKeyRing, type Seal, type Verification } from '@app/audit';
import { ConfigError, loadConfig } from '@app/config';
import { createPool } from '@app/database';
import { createEventStore } from '@app/platform';
import { createRootLogger } from '@app/observability';

const USAGE = 'usage: npm run audit:verify -- [--seal seal.json] [--nomination <uuid> | --decision <uuid> | --stream <id>]';

function fail(message: string): never {
  console.error(`audit:verify: ${message}`);
  process.exit(2);
}

function readSeal(file: string): Seal {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    fail(`cannot read ${file}: ${(error as Error).message}`);
  }
  const seal = typeof parsed === 'object' && parsed !== null && 'seal' in parsed ? (parsed as { seal: unknown }).seal : parsed;
  if (!isSeal(seal)) fail(`${file} does not hold a seal ({ version?, sequence, position, eventCount, root, previous, headsDigest, sealedAt, keyId, signature })`);
  return seal;
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: { seal: { type: 'string' }, nomination: { type: 'string' }, decision: { type: 'string' }, stream: { type: 'string' }, help: { type: 'boolean' } },
      strict: true,
    }));
  } catch (error) {
    fail(`${(error as Error).message}\n${USAGE}`);
  }
  if (values.help === true) {
    console.error(USAGE);
    return;
  }
  const streams = [values.nomination && `nomination-${values.nomination.toLowerCase()}`, values.decision && `decision-${values.decision.toLowerCase()}`, values.stream].filter(
    (s): s is string => typeof s === 'string' && s !== '',
  );
  if (streams.length > 1 || (streams.length === 1 && values.seal !== undefined)) fail(`give one stream, or a seal, not both\n${USAGE}`);
  const heldSeal = values.seal === undefined ? undefined : readSeal(values.seal);

  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
  const keys = loadAuditKeyRing(config);
  const pool = createPool(config.databaseUrl, { max: 4, applicationName: 'audit-verify' });
  const store = createEventStore(config, pool, createRootLogger({ level: 'warn', service: 'audit-verify' }), keys);
  const audit = createAuditServices(pool, store, keys);
  const started = Date.now();
  let verification: Verification | undefined;
  try {
    if (streams.length === 1) {
      verification = await audit.verifier.verifyStream(streams[0]!);
      if (verification === undefined) fail(`stream ${streams[0]} does not exist and no seal names it`);
    } else {
      let lastReport = Date.now();
      verification = await audit.verifier.verifyLog({
        ...(heldSeal === undefined ? {} : { heldSeal }),
        onProgress: (checked, position) => {
          if (Date.now() - lastReport < 2_000) return;
          lastReport = Date.now();
          console.error(`audit:verify: ${checked.toLocaleString('en')} events checked (position ${position ?? '-'})`);
        },
      });
    }
  } finally {
    await store.close();
    await pool.end();
  }
  const seconds = (Date.now() - started) / 1000;
  console.error(`audit:verify: ${verification.ok ? 'verified' : 'BROKEN'}: ${verification.checked.toLocaleString('en')} events in ${seconds.toFixed(1)} s`);
  console.log(JSON.stringify(verification, null, 2));
  process.exitCode = verification.ok ? 0 : 1;
}

main().catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));
