/**
 * A bare projection runner for the crash tests: every projection in one ConsumerGroup on
 * DATABASE_URL (one shared read of the log, as the worker runs them), tiny batches so that a SIGKILL
 * lands between and inside many commits, and in the middle of handing a batch out. Prints `ready`
 * once started; runs until killed.
 */
import { createPool } from '@app/database';
import { PostgresEventStore } from '@app/event-store';
import { loadReferenceData, WorkingDayCalendar } from '@app/nomination';
import { createRootLogger } from '@app/observability';
import { ConsumerGroup } from '@app/platform';
import { PROJECTIONS, ProjectionConsumer } from '@app/read-models';

const pool = createPool(process.env['DATABASE_URL']!, { max: PROJECTIONS.length + 4, applicationName: 'projection-runner' });
const store = new PostgresEventStore(pool, { pollIntervalMs: 20 });
const logger = createRootLogger({ level: 'silent', service: 'projection-runner' });
const context = { calendar: new WorkingDayCalendar(loadReferenceData().holidays) };
const batchSize = Number(process.env['BATCH_SIZE'] ?? '7');
const group = new ConsumerGroup(pool, store, logger, { batchSize, standbyRetryMs: 50 });
for (const projection of PROJECTIONS) group.add(new ProjectionConsumer(projection, context));
group.start();
process.stdout.write('ready\n');
