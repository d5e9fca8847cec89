import type { PoolClient } from 'pg';
import type { ConsumedEvent, ConsumerTransaction } from '@app/platform';
import type { BulkTable, Projection, ProjectionContext, TableNames } from '../projection';
import type { RowChange } from '../sql';
import { copyLine, copyRows } from './copy-rows';

interface Entry<Row> {
  /** What the shadow table holds for the key (as last written, or loaded); null: no row. */
  stored: Row | null;
  /** The row after every event applied so far. */
  current: Row | null;
}

/**
 * A projection's fold into its shadow tables during a rebuild, which nothing else writes: so what
 * the tables hold is known without asking them.
 *
 * - Rows are cached (least recently touched evicted first, beyond `capacity`) and written when they
 *   leave the cache or at flush(), not after every batch: an entity whose events span many batches
 *   is written once, and one that ends without a row (a rejected nomination's inbox row) never.
 * - A row the tables do not hold yet is inserted with COPY (Projection.bulk), without a conflict
 *   check; only an entity evicted earlier and seen again is read back and written through
 *   Projection.save (its upsert/delete).
 * - A write runs while the caller reads and folds the next batch; the next write waits for it.
 */
export class ShadowWriter<Row> {
  private readonly entries = new Map<string, Entry<Row>>();
  /** Keys evicted from the cache while the table holds (or is being sent) a row for them. */
  private readonly evicted = new Set<string>();
  private pending: Promise<void> = Promise.resolve();
  /** Others (a rebuild's worker threads) wrote rows into the tables: a key not cached may have one. */
  private unseenKeysStored = false;
  private readonly tx: ConsumerTransaction;
  private readonly bulk: readonly { readonly table: string; readonly names: readonly string[]; readonly spec: BulkTable<string, Row> }[] | undefined;

  constructor(
    private readonly projection: Projection<Row, string>,
    private readonly client: PoolClient,
    private readonly tables: TableNames,
    private readonly context: ProjectionContext,
    private readonly capacity: number,
  ) {
    this.tx = { query: (text, values) => client.query(text, values as unknown[]) };
    this.bulk = projection.bulk?.map((spec) => ({ table: tables[spec.table]!, names: Object.keys(spec.columns), spec }));
  }

  async apply(events: readonly ConsumedEvent[]): Promise<void> {
    const keyed: [string, ConsumedEvent][] = [];
    const missing = new Set<string>();
    for (const event of events) {
      const key = this.projection.keyOf(event);
      if (key === null) continue;
      keyed.push([key, event]);
      if (!this.entries.has(key) && (this.unseenKeysStored || this.evicted.has(key))) missing.add(key);
    }
    if (missing.size > 0) {
      // An evicted row was sent before it was evicted: wait for that write, then read it back.
      await this.pending;
      const loaded = await this.projection.load(this.tx, this.tables, [...missing]);
      for (const key of missing) {
        const row = loaded.get(key) ?? null;
        this.entries.set(key, { stored: row, current: row });
        this.evicted.delete(key);
      }
    }
    let previous: string | undefined;
    for (const [key, event] of keyed) {
      let entry = this.entries.get(key);
      if (entry === undefined) {
        entry = { stored: null, current: null };
        this.entries.set(key, entry);
      } else if (key !== previous) {
        // Most recently touched last: eviction takes from the front.
        this.entries.delete(key);
        this.entries.set(key, entry);
      }
      previous = key;
      entry.current = this.projection.evolve(entry.current, event, this.context);
    }
    if (this.entries.size > this.capacity) await this.write(this.evict());
  }

  /** Writes every row folded so far; resolves once they are all in the tables. */
  async flush(): Promise<void> {
    const dirty: [string, Entry<Row>][] = [];
    for (const item of this.entries) if (item[1].current !== item[1].stored) dirty.push(item);
    await this.write(dirty);
    await this.pending;
  }

  /** From now on, a key this writer has not seen may have rows in the tables (written by others). */
  tablesHoldUnseenKeys(): void {
    this.unseenKeysStored = true;
  }

  /** Resolves once every write sent so far has finished. */
  async flushed(): Promise<void> {
    await this.pending;
  }

  /** Takes the least recently touched entries beyond capacity out of the cache; returns those to write. */
  private evict(): [string, Entry<Row>][] {
    const dirty: [string, Entry<Row>][] = [];
    for (const item of this.entries) {
      if (this.entries.size <= this.capacity) break;
      const [key, entry] = item;
      this.entries.delete(key);
      if (entry.current !== entry.stored) dirty.push(item);
      if (entry.current !== null) this.evicted.add(key);
    }
    return dirty;
  }

  /** Sends the rows of `dirty` (after the previous write has finished) and counts them as stored. */
  private async write(dirty: readonly [string, Entry<Row>][]): Promise<void> {
    if (dirty.length === 0) return;
    const inserts: [string, Row][] = [];
    const changes = new Map<string, RowChange<Row>>();
    for (const [key, entry] of dirty) {
      if (this.bulk !== undefined && entry.stored === null && entry.current !== null) inserts.push([key, entry.current]);
      else changes.set(key, { before: entry.stored, after: entry.current });
      entry.stored = entry.current;
    }
    // Formatted now, while the previous write is still running.
    const copies = this.bulk?.map(({ table, names, spec }) => {
      const lines: string[] = [];
      for (const [key, row] of inserts) for (const columns of spec.rowsOf(key, row)) lines.push(copyLine(spec.columns, names, columns));
      return { table, columns: spec.columns, lines };
    }) ?? [];
    await this.pending;
    const write = (async () => {
      for (const { table, columns, lines } of copies) if (lines.length > 0) await copyRows(this.client, table, columns, lines);
      if (changes.size > 0) await this.projection.save(this.tx, this.tables, changes);
    })();
    // Awaited by the next write or by flush()/flushed(); a failure is not lost meanwhile.
    write.catch(() => undefined);
    this.pending = write;
  }
}
