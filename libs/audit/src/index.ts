export { AuditKeyRing, generateAuditKey, loadAuditKeyRing, type AuditKey, type PublicJwk } from './audit-key-ring';
export {
  SEAL_STREAM,
  SEAL_EVENT_TYPE,
  GENESIS_ROOT,
  isSeal,
  sealSigningText,
  sealDigest,
  headsDigest,
  leafHash,
  extendRoot,
  type Seal,
  type SealBody,
  type SealHeads,
} from './seal';
export { LogWalk, checkEvent, verifyStreamEvents, type BrokenCode, type BrokenPlace, type SealCheckpoint, type Verification } from './log-verification';
export { SealStore } from './seal-store';
export { AUDIT_ERROR_CODES, type AuditErrorCode, Sealer, SealRefused, sealEventId, type SealOutcome } from './sealer';
export { AuditVerifier, type VerifyLogOptions } from './audit-verifier';
export { createAuditServices, type AuditServices } from './audit-services';
export { AUDIT_KEY_RING, AUDIT_SERVICES } from './audit.tokens';
export { recordLogMigration, MigrationStore, MigrationRefused, type LogMigration } from './log-migration';
