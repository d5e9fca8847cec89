export { createPool, type CreatePoolOptions } from './create-pool';
export { ensureDatabase, parseDatabaseUrl, redactUrl } from './ensure-database';
export { runMigrations, MIGRATIONS_TABLE, type RunMigrationsOptions } from './run-migrations';
