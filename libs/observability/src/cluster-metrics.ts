import cluster from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';

const REQUEST = 'nomination-approvals:cluster-metrics-request';
const RESPONSE = 'nomination-approvals:cluster-metrics-response';
const TIMEOUT_MS = 5_000;

interface MetricsMessage {
  readonly type: string;
  readonly id: number;
  readonly text?: string;
  readonly error?: string;
}

const isMessage = (value: unknown): value is MetricsMessage =>
  typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';

/**
 * In the primary of a cluster: answers a worker's request for the metrics of every worker, summed
 * (prom-client's aggregation), so whichever process a scrape of /metrics reaches, it reports the group.
 */
let serving = false;

export function serveClusterMetrics(): void {
  if (serving) return;
  serving = true;
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, message: unknown) => {
    if (!isMessage(message) || message.type !== REQUEST) return;
    aggregator.clusterMetrics().then(
      (text) => worker.send({ type: RESPONSE, id: message.id, text }),
      (error: unknown) => worker.send({ type: RESPONSE, id: message.id, error: String(error) }),
    );
  });
}

let nextId = 0;

/** The metrics to serve: this process's alone, or in a cluster worker the whole group's from the primary. */
export async function processGroupMetrics(registry: Registry): Promise<string> {
  if (!cluster.isWorker || process.send === undefined) return registry.metrics();
  const id = nextId++;
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      process.off('message', onMessage);
      reject(new Error('the cluster primary did not answer for the metrics'));
    }, TIMEOUT_MS);
    function onMessage(message: unknown): void {
      if (!isMessage(message) || message.type !== RESPONSE || message.id !== id) return;
      clearTimeout(timer);
      process.off('message', onMessage);
      if (message.error !== undefined) reject(new Error(message.error));
      else resolve(message.text ?? '');
    }
    process.on('message', onMessage);
    process.send!({ type: REQUEST, id });
  });
}
