import type { ExistingNomination } from '@app/nomination';
import type { NominationView } from './views';

/** The API's view of a nomination at a revision. Pure: the same state always gives the same view. */
export function toNominationView(state: ExistingNomination, revision: number): NominationView {
  const deciding = state.route[state.decidingStageIndex]!;
  return {
    id: state.id,
    revision,
    ruleSet: state.ruleSet,
    codeSet: state.codeSet,
    awardCode: state.awardCode,
    awardName: state.awardName.vi,
    awardNames: state.awardName,
    year: state.year,
    nominee: state.nominee,
    achievements: state.achievements,
    documents: state.documents,
    proposingUnit: state.proposingUnit,
    status: state.status,
    currentStage:
      state.status === 'in_review'
        ? {
            unit: state.currentStage.unit,
            unitName: state.currentStage.unitName,
            level: state.currentStage.level,
            enteredAt: state.currentStage.enteredAt,
            dueOn: state.currentStage.dueOn,
          }
        : null,
    route: state.route.map((s) => ({
      unit: s.unit, unitName: s.unitName, level: s.level, status: s.status, enteredAt: s.enteredAt, leftAt: s.leftAt, dueOn: s.dueOn,
    })),
    deciding: { unit: deciding.unit, unitName: deciding.unitName, level: deciding.level },
    rules: state.rules,
    councilVotes: state.councilVotes,
    returns: state.returns,
    approvals: state.approvals,
    ...(state.status === 'not_awarded' ? { rejection: state.rejection } : {}),
    ...(state.status === 'withdrawn' ? { withdrawal: state.withdrawal } : {}),
    ...(state.status === 'awarded' || state.status === 'revoked' ? { decision: state.award } : {}),
    ...(state.status === 'revoked' ? { revocation: state.revocation } : {}),
    createdBy: state.createdBy,
    createdAt: state.createdAt,
    updatedAt: state.updatedAt,
  };
}
