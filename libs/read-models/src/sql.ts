import { escapeIdentifier } from 'pg';
import { type ConsumerTransaction, sendWrite } from '@app/platform';

/** A column of a row written in bulk: its SQL type in jsonb_to_recordset's column list. */
export type ColumnTypes = Readonly<Record<string, string>>;

/** One entity's row before and after a batch (null: no row). */
export interface RowChange<Row> {
  /** What the table holds now (as loaded, or as last written). */
  readonly before: Row | null;
  readonly after: Row | null;
}

/**
 * Upserts many rows in one statement: the rows travel as one jsonb array and jsonb_to_recordset turns
 * them back into typed columns (text[] arrives as a JSON array, jsonb as itself). A write (sendWrite):
 * in a pipelined transaction it resolves once sent, and goes out with the commit.
 */
export async function upsertRows(
  tx: ConsumerTransaction,
  table: string,
  columns: ColumnTypes,
  key: readonly string[],
  rows: readonly Record<string, unknown>[],
): Promise<void> {
  if (rows.length === 0) return;
  const names = Object.keys(columns);
  const list = names.map((name) => `${escapeIdentifier(name)} ${columns[name]}`).join(', ');
  const cols = names.map(escapeIdentifier).join(', ');
  const updates = names.filter((n) => !key.includes(n)).map((n) => `${escapeIdentifier(n)} = excluded.${escapeIdentifier(n)}`).join(', ');
  await sendWrite(
    tx,
    `INSERT INTO ${escapeIdentifier(table)} (${cols})
     SELECT ${cols} FROM jsonb_to_recordset($1::jsonb) AS r(${list})
     ON CONFLICT (${key.map(escapeIdentifier).join(', ')}) DO ${updates === '' ? 'NOTHING' : `UPDATE SET ${updates}`}`,
    [JSON.stringify(rows)],
  );
}

export async function deleteKeys(tx: ConsumerTransaction, table: string, column: string, keys: readonly string[], type = 'uuid'): Promise<void> {
  if (keys.length === 0) return;
  await sendWrite(tx, `DELETE FROM ${escapeIdentifier(table)} WHERE ${escapeIdentifier(column)} = ANY($1::${type}[])`, [keys]);
}

/** How an entity's row maps onto one table: its key column and the columns written. */
export interface RowMapping<Row> {
  readonly key: string;
  /** SQL type of the key column (default uuid). */
  readonly keyType?: string;
  readonly columns: ColumnTypes;
  columnsOf(key: string, row: Row): Record<string, unknown>;
}

/**
 * The save of a one-row-per-entity table: every changed row upserted in one statement, every entity
 * that lost its row deleted in another (only those that had one), nothing else touched.
 */
export async function saveRows<Row>(
  tx: ConsumerTransaction,
  table: string,
  mapping: RowMapping<Row>,
  changes: ReadonlyMap<string, RowChange<Row>>,
): Promise<void> {
  const upserts: Record<string, unknown>[] = [];
  const deletes: string[] = [];
  for (const [key, { before, after }] of changes) {
    if (after !== null) upserts.push(mapping.columnsOf(key, after));
    else if (before !== null) deletes.push(key);
  }
  await deleteKeys(tx, table, mapping.key, deletes, mapping.keyType);
  await upsertRows(tx, table, mapping.columns, [mapping.key], upserts);
}
