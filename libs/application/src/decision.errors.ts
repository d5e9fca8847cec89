import type { DomainErrorCode } from '@app/nomination';

/** Some listed nominations cannot be decided: nothing was written. */
export class DecisionRefused extends Error {
  readonly code = 'invalid_transition';
  constructor(readonly details: { readonly offending: readonly { nominationId: string; reason: string }[] }) {
    super(`${details.offending.length} of the listed nominations cannot be decided by you now`);
  }
}

/**
 * Some listed nominations refuse the decision's effect on them (issue 12.3): separation of duties, a
 * unit that may not act on them, a status that does not allow it. Decided before anything is written,
 * so a decision and its nominations never disagree. `code` is the nomination's own refusal
 * (forbidden, invalid_transition, not_found...).
 */
export class DecisionEffectRefused extends Error {
  readonly code: DomainErrorCode;
  readonly details: { readonly nominationId: string; readonly offending: readonly { nominationId: string; reason: string }[] };

  constructor(nominationId: string, cause: { readonly code: string; readonly message: string; readonly details?: unknown }) {
    super(`Nomination ${nominationId}: ${cause.message}`);
    // Only the domain's refusals reach here (assertEffects rethrows anything without a code).
    this.code = cause.code as DomainErrorCode;
    const reason = typeof (cause.details as { reason?: unknown } | undefined)?.reason === 'string'
      ? (cause.details as { reason: string }).reason : cause.code;
    this.details = { nominationId, offending: [{ nominationId, reason }] };
  }
}

/** The caller took part in some listed nominations (separation of duties): nothing written. */
export class DecisionForbidden extends Error {
  readonly code = 'forbidden';
  constructor(readonly details: { readonly offending: readonly { nominationId: string; reason: string }[] }) {
    super(`You took part in ${details.offending.length} of the listed nominations, so you may not decide them`);
  }
}

export class DecisionNumberTaken extends Error {
  readonly code = 'decision_number_taken';
  constructor(readonly details: { readonly number: string; readonly issuingUnit: string; readonly decisionId: string }) {
    super(`Decision number ${details.number} was already issued by unit ${details.issuingUnit}`);
  }
}
