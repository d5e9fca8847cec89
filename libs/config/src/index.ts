export { loadConfig, ConfigError, DEV_JWT_SECRET } from './app-config';
export type { AppConfig, NodeEnv, EventStoreKind, LogLevel, OidcConfig } from './app-config';
export { ConfigModule, APP_CONFIG } from './config.module';
