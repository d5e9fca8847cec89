// The entry of a projections:rebuild worker thread. A worker does not inherit the main thread's module
// hooks (Node 20), so tsx is registered here before the TypeScript entry is loaded.
import { register as registerEsm } from 'tsx/esm/api';
import { register as registerCjs } from 'tsx/cjs/api';

registerCjs();
registerEsm();
await import('./projections-rebuild-worker.ts');
