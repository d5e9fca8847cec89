import type { ConsumedEvent, ConsumerTransaction, DurableConsumer } from '@app/platform';
import type { EventCategory, WorkingDayCalendar } from '@app/nomination';
import type { ColumnTypes, RowChange, RowMapping } from './sql';

/** What a projection may need beyond the events: reference data that is itself versioned data. */
export interface ProjectionContext {
  readonly calendar: WorkingDayCalendar;
}

/**
 * Physical names of a projection's tables. Live, they are the migrated tables (`rm_nominations`); a
 * rebuild writes the same rows into fresh copies and swaps them in (see rebuild/rebuild.ts).
 */
export type TableNames<Logical extends string = string> = Readonly<Record<Logical, string>>;

/**
 * A read model kept as one row (or row group) per entity: events are grouped by key, the current rows
 * of those keys loaded once, folded with `evolve`, and written back in bulk, so a batch of N events
 * costs a handful of statements whatever N is.
 *
 * `evolve` is pure and total: it never throws on a recorded event (an event that does not fit leaves
 * the row as it was) and returns null when the entity has no row (not yet, or no longer).
 */
export interface Projection<Row = unknown, Logical extends string = string> {
  /** Stable; `projection:<name>` names its checkpoint. Also the argument of projections:rebuild. */
  readonly name: string;
  readonly categories: readonly EventCategory[];
  /** Logical name → live table; the first is the main one. */
  readonly tables: TableNames<Logical>;
  keyOf(event: ConsumedEvent): string | null;
  evolve(row: Row | null, event: ConsumedEvent, context: ProjectionContext): Row | null;
  load(tx: ConsumerTransaction, tables: TableNames<Logical>, keys: readonly string[]): Promise<Map<string, Row>>;
  /**
   * Writes the rows that changed, given what the tables hold (`before`) and what they must hold
   * (`after`; null = the entity has no rows). Most projections use saveRows (sql.ts).
   */
  save(tx: ConsumerTransaction, tables: TableNames<Logical>, changes: ReadonlyMap<string, RowChange<Row>>): Promise<void>;
  /**
   * The rows an entity has in each table, for a rebuild's inserts of entities its shadow tables do not
   * hold yet (COPY, rebuild/copy-rows.ts): every table the projection writes, the same rows `save`
   * writes for a new entity. Without it, a rebuild writes through `save` only.
   */
  readonly bulk?: readonly BulkTable<Logical, Row>[];
}

/** One table's rows of an entity, as a rebuild inserts them. */
export interface BulkTable<Logical extends string, Row> {
  readonly table: Logical;
  /** The columns written, with their SQL types (as RowMapping.columns). */
  readonly columns: ColumnTypes;
  rowsOf(key: string, row: Row): readonly Record<string, unknown>[];
}

/** The bulk insert of a one-row-per-entity table written by saveRows with `mapping`. */
export function bulkOf<Logical extends string, Row>(table: Logical, mapping: RowMapping<Row>): BulkTable<Logical, Row> {
  return { table, columns: mapping.columns, rowsOf: (key, row) => [mapping.columnsOf(key, row)] };
}

export const checkpointNameOf = (projection: { readonly name: string }): string => `projection:${projection.name}`;

/** A batch's events by entity key, and the rows the tables hold for those keys. */
export interface BatchRead<Row> {
  readonly byKey: ReadonlyMap<string, readonly ConsumedEvent[]>;
  readonly current: ReadonlyMap<string, Row>;
}

/** What applying `events` starts from: their entities (in log order) and those entities' current rows. */
export async function readBatch<Row, Logical extends string>(
  projection: Projection<Row, Logical>,
  events: readonly ConsumedEvent[],
  tx: ConsumerTransaction,
  tables: TableNames<Logical>,
): Promise<BatchRead<Row>> {
  const byKey = new Map<string, ConsumedEvent[]>();
  for (const event of events) {
    const key = projection.keyOf(event);
    if (key === null) continue;
    let list = byKey.get(key);
    if (list === undefined) byKey.set(key, (list = []));
    list.push(event);
  }
  const current: ReadonlyMap<string, Row> = byKey.size === 0 ? new Map() : await projection.load(tx, tables, [...byKey.keys()]);
  return { byKey, current };
}

/**
 * Applies a batch of events to a projection's tables through the transaction, from `read` (readBatch of
 * the same events) when it was read ahead.
 */
export async function applyBatch<Row, Logical extends string>(
  projection: Projection<Row, Logical>,
  events: readonly ConsumedEvent[],
  tx: ConsumerTransaction,
  tables: TableNames<Logical>,
  context: ProjectionContext,
  read?: BatchRead<Row>,
): Promise<number> {
  const { byKey, current } = read ?? (await readBatch(projection, events, tx, tables));
  if (byKey.size === 0) return 0;
  const changed = new Map<string, RowChange<Row>>();
  for (const [key, list] of byKey) {
    const before = current.get(key) ?? null;
    let row: Row | null = before;
    for (const event of list) row = projection.evolve(row, event, context);
    if (row !== before) changed.set(key, { before, after: row });
  }
  if (changed.size > 0) await projection.save(tx, tables, changed);
  return changed.size;
}

/** A projection run live by the worker's ConsumerHost, writing into its migrated tables. */
export class ProjectionConsumer<Row, Logical extends string> implements DurableConsumer<BatchRead<Row>> {
  readonly name: string;
  readonly categories: readonly EventCategory[];

  constructor(
    readonly projection: Projection<Row, Logical>,
    private readonly context: ProjectionContext,
  ) {
    this.name = checkpointNameOf(projection);
    this.categories = projection.categories;
  }

  /** The current rows of the batch's entities, read with the batch's lock (DurableConsumer.read). */
  read(events: readonly ConsumedEvent[], tx: ConsumerTransaction): Promise<BatchRead<Row>> {
    return readBatch(this.projection, events, tx, this.projection.tables);
  }

  async handle(events: readonly ConsumedEvent[], tx: ConsumerTransaction, _context?: unknown, read?: BatchRead<Row>): Promise<void> {
    await applyBatch(this.projection, events, tx, this.projection.tables, this.context, read);
  }
}
