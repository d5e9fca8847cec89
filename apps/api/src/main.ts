import 'reflect-metadata';
import { loadConfigOrExit, prepareDatabase } from '@app/platform';
import { createApiApp } from './api.app';

async function main(): Promise<void> {
  const { config, logger } = loadConfigOrExit('api');
  await prepareDatabase(config, logger);
  const app = await createApiApp(config, logger);
  await app.listen({ port: config.port, host: '0.0.0.0' });
  logger.info({ port: config.port, docs: `${config.publicUrl}/docs` }, 'api listening');
}

main().catch((error: unknown) => {
  // The logger may not exist yet; this line is still JSON so log shippers keep it.
  process.stderr.write(`${JSON.stringify({ level: 'fatal', service: 'api', msg: 'api failed to start', err: String(error instanceof Error ? error.stack : error) })}\n`);
  process.exit(1);
});
