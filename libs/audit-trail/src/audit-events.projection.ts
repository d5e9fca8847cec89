import { Injectable } from '@nestjs/common';
import { type ConsumedEvent, type ConsumerTransaction, type DurableConsumer, DurableConsumerProvider, sendWrite } from '@app/platform';

interface Scope {
  readonly codeSet: string;
  readonly units: readonly string[];
}

interface ActorFields {
  readonly id?: unknown;
  readonly name?: unknown;
  readonly unit?: unknown;
  readonly roles?: unknown;
}

/**
 * A stream's jurisdiction from its first event: the unit ancestry it recorded (a nomination's proposing
 * unit and every unit above it at creation, which holds its route; a decision's issuing unit and the
 * units above it at issuance). Never the unit tree of the moment this runs: a replay after a unit was
 * re-parented gives the same scopes (issue 12.14). Undefined for an event that does not open a stream.
 */
function openingScope(e: ConsumedEvent): Scope | undefined {
  if (e.category === 'nomination' && e.event.type === 'NominationCreated') {
    const { codeSet, ancestry } = e.event.data;
    return { codeSet, units: [...new Set(ancestry.map((unit) => unit.unit))] };
  }
  if (e.category === 'decision' && e.event.type === 'DecisionIssued') {
    const { codeSet, issuerAncestry } = e.event.data;
    return { codeSet, units: [...new Set(issuerAncestry)] };
  }
  return undefined;
}

/** What a batch reads before it is written (AuditEventsProjection.read). */
interface AuditRead {
  /** Scopes of the batch's streams whose opening event is not in the batch, as stored. */
  readonly scopes: ReadonlyMap<string, Scope>;
  /** The newest row's recorded_at_max, in ms (-Infinity: no row yet). */
  readonly recordedAtMax: number;
}

function decisionIdOf(e: ConsumedEvent): string | null {
  if (e.category === 'decision') return e.entityId;
  const data = e.event.data as { decisionId?: unknown };
  return typeof data.decisionId === 'string' ? data.decisionId : null;
}

/**
 * The audit trail's read model: every nomination and decision event, with who did it on whose
 * authority, and the units whose auditors may see it. Rows, scopes and the checkpoint commit in one
 * transaction (the platform's DurableSubscriber), so a killed worker neither loses nor doubles a row;
 * the inserts are keyed by position anyway, so a replayed batch changes nothing.
 */
@Injectable()
@DurableConsumerProvider()
export class AuditEventsProjection implements DurableConsumer<AuditRead> {
  readonly name = 'audit-events';
  readonly categories = ['nomination', 'decision'] as const;

  /** The scopes of the batch's streams it does not open, and the newest row's running maximum: read with the batch's lock. */
  async read(events: readonly ConsumedEvent[], tx: ConsumerTransaction): Promise<AuditRead> {
    const opening = new Set<string>();
    for (const e of events) if (openingScope(e) !== undefined) opening.add(e.streamId);
    const missing = [...new Set(events.map((e) => e.streamId))].filter((id) => !opening.has(id));
    // Both at once: the transaction pipelines them.
    const [known, newest] = await Promise.all([
      missing.length > 0
        ? tx.query<{ stream_id: string; code_set: string; units: string[] }>('SELECT stream_id, code_set, units FROM audit_stream_scopes WHERE stream_id = ANY($1::text[])', [missing])
        : undefined,
      // The running maximum of recorded time, carried on from the newest row (see the migration).
      tx.query<{ at: Date | null }>('SELECT max(recorded_at_max) AS at FROM audit_events'),
    ]);
    return {
      scopes: new Map((known?.rows ?? []).map((row) => [row.stream_id, { codeSet: row.code_set, units: row.units }])),
      recordedAtMax: newest.rows[0]?.at?.getTime() ?? Number.NEGATIVE_INFINITY,
    };
  }

