import { Inject, Injectable } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import type { Actor } from '@app/auth';
import { ForbiddenError, ValidationFailedError } from '@app/nomination';
import { PG_POOL } from '@app/platform';
import { csvField, UTF8_BOM } from '@app/read-models';
import { CLOCK, type Clock, ReferenceDataService, successorOfAbolished } from '@app/application';

export interface AuditEventFilter {
  readonly nominationId?: string;
  readonly decisionId?: string;
  readonly actor?: string;
  /** Narrows the caller's jurisdiction to a unit at or under theirs. */
  readonly unit?: string;
  readonly types?: readonly string[];
  readonly from?: Date;
  /** Exclusive. */
  readonly to?: Date;
}

export interface AuditEventItem {
  readonly position: string;
  readonly streamId: string;
  readonly revision: number;
  readonly type: string;
  readonly at: string;
  readonly actor: { readonly id: string | null; readonly name: string | null; readonly unit: string | null; readonly roles: readonly string[] };
  readonly nominationId?: string;
  readonly decisionId?: string;
  readonly data: unknown;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

interface EventRow {
  readonly position: string;
  readonly stream_id: string;
  readonly revision: string;
  readonly type: string;
  readonly recorded_at: Date;
  readonly actor_id: string | null;
  readonly actor_name: string | null;
  readonly actor_unit: string | null;
  readonly actor_roles: string[];
  readonly nomination_id: string | null;
  readonly decision_id: string | null;
  readonly data: unknown;
}

export interface AuditReadFilter {
  readonly actor?: string;
  readonly from?: Date;
  readonly to?: Date;
}

export interface AuditReadItem {
  readonly id: string;
  readonly at: string;
  readonly actor: { readonly id: string; readonly name: string; readonly unit: string; readonly roles: readonly string[] };
  readonly resource: string;
  readonly format: string;
  readonly filter: unknown;
  readonly rows: number;
  readonly complete: boolean;
  /** For a verification: what it found. */
  readonly result?: unknown;
}

/**
 * What was read: the audit events (a page or an export), a verification (one stream, the whole log,
 * or the log against a held seal; `rows` = events checked) or the latest seal.
 */
export type AuditReadResource = 'audit-events' | 'audit-verify' | 'audit-verify-seal' | 'audit-seal';

/** What one audit read was, to be recorded. */
export interface AuditReadRecord {
  readonly actor: Actor;
  readonly resource: AuditReadResource;
  readonly format: 'json' | 'csv';
  readonly filter: Readonly<Record<string, unknown>>;
  readonly rows: number;
  readonly complete: boolean;
  readonly result?: unknown;
}

const EVENT_COLUMNS = `e.position::text AS position, e.stream_id, e.revision, e.type, e.recorded_at, e.actor_id, e.actor_name,
  e.actor_unit, e.actor_roles, e.nomination_id, e.decision_id, e.data`;

/** Cursors are opaque to clients: the position of the last row, base64url. */
export function encodeCursor(position: string): string {
  return Buffer.from(`p:${position}`, 'utf8').toString('base64url');
}

/** The largest read id (bigint); positions are numeric(20), which holds every key of 20 digits. */
const MAX_READ_KEY = 9_223_372_036_854_775_807n;

/**
 * The key of a cursor this list gave out; anything else is refused (400), never taken as "from the
 * start", which would hand a client its first page again.
 */
export function decodeCursor(cursor: string, max?: bigint): string {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^p:\d{1,20}$/.test(text) || (max !== undefined && BigInt(text.slice(2)) > max)) {
    throw new ValidationFailedError('The cursor is not one this list gave out.', [{ field: 'cursor', message: 'invalid cursor' }]);
  }
  return text.slice(2);
}

export function toItem(row: EventRow): AuditEventItem {
  return {
    position: row.position,
    streamId: row.stream_id,
    revision: Number(row.revision),
    type: row.type,
    at: row.recorded_at.toISOString(),
    actor: { id: row.actor_id, name: row.actor_name, unit: row.actor_unit, roles: row.actor_roles },
    ...(row.nomination_id === null ? {} : { nominationId: row.nomination_id }),
    ...(row.decision_id === null ? {} : { decisionId: row.decision_id }),
    data: row.data,
  };
}

