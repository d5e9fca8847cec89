/** The process's AuditKeyRing (provided by PlatformModule: the event store needs it to MAC appends). */
export const AUDIT_KEY_RING = Symbol('AUDIT_KEY_RING');
/** AuditServices over the process's pool, store and key ring. */
export const AUDIT_SERVICES = Symbol('AUDIT_SERVICES');
