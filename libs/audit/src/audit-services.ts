import type { Pool } from 'pg';
import type { EventStore } from '@app/event-store';
import type { AuditKeyRing } from './audit-key-ring';
import { AuditVerifier } from './audit-verifier';
import { MigrationStore } from './log-migration';
import { SealStore } from './seal-store';
import { Sealer } from './sealer';

export interface AuditServices {
  readonly seals: SealStore;
  readonly sealer: Sealer;
  readonly verifier: AuditVerifier;
  readonly migrations: MigrationStore;
}

/** The audit trail's services over one pool, store and key ring (the api, the worker and the CLI build them alike). */
export function createAuditServices(pool: Pool, store: EventStore, keys: AuditKeyRing, options: { readonly verifyThreads?: number } = {}): AuditServices {
  const seals = new SealStore(pool, keys);
  const migrations = new MigrationStore(pool, keys);
  return {
    seals,
    migrations,
    sealer: new Sealer(pool, store, keys, seals),
    verifier: new AuditVerifier(store, keys, seals, migrations, options.verifyThreads === undefined ? {} : { threads: options.verifyThreads }),
  };
}