  async handle(events: readonly ConsumedEvent[], tx: ConsumerTransaction, _context?: unknown, read?: AuditRead): Promise<void> {
    if (events.length === 0) return;
    const { scopes: known, recordedAtMax } = read ?? (await this.read(events, tx));
    const scopes = new Map<string, Scope>();
    const opened: { streamId: string; scope: Scope }[] = [];
    for (const e of events) {
      const scope = openingScope(e);
      if (scope !== undefined && !scopes.has(e.streamId)) {
        scopes.set(e.streamId, scope);
        opened.push({ streamId: e.streamId, scope });
      }
    }
    for (const [streamId, scope] of known) if (!scopes.has(streamId)) scopes.set(streamId, scope);
    if (opened.length > 0) {
      await sendWrite(
        tx,
        `INSERT INTO audit_stream_scopes (stream_id, code_set, units)
         SELECT s.stream_id, s.code_set, ARRAY(SELECT jsonb_array_elements_text(s.units))
         FROM jsonb_to_recordset($1::jsonb) AS s(stream_id text, code_set text, units jsonb)
         ON CONFLICT (stream_id) DO NOTHING`,
        [JSON.stringify(opened.map(({ streamId, scope }) => ({ stream_id: streamId, code_set: scope.codeSet, units: scope.units })))],
      );
    }

    let runningMax = recordedAtMax;
    const rows = events.map((e) => {
      runningMax = Math.max(runningMax, e.recordedAt.getTime());
      const actor = ((e.metadata['actor'] ?? (e.event.data as { by?: unknown }).by ?? {}) as ActorFields);
      return {
        position: e.position.toString(),
        event_id: e.id,
        stream_id: e.streamId,
        revision: e.revision,
        type: e.event.type,
        recorded_at: e.recordedAt.toISOString(),
        recorded_at_max: new Date(runningMax).toISOString(),
        actor_id: typeof actor.id === 'string' ? actor.id : null,
        actor_name: typeof actor.name === 'string' ? actor.name : null,
        actor_unit: typeof actor.unit === 'string' ? actor.unit : null,
        actor_roles: Array.isArray(actor.roles) ? actor.roles : [],
        nomination_id: e.category === 'nomination' ? e.entityId : null,
        decision_id: decisionIdOf(e),
        data: e.event.data,
      };
    });
    await sendWrite(
      tx,
      `INSERT INTO audit_events (position, event_id, stream_id, revision, type, recorded_at, recorded_at_max, actor_id, actor_name, actor_unit,
                                 actor_roles, nomination_id, decision_id, data)
       SELECT r.position, r.event_id, r.stream_id, r.revision, r.type, r.recorded_at, r.recorded_at_max, r.actor_id, r.actor_name, r.actor_unit,
              r.actor_roles, r.nomination_id, r.decision_id, r.data
       FROM jsonb_to_recordset($1::jsonb) AS r(position numeric, event_id uuid, stream_id text, revision bigint, type text,
              recorded_at timestamptz, recorded_at_max timestamptz, actor_id text, actor_name text, actor_unit text, actor_roles jsonb, nomination_id uuid,
              decision_id uuid, data jsonb)
       ON CONFLICT (position) DO NOTHING`,
      [JSON.stringify(rows)],
    );
    const scoped = events.flatMap((e, i) => {
      const scope = scopes.get(e.streamId);
      const row = rows[i]!;
      // A stream whose first event this model never saw (it cannot happen for a log read from its
      // start) is visible to no auditor rather than to every one.
      return scope === undefined
        ? []
        : scope.units.map((unit) => ({ code_set: scope.codeSet, unit, position: row.position, type: row.type, actor_id: row.actor_id, recorded_at: row.recorded_at }));
    });
    if (scoped.length > 0) {
      await sendWrite(
        tx,
        `INSERT INTO audit_event_scopes (code_set, unit, position, type, actor_id, recorded_at)
         SELECT s.code_set, s.unit, s.position, s.type, s.actor_id, s.recorded_at
         FROM jsonb_to_recordset($1::jsonb) AS s(code_set text, unit text, position numeric, type text, actor_id text, recorded_at timestamptz)
         ON CONFLICT DO NOTHING`,
        [JSON.stringify(scoped)],
      );
    }
  }
}
