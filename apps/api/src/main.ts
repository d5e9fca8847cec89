import 'reflect-metadata';
import cluster from 'node:cluster';
import { loadConfigOrExit, prepareDatabase } from '@app/platform';
import { superviseApiProcesses } from './api-cluster';
import { createApiApp } from './api.app';
import { OpsServer } from './health/ops-server';

async function main(): Promise<void> {
  const { config, logger } = loadConfigOrExit('api');
  // The database is prepared once, before any process serves; in a cluster the primary does it.
  if (cluster.isPrimary) await prepareDatabase(config, logger);
  if (cluster.isPrimary && config.apiProcesses > 1) {
    const group = superviseApiProcesses(config.apiProcesses, logger);
    let stopping = false;
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.on(signal, () => {
        if (stopping) return;
        stopping = true;
        logger.info({ signal }, 'stopping api processes');
        void group.stop().then(() => process.exit(0), () => process.exit(1));
      });
    }
    return;
  }
  const app = await createApiApp(config, logger);
  await app.listen({ port: config.port, host: '0.0.0.0' });
  const ops = await OpsServer.start(app, config.metricsPort, '0.0.0.0', logger);
  app.getHttpServer().once('close', () => void ops.close());
  logger.info({ port: config.port, metricsPort: ops.port, docs: `${config.publicUrl}/docs` }, 'api listening');
}

main().catch((error: unknown) => {
  // The logger may not exist yet; this line is still JSON so log shippers keep it.
  process.stderr.write(`${JSON.stringify({ level: 'fatal', service: 'api', msg: 'api failed to start', err: String(error instanceof Error ? error.stack : error) })}\n`);
  process.exit(1);
});
