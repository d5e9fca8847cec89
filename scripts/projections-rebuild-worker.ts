/**
 * A worker thread of `npm run projections:rebuild` (rebuildProjections with `workers`): replays one
 * shard of the log into the shadow tables (libs/read-models/src/rebuild/rebuild-shard.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runRebuildShard, type ShardMessage, type ShardTask } from '@app/read-models';

const post = (message: ShardMessage): void => parentPort!.postMessage(message);
runRebuildShard(workerData as ShardTask, post).catch((error: unknown) => {
  post({ kind: 'error', message: error instanceof Error ? error.stack ?? error.message : String(error) });
});
