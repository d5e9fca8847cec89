/** The roles of API.md, Authentication; anything else in a token is refused, never ignored. */
export const ROLES = ['proposer', 'officer', 'decider', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** The GSO unit code lists (DOMAIN.md): the same code may name different areas in each. */
export const CODE_SETS = ['gso-2004', 'gso-2025'] as const;
export type CodeSet = (typeof CODE_SETS)[number];

/** The authenticated caller, built only from a verified token's claims. */
export interface Actor {
  /** The token's `sub`. */
  readonly id: string;
  /** NFC-normalised, so the same Vietnamese name compares and indexes equal whatever the IdP emitted. */
  readonly name: string;
  readonly email?: string;
  readonly roles: Role[];
  /** GSO code of the administrative unit the user acts for: 2 (province), 3 (district) or 5 (commune) digits. */
  readonly unit: string;
  /** Absent means "the code set of the rule set in force". */
  readonly codeSet?: CodeSet;
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function isCodeSet(value: unknown): value is CodeSet {
  return typeof value === 'string' && (CODE_SETS as readonly string[]).includes(value);
}
