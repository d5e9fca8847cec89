export { loadConfig, ConfigError, DEV_JWT_SECRET, MIN_SECRET_ENTROPY_BITS, secretEntropyBits, hostOf, AUDIT_KEY_MIN_BYTES, isAuditKey } from './app-config';
export type { AppConfig, AuditConfig, ConfigHost, NodeEnv, EventStoreKind, LogLevel, OidcConfig, NotificationSettings } from './app-config';
export { ConfigModule, APP_CONFIG } from './config.module';
