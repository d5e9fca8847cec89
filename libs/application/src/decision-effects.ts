import type { EventStore } from '@app/event-store';
import {
  decide as decideNomination,
  initialNominationState,
  type Actor,
  type NominationCommand,
  type NominationState,
  type UnitDirectory,
} from '@app/nomination';
import { DecisionEffectRefused } from './decision.errors';
import { foldRecorded, nominationContext, nominationStream } from './nomination-command';
import type { ReferenceDataService } from './reference-data.service';
import { readOrEmpty } from './stream-command';

/** A command a decision has on one of its nominations (an award, a revocation). */
export interface DecisionEffect {
  readonly nominationId: string;
  readonly command: Extract<NominationCommand, { type: 'AwardNomination' | 'RevokeAward' }>;
}

/** The listed nominations as they are now, each folded once however often it is listed. */
export async function readNominationStates(store: EventStore, nominationIds: readonly string[]): Promise<Map<string, NominationState>> {
  const states = new Map<string, NominationState>();
  await Promise.all([...new Set(nominationIds)].map(async (id) => {
    states.set(id, foldRecorded(await readOrEmpty(store, nominationStream(id))));
  }));
  return states;
}

/**
 * Runs the nomination decider on each effect a decision command will have, on the states read for
 * it, as the actor who will carry them out; the first refusal refuses the whole command (issue 12.3).
 */
export function assertEffects(
  reference: ReferenceDataService,
  effects: readonly DecisionEffect[],
  states: ReadonlyMap<string, NominationState>,
  actor: Actor,
  now: Date,
  directory: UnitDirectory,
): void {
  const ctx = nominationContext(reference, actor, now, directory);
  for (const { nominationId, command } of effects) {
    try {
      decideNomination(states.get(nominationId) ?? initialNominationState, command, ctx);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (typeof code !== 'string') throw error;
      throw new DecisionEffectRefused(nominationId, error as { code: string; message: string; details?: unknown });
    }
  }
}