const CSV_COLUMNS = ['position', 'streamId', 'revision', 'type', 'at', 'actorId', 'actorName', 'actorUnit', 'actorRoles', 'nominationId', 'decisionId', 'data'];

/** The header line, after the byte order mark that lets spreadsheet programs read Vietnamese. */
export function csvHeader(): string {
  return `${UTF8_BOM}${CSV_COLUMNS.join(',')}\r\n`;
}

export function csvLine(item: AuditEventItem): string {
  return (
    [
      item.position,
      item.streamId,
      String(item.revision),
      item.type,
      item.at,
      item.actor.id ?? '',
      item.actor.name ?? '',
      item.actor.unit ?? '',
      item.actor.roles.join(' '),
      item.nominationId ?? '',
      item.decisionId ?? '',
      JSON.stringify(item.data),
    ]
      .map(csvField)
      .join(',') + '\r\n'
  );
}

const CSV_FETCH = 1_000;

/**
 * The audit trail's queries. Every one is scoped to the caller's jurisdiction through
 * audit_event_scopes: the caller's unit (or a unit under it named by `unit`) in their code set.
 */
@Injectable()
export class AuditTrailQueries {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly referenceData: ReferenceDataService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * The scope a query reads in: the caller's (scopeOf), or, asked for one decision (`decisionId`) of a
   * code set no longer in force whose issuing unit's successor lies at or under the caller's scope, the
   * decision's own recorded issuer. The successor revokes such a decision and GET /decisions/{id} and
   * GET /audit/verify show it to the successor's chain (decision-access.ts), so its trail is theirs to
   * read as well: Huyện Mường La's decisions (gso-2004), and the revocation Tỉnh Sơn La's chairman
   * (gso-2025) made of one, to the province's auditors of today.
   */
  private async queryScope(actor: Actor, filter: AuditEventFilter): Promise<{ codeSet: string; unit: string; reader: string }> {
    const scope = await this.scopeOf(actor, filter.unit);
    if (filter.decisionId === undefined) return scope;
    const { rows } = await this.pool.query<{ code_set: string; units: string[] }>(
      'SELECT code_set, units FROM audit_stream_scopes WHERE stream_id = $1', [`decision-${filter.decisionId}`],
    );
    const issuer = rows[0]?.units[0];
    if (rows[0] === undefined || issuer === undefined || rows[0].code_set === scope.codeSet) return scope;
    const codeSet = rows[0].code_set;
    const directory = await this.referenceData.directory();
    const successor = successorOfAbolished(this.referenceData, codeSet, issuer, directory, this.clock());
    if (successor === undefined || successor.codeSet !== scope.codeSet || !directory.isAtOrUnder(scope.codeSet, successor.unit, scope.unit)) return scope;
    return { codeSet, unit: issuer, reader: issuer };
  }

  /**
   * The code set and unit whose scope the caller reads, and the caller's own unit; 403 for a `unit`
   * that is not under theirs in today's tree. Even then the rows are only those in the caller's own
   * recorded scope as well (eventsSql), so a unit moved under the caller brings none of its older events.
   */
  async scopeOf(actor: Actor, unit: string | undefined): Promise<{ codeSet: string; unit: string; reader: string }> {
    const codeSet = this.referenceData.domainActor(actor).codeSet;
    if (unit === undefined || unit === actor.unit) return { codeSet, unit: actor.unit, reader: actor.unit };
    const directory = await this.referenceData.directory();
    if (!directory.isAtOrUnder(codeSet, unit, actor.unit)) {
      throw new ForbiddenError(`Unit ${unit} is not within your jurisdiction (${actor.unit}, ${codeSet})`);
    }
    return { codeSet, unit, reader: actor.unit };
  }

