import type { Logger } from 'pino';
import { ConfigError, loadConfig, type AppConfig } from '@app/config';
import { ensureDatabase, runMigrations } from '@app/database';
import { createRootLogger } from '@app/observability';

/** Loads configuration or exits at once naming every bad variable; nothing else is started first. */
export function loadConfigOrExit(service: string): { config: AppConfig; logger: Logger } {
  try {
    const config = loadConfig();
    return { config, logger: createRootLogger({ level: config.logLevel, service }) };
  } catch (error) {
    if (error instanceof ConfigError) {
      createRootLogger({ level: 'info', service }).fatal({ problems: error.problems }, error.message);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
}

/** Creates the database when missing and applies pending migrations; safe when processes race. */
export async function prepareDatabase(config: AppConfig, logger: Logger): Promise<void> {
  await ensureDatabase(config.databaseUrl);
  await runMigrations(config.databaseUrl);
  logger.info('database ready and migrated');
}
