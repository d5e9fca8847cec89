import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { NestJsonLogger } from '@app/observability';
import { loadConfigOrExit, prepareDatabase } from '@app/platform';
import { WorkerModule } from './worker.module';

async function main(): Promise<void> {
  const { config, logger } = loadConfigOrExit('worker');
  await prepareDatabase(config, logger);
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config, logger), {
    logger: new NestJsonLogger(logger.child({ component: 'nest' })),
  });
  await app.init();
  // SIGTERM/SIGINT: stop taking jobs, let the e-mails in flight finish and be marked, stop the consumers,
  // then exit 0 (a second signal exits at once). Jobs not started stay queued for the next worker.
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.info({ signal }, 'worker stopping');
    app.close().then(
      () => {
        logger.info('worker stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'worker did not stop cleanly');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  logger.info('worker started');
}

main().catch((error: unknown) => {
  process.stderr.write(`${JSON.stringify({ level: 'fatal', service: 'worker', msg: 'worker failed to start', err: String(error instanceof Error ? error.stack : error) })}\n`);
  process.exit(1);
});