  private eventsSql(scope: { codeSet: string; unit: string; reader: string }, filter: AuditEventFilter, after: string | undefined): { text: string; values: unknown[] } {
    const values: unknown[] = [scope.codeSet, scope.unit];
    const where = ['s.code_set = $1', 's.unit = $2'];
    const add = (condition: (n: string) => string, value: unknown) => {
      values.push(value);
      where.push(condition(`$${values.length}`));
    };
    if (scope.reader !== scope.unit) {
      add((n) => `EXISTS (SELECT 1 FROM audit_event_scopes r WHERE r.code_set = s.code_set AND r.unit = ${n} AND r.position = s.position)`, scope.reader);
    }
    // On both sides of the join, so that whichever side the planner walks starts at the cursor.
    if (after !== undefined) add((n) => `s.position > ${n}::numeric AND e.position > ${n}::numeric`, after);
    if (filter.nominationId !== undefined) add((n) => `e.nomination_id = ${n}::uuid`, filter.nominationId);
    if (filter.decisionId !== undefined) add((n) => `e.decision_id = ${n}::uuid`, filter.decisionId);
    // Type, actor and time are read from the scope rows, whose indexes lead with the jurisdiction
    // (migrations/1764900000004_audit-scope-filters.sql).
    if (filter.actor !== undefined) add((n) => `s.actor_id = ${n}`, filter.actor);
    if (filter.types !== undefined) add((n) => `s.type = ANY(${n}::text[])`, filter.types);
    if (filter.from !== undefined) {
      // Nothing recorded at or after `from` lies before the first position whose running maximum of
      // recorded time reaches it: the walk starts there instead of at the jurisdiction's first event.
      add(
        (n) =>
          `s.recorded_at >= ${n} AND s.position >= (SELECT f.position FROM audit_events f WHERE f.recorded_at_max >= ${n} ORDER BY f.recorded_at_max, f.position LIMIT 1)` +
          ` AND e.position >= (SELECT f.position FROM audit_events f WHERE f.recorded_at_max >= ${n} ORDER BY f.recorded_at_max, f.position LIMIT 1)`,
        filter.from,
      );
    }
    if (filter.to !== undefined) add((n) => `s.recorded_at < ${n}`, filter.to);
    return {
      text: `SELECT ${EVENT_COLUMNS} FROM audit_event_scopes s JOIN audit_events e ON e.position = s.position
             WHERE ${where.join(' AND ')} ORDER BY s.position`,
      values,
    };
  }

  async events(actor: Actor, filter: AuditEventFilter, cursor: string | undefined, limit: number): Promise<Page<AuditEventItem>> {
    const scope = await this.queryScope(actor, filter);
    const after = cursor === undefined ? undefined : decodeCursor(cursor);
    const { text, values } = this.eventsSql(scope, filter, after);
    values.push(limit + 1);
    const { rows } = await this.pool.query<EventRow>(`${text} LIMIT $${values.length}`, values);
    const items = rows.slice(0, limit).map(toItem);
    return { items, nextCursor: rows.length > limit ? encodeCursor(items[items.length - 1]!.position) : null };
  }

  /**
   * The same rows as CSV chunks, read from a server-side cursor a thousand at a time, so memory stays
   * flat whatever the size. `counted` is told the rows sent so far; the cursor is closed when the
   * consumer stops reading (finished or gone).
   */
  async *eventsCsv(actor: Actor, filter: AuditEventFilter, counted: (rows: number) => void): AsyncGenerator<string> {
    const scope = await this.queryScope(actor, filter);
    const { text, values } = this.eventsSql(scope, filter, undefined);
    const client: PoolClient = await this.pool.connect();
    let rows = 0;
    let committed = false;
    try {
      await client.query('BEGIN READ ONLY');
      await client.query(`DECLARE audit_export NO SCROLL CURSOR FOR ${text}`, values);
      yield csvHeader();
      for (;;) {
        const batch = await client.query<EventRow>(`FETCH ${CSV_FETCH} FROM audit_export`);
        if (batch.rows.length === 0) break;
        let chunk = '';
        for (const row of batch.rows) chunk += csvLine(toItem(row));
        rows += batch.rows.length;
        counted(rows);
        yield chunk;
      }
      await client.query('COMMIT');
      committed = true;
    } finally {
      // Also when the reader went away mid-export: the generator is returned, the cursor closed.
      if (!committed) await client.query('ROLLBACK').catch(() => undefined);
      client.release();
    }
  }

