import type { ExistingNomination } from '@app/nomination';

/** One nomination as the list, search and GET /nominations/{id} read it: the folded state and where it stands. */
export interface NominationRow {
  readonly state: ExistingNomination;
  readonly revision: number;
  /** Log position of the stream's last event, decimal. */
  readonly position: string;
}

export const NOMINATIONS_TABLES = { nominations: 'rm_nominations' } as const;
export type NominationsTables = keyof typeof NOMINATIONS_TABLES;
