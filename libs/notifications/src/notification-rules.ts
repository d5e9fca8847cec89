import type { ActorRef, NominationEvent, NominationState, RouteStage } from '@app/nomination';
import type { Audience, NotificationIntent, NotificationPayload } from './notification.types';

/** A nomination as the dispatcher knows it right after an event: its state and who submitted it last. */
export interface NominationContext {
  readonly state: NominationState;
  /** The actor of the latest NominationSubmitted: "the submitting proposer" of API.md. */
  readonly lastSubmitter: ActorRef | undefined;
}

export const nominationLink = (publicUrl: string, nominationId: string): string => `${publicUrl}/nominations/${nominationId}`;

/**
 * Who is told what for one nomination event (API.md, Notifications). Pure: recipients are named as
 * audiences (a unit's officers, a staff member, an address) and resolved against the staff directory
 * by the dispatcher. Events that nobody is told about give an empty list.
 */
export function notificationsFor(event: NominationEvent, context: NominationContext, publicUrl: string): NotificationIntent[] {
  const { state } = context;
  if (state.status === 'none') return [];
  const base: NotificationPayload = {
    nominationId: state.id,
    nomineeName: state.nominee.name,
    awardName: state.awardName,
    year: state.year,
    link: nominationLink(publicUrl, state.id),
  };
  const officersOf = (unit: string): Audience => ({ kind: 'role', unit, codeSet: state.codeSet, role: 'officer' });
  const proposer = (): Audience => {
    // The proposing unit's proposers are told when the submitter is no longer in the directory.
    const fallback: Audience = { kind: 'role', unit: state.proposingUnit, codeSet: state.codeSet, role: 'proposer' };
    return context.lastSubmitter === undefined ? fallback : { kind: 'staff', id: context.lastSubmitter.id, fallback };
  };
  const stageOf = (stage: RouteStage): NonNullable<NotificationPayload['stage']> => ({ unit: stage.unit, unitName: stage.unitName, level: stage.level });
  const routeStage = (index: number): RouteStage => state.route[index]!;

  switch (event.type) {
    case 'NominationSubmitted': {
      const { stage, resubmission } = event.data;
      return [{
        template: 'stage_arrived',
        audiences: [officersOf(stage.unit)],
        payload: { ...base, stage: stageOf(stage), dueOn: stage.dueOn, resubmission },
      }];
    }
    case 'StageApproved': {
      const { next } = event.data;
      return [{
        template: 'stage_arrived',
        audiences: [officersOf(next.unit)],
        payload: { ...base, stage: stageOf(next), dueOn: next.dueOn, resubmission: false },
      }];
    }
    case 'NominationReturned':
      return [{
        template: 'returned',
        audiences: [proposer()],
        payload: { ...base, stage: stageOf(routeStage(event.data.stageIndex)), reason: event.data.reason, missing: event.data.missing },
      }];
    case 'NominationApproved': {
      const deciding = routeStage(state.decidingStageIndex);
      return [{
        template: 'awaiting_decision',
        audiences: [{ kind: 'role', unit: deciding.unit, codeSet: state.codeSet, role: 'decider' }],
        payload: { ...base, stage: stageOf(deciding) },
      }];
    }
    case 'NominationRejected':
      return [{
        template: 'not_awarded',
        audiences: [proposer()],
        payload: { ...base, stage: stageOf(routeStage(event.data.stageIndex)), reasonCode: event.data.reasonCode, reason: event.data.reason },
      }];
    case 'NominationAwarded': {
      const audiences: Audience[] = [proposer()];
      const nominee = state.nominee;
      if (nominee.kind === 'individual' && nominee.email !== undefined && nominee.email !== '') {
        audiences.push({ kind: 'address', email: nominee.email, name: nominee.name });
      }
      return [{
        template: 'awarded',
        audiences,
        payload: { ...base, stage: stageOf(routeStage(state.decidingStageIndex)), decisionNumber: event.data.decisionNumber, signedOn: event.data.signedOn },
      }];
    }
    case 'AwardRevoked':
      return [{
        template: 'revoked',
        audiences: [proposer()],
        payload: {
          ...base, stage: stageOf(routeStage(state.decidingStageIndex)), ground: event.data.ground, reason: event.data.reason,
          decisionNumber: event.data.number, signedOn: event.data.signedOn,
        },
      }];
    case 'NominationCreated':
    case 'NominationUpdated':
    case 'CouncilVoteRecorded':
    case 'NominationWithdrawn':
      return [];
    default: {
      const unreachable: never = event;
      return unreachable;
    }
  }
}

/** The stage visit an event starts, if any: reminders are scheduled for it. */
export function stageEntryOf(event: NominationEvent): { readonly index: number; readonly unit: string; readonly dueOn: string; readonly at: string } | undefined {
  if (event.type === 'NominationSubmitted') return { index: event.data.stage.index, unit: event.data.stage.unit, dueOn: event.data.stage.dueOn, at: event.data.at };
  if (event.type === 'StageApproved') return { index: event.data.next.index, unit: event.data.next.unit, dueOn: event.data.next.dueOn, at: event.data.at };
  return undefined;
}

/** Reminder audiences: officers of the stage's unit; for `overdue` also the deciders of the unit above. */
export function reminderAudiences(kind: 'due_soon' | 'overdue', codeSet: string, stageUnit: string, unitAbove: string | undefined): Audience[] {
  const audiences: Audience[] = [{ kind: 'role', unit: stageUnit, codeSet, role: 'officer' }];
  if (kind === 'overdue' && unitAbove !== undefined) audiences.push({ kind: 'role', unit: unitAbove, codeSet, role: 'decider' });
  return audiences;
}

/** The `due_soon` or `overdue` notification of a nomination still at the stage it is about. */
export function reminderIntent(
  kind: 'due_soon' | 'overdue',
  context: NominationContext,
  stageIndex: number,
  dueOn: string,
  unitAbove: string | undefined,
  publicUrl: string,
): NotificationIntent | undefined {
  const { state } = context;
  if (state.status === 'none') return undefined;
  const stage = state.route[stageIndex];
  if (stage === undefined) return undefined;
  return {
    template: kind,
    audiences: reminderAudiences(kind, state.codeSet, stage.unit, unitAbove),
    payload: {
      nominationId: state.id, nomineeName: state.nominee.name, awardName: state.awardName, year: state.year,
      stage: { unit: stage.unit, unitName: stage.unitName, level: stage.level }, dueOn, link: nominationLink(publicUrl, state.id),
    },
  };
}
