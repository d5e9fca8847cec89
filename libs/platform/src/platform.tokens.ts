/** Injection tokens of the process-wide resources both apps share. */
export const PG_POOL = Symbol('PG_POOL');
export const REDIS = Symbol('REDIS');
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');
