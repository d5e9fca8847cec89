import { Inject } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { Pool } from 'pg';
import { vietnamDate } from '@app/nomination';
import { PG_POOL } from '@app/platform';
import { CLOCK, type Clock, ReferenceDataService } from '@app/application';
import { decodeCursor, encodeCursor, limitOf, type PageOf } from '../cursor';
import { ReadModelFreshness } from '../freshness/read-model-freshness';
import { checkpointNameOf } from '../projection';
import { InboxQuery } from '../read-models.queries';
import { inboxProjection } from './inbox.projection';
import type { InboxRow, WaitingFor } from './inbox.row';

/** An item of GET /inbox: a nomination waiting for the caller, and why. */
export interface InboxItem {
  readonly nominationId: string;
  /** `officer`: review it at your stage; `decider`: decide it; `proposer`: supplement and resubmit it. */
  readonly waitingFor: WaitingFor;
  readonly status: string;
  readonly awardCode: string;
  readonly awardName: string;
  readonly year: number;
  readonly nominee: { readonly kind: string; readonly name: string };
  readonly proposingUnit: string;
  readonly unit: string;
  readonly unitName: string | null;
  readonly level: string | null;
  readonly dueOn: string | null;
  /** Past its due date (Vietnam calendar date today). */
  readonly overdue: boolean;
  /** Since when it waits there. */
  readonly since: string | null;
  readonly revision: number;
  readonly position: string;
}

@QueryHandler(InboxQuery)
export class InboxHandler implements IQueryHandler<InboxQuery> {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly reference: ReferenceDataService,
    private readonly freshness: ReadModelFreshness,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * An officer's in-review nominations at their unit, a decider's approved ones at their unit awaiting
   * a decision, a proposer's returned ones of their own unit; oldest due date first, then those without
   * a deadline, longest waiting first. Every unit compared is one recorded on the nomination (its
   * stage, its deciding unit, its proposing unit), never the unit tree of today (issue 12.14); and
   * only the proposing unit's proposers supplement and resubmit (12.2), so that is whom it waits for.
   */
  async execute({ actor: authActor, page, fresh }: InboxQuery): Promise<PageOf<InboxItem>> {
    await this.freshness.waitFor([checkpointNameOf(inboxProjection)], fresh.minPosition);
    const now = this.clock();
    const actor = this.reference.domainActor(authActor, now);
    const params: unknown[] = [actor.codeSet];
    const roles: string[] = [];
    if (actor.roles.includes('officer')) roles.push(`(waiting_for = 'officer' AND unit = $${params.push(actor.unit)})`);
    if (actor.roles.includes('decider')) roles.push(`(waiting_for = 'decider' AND unit = $${params.push(actor.unit)})`);
    if (actor.roles.includes('proposer')) roles.push(`(waiting_for = 'proposer' AND unit = $${params.push(actor.unit)})`);
    // The cursor is checked first: a forged one is refused whoever asks, also a caller nothing waits for.
    const after = decodeCursor('inbox', page.cursor, ['text']);
    if (roles.length === 0) return { items: [], nextCursor: null };
    const limit = limitOf(page);
    const { rows } = await this.pool.query<{ nomination_id: string; sort_key: string; row: InboxRow }>(
      `SELECT nomination_id, sort_key, row FROM rm_inbox
       WHERE code_set = $1 AND waiting_for IS NOT NULL AND (${roles.join(' OR ')})
       ${after === undefined ? '' : `AND sort_key > $${params.push(after[0])}`}
       ORDER BY sort_key LIMIT ${limit + 1}`,
      params,
    );
    const today = vietnamDate(now);
    const items = rows.slice(0, limit).map(({ nomination_id: id, row }) => ({
      nominationId: id, waitingFor: row.waitingFor!, status: row.status, awardCode: row.awardCode, awardName: row.awardName, year: row.year,
      nominee: { kind: row.nomineeKind, name: row.nomineeName }, proposingUnit: row.proposingUnit, unit: row.unit!, unitName: row.unitName,
      level: row.level, dueOn: row.dueOn, overdue: row.dueOn !== null && row.dueOn < today, since: row.since, revision: row.revision,
      position: row.position,
    }));
    const last = rows.length > limit ? rows[limit - 1]! : undefined;
    return { items, nextCursor: last === undefined ? null : encodeCursor('inbox', [last.sort_key]) };
  }
}
