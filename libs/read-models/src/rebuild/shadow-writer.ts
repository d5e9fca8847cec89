import type { PoolClient } from 'pg';
import type { ConsumedEvent, ConsumerTransaction } from '@app/platform';
import type { Projection, ProjectionContext, TableNames } from '../projection';
import type { RowChange } from '../sql';

interface Entry<Row> {
  /** What the shadow table holds for the key (as last written, or loaded). */
  stored: Row | null;
  /** The row after every event applied so far. */
  current: Row | null;
}

/**
 * A projection's fold into its shadow tables during a rebuild, which nothing else writes: so what
 * the tables hold is known without asking them.
 *
 * - Rows are cached across batches (least recently touched evicted first, beyond `capacity`): an
 *   entity whose events span many batches is read back from the table only if it was evicted, and a
 *   key never seen has no row, without a query.
 * - A batch's changed rows are written once, in bulk (Projection.save), and that write runs while
 *   the caller reads and folds the next batch; the next write waits for it.
 */
export class ShadowWriter<Row> {
  private readonly entries = new Map<string, Entry<Row>>();
  /** Keys evicted from the cache while the table holds a row for them. */
  private readonly evicted = new Set<string>();
  private pending: Promise<void> = Promise.resolve();
  private readonly tx: ConsumerTransaction;

  constructor(
    private readonly projection: Projection<Row, string>,
    client: PoolClient,
    private readonly tables: TableNames,
    private readonly context: ProjectionContext,
    private readonly capacity: number,
  ) {
    this.tx = { query: (text, values) => client.query(text, values as unknown[]) };
  }

  async apply(events: readonly ConsumedEvent[]): Promise<void> {
    const keyed: [string, ConsumedEvent][] = [];
    const missing = new Set<string>();
    for (const event of events) {
      const key = this.projection.keyOf(event);
      if (key === null) continue;
      keyed.push([key, event]);
      if (this.evicted.has(key) && !this.entries.has(key)) missing.add(key);
    }
    if (missing.size > 0) {
      // An evicted row was written before it was evicted: wait for that write, then read it back.
      await this.pending;
      const loaded = await this.projection.load(this.tx, this.tables, [...missing]);
      for (const key of missing) {
        const row = loaded.get(key) ?? null;
        this.entries.set(key, { stored: row, current: row });
        this.evicted.delete(key);
      }
    }
    const touched = new Map<string, Entry<Row>>();
    for (const [key, event] of keyed) {
      let entry = touched.get(key);
      if (entry === undefined) {
        entry = this.entries.get(key) ?? { stored: null, current: null };
        // Most recently touched last: eviction takes from the front.
        this.entries.delete(key);
        this.entries.set(key, entry);
        touched.set(key, entry);
      }
      entry.current = this.projection.evolve(entry.current, event, this.context);
    }
    const changes = new Map<string, RowChange<Row>>();
    for (const [key, entry] of touched) {
      if (entry.current !== entry.stored) changes.set(key, { before: entry.stored, after: entry.current });
    }
    await this.pending;
    for (const entry of touched.values()) entry.stored = entry.current;
    this.evict();
    if (changes.size > 0) {
      const write = this.projection.save(this.tx, this.tables, changes);
      // Awaited by the next apply or by flushed(); a failure is not lost meanwhile.
      write.catch(() => undefined);
      this.pending = write;
    }
  }

  /** Resolves once every row folded so far is in the tables. */
  async flushed(): Promise<void> {
    await this.pending;
  }

  private evict(): void {
    if (this.entries.size <= this.capacity) return;
    for (const [key, entry] of this.entries) {
      if (this.entries.size <= this.capacity) break;
      this.entries.delete(key);
      if (entry.stored !== null) this.evicted.add(key);
    }
  }
}
