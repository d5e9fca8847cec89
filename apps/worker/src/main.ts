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
  app.enableShutdownHooks();
  await app.init();
  logger.info('worker started');
}

main().catch((error: unknown) => {
  process.stderr.write(`${JSON.stringify({ level: 'fatal', service: 'worker', msg: 'worker failed to start', err: String(error instanceof Error ? error.stack : error) })}\n`);
  process.exit(1);
});