  /** Records a read; returns its id, so an export can be recorded before it starts and finished after. */
  async recordRead(read: AuditReadRecord): Promise<string> {
    const codeSet = this.referenceData.domainActor(read.actor).codeSet;
    const directory = await this.referenceData.directory();
    const scope = [read.actor.unit, ...directory.ancestry(codeSet, read.actor.unit).map((unit) => unit.code)];
    const { rows } = await this.pool.query<{ id: string }>(
      `INSERT INTO audit_reads (actor_id, actor_name, actor_unit, actor_roles, code_set, scope_units, resource, format, filter, rows, complete, result)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id::text AS id`,
      [read.actor.id, read.actor.name, read.actor.unit, JSON.stringify(read.actor.roles), codeSet, [...new Set(scope)], read.resource,
        read.format, JSON.stringify(read.filter), read.rows, read.complete, read.result === undefined ? null : JSON.stringify(read.result)],
    );
    return rows[0]!.id;
  }

  /** The rows an export sent (or the events a verification checked), whether it ran to the end, what it found. */
  async finishRead(id: string, rows: number, complete: boolean, result?: unknown): Promise<void> {
    await this.pool.query('UPDATE audit_reads SET rows = $2, complete = $3, result = $4 WHERE id = $1', [
      id, rows, complete, result === undefined ? null : JSON.stringify(result),
    ]);
  }

  /**
   * Recorded reads, newest first: an administrator sees all of them, an auditor those made by users
   * of their unit or a unit under it.
   */
  async reads(actor: Actor, filter: AuditReadFilter, cursor: string | undefined, limit: number): Promise<Page<AuditReadItem>> {
    const values: unknown[] = [];
    const where: string[] = [];
    const add = (condition: (n: string) => string, value: unknown) => {
      values.push(value);
      where.push(condition(`$${values.length}`));
    };
    if (!actor.roles.includes('admin')) {
      const codeSet = this.referenceData.domainActor(actor).codeSet;
      add((n) => `code_set = ${n}`, codeSet);
      add((n) => `scope_units @> ARRAY[${n}::text]`, actor.unit);
    }
    const before = cursor === undefined ? undefined : decodeCursor(cursor, MAX_READ_KEY);
    if (before !== undefined) add((n) => `id < ${n}::bigint`, before);
    if (filter.actor !== undefined) add((n) => `actor_id = ${n}`, filter.actor);
    if (filter.from !== undefined) add((n) => `at >= ${n}`, filter.from);
    if (filter.to !== undefined) add((n) => `at < ${n}`, filter.to);
    values.push(limit + 1);
    const { rows } = await this.pool.query<{
      id: string; at: Date; actor_id: string; actor_name: string; actor_unit: string; actor_roles: string[];
      resource: string; format: string; filter: unknown; rows: string; complete: boolean; result: unknown;
    }>(
      `SELECT id::text AS id, at, actor_id, actor_name, actor_unit, actor_roles, resource, format, filter, rows, complete, result FROM audit_reads
       ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY audit_reads.id DESC LIMIT $${values.length}`,
      values,
    );
    const items = rows.slice(0, limit).map((row) => ({
      id: row.id,
      at: row.at.toISOString(),
      actor: { id: row.actor_id, name: row.actor_name, unit: row.actor_unit, roles: row.actor_roles },
      resource: row.resource,
      format: row.format,
      filter: row.filter,
      rows: Number(row.rows),
      complete: row.complete,
      ...(row.result === null ? {} : { result: row.result }),
    }));
    return { items, nextCursor: rows.length > limit ? encodeCursor(items[items.length - 1]!.id) : null };
  }
}
