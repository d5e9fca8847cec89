import { Query } from '@nestjs/cqrs';
import type { Actor } from '@app/auth';
import type { AsOf, HistoryEntry, NominationView } from '@app/application';
import type { Page, PageOf } from './cursor';
import type { AwardsReport, StagesReport } from './reports.types';
import type { DecisionSummary } from './decisions/decisions.query';
import type { InboxItem } from './inbox/inbox.query';
import type { NominationSummary } from './nominations/nominations.row';

/** Every query may carry the position of the client's last write: it waits until the read model has it. */
interface Fresh {
  readonly minPosition?: bigint | undefined;
}

export interface NominationFilter {
  readonly status?: string;
  /** The route passes through this unit, or the proposing unit is at or under it. */
  readonly unit?: string;
  /** The level of the stage where the nomination is now in review. */
  readonly level?: string;
  readonly decidingLevel?: string;
  readonly awardCode?: string;
  readonly year?: number;
  readonly ruleSet?: string;
  /** Nominee name, any case, with or without Vietnamese diacritics; every word must appear. */
  readonly q?: string;
}

export class ListNominationsQuery extends Query<PageOf<NominationSummary>> {
  constructor(readonly actor: Actor, readonly filter: NominationFilter, readonly page: Page, readonly fresh: Fresh = {}) {
    super();
  }
}

export interface NominationRead {
  readonly view: NominationView;
  readonly revision: number;
}

export class ReadNominationQuery extends Query<NominationRead> {
  constructor(readonly actor: Actor, readonly nominationId: string, readonly at: AsOf = {}, readonly fresh: Fresh = {}) {
    super();
  }
}

export class ReadNominationHistoryQuery extends Query<PageOf<HistoryEntry>> {
  constructor(readonly actor: Actor, readonly nominationId: string, readonly page: Page, readonly fresh: Fresh = {}) {
    super();
  }
}

export class InboxQuery extends Query<PageOf<InboxItem>> {
  constructor(readonly actor: Actor, readonly page: Page, readonly fresh: Fresh = {}) {
    super();
  }
}

export class ListDecisionsQuery extends Query<PageOf<DecisionSummary>> {
  constructor(readonly actor: Actor, readonly filter: { readonly unit?: string; readonly year?: number }, readonly page: Page, readonly fresh: Fresh = {}) {
    super();
  }
}

export class AwardsReportQuery extends Query<AwardsReport> {
  constructor(
    readonly actor: Actor,
    readonly filter: { readonly unit?: string; readonly year?: number; readonly ruleSet?: string; readonly by?: readonly ('unit' | 'level' | 'year')[] },
    readonly fresh: Fresh = {},
  ) {
    super();
  }
}

export class StagesReportQuery extends Query<StagesReport> {
  constructor(readonly actor: Actor, readonly filter: { readonly unit?: string }, readonly fresh: Fresh = {}) {
    super();
  }
}
