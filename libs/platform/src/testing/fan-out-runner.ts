/**
 * A bare worker for the fan-out kill test (consumer-group.int-spec.ts): the consumers named in
 * CONSUMERS (comma-separated) in one ConsumerGroup on DATABASE_URL, each writing one row per event it
 * receives into its own table (`fanout_<name>`, no key: a doubled row stays visible), batches of
 * BATCH_SIZE. Prints `ready` once started; runs until killed.
 */
import { createPool } from '@app/database';
import { PostgresEventStore } from '@app/event-store';
import { createRootLogger } from '@app/observability';
import { ConsumerGroup } from '../consumer-group';
import { RowPerEventConsumer } from './row-per-event-consumer';

const names = (process.env['CONSUMERS'] ?? '').split(',').filter((n) => n !== '');
const pool = createPool(process.env['DATABASE_URL']!, { max: names.length + 4, applicationName: 'fan-out-runner' });
const store = new PostgresEventStore(pool, { pollIntervalMs: 20 });
const logger = createRootLogger({ level: 'silent', service: 'fan-out-runner' });
const group = new ConsumerGroup(pool, store, logger, { batchSize: Number(process.env['BATCH_SIZE'] ?? '5'), standbyRetryMs: 50 });
for (const name of names) group.add(new RowPerEventConsumer(name));
group.start();
process.stdout.write('ready\n');
