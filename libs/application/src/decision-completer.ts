import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { EVENT_STORE, type EventStore } from '@app/event-store';
import { awardCommandsFor, revokeCommandsFor, type DecisionIssuedData, type DecisionRevokedData } from '@app/nomination';
import { type ConsumedEvent, type DurableConsumer, DurableConsumerProvider, ROOT_LOGGER } from '@app/platform';
import { CLOCK, type Clock } from './clock';
import type { DecisionEffect } from './decision-effects';
import { decisionStream, foldDecision } from './decision-view';
import { deterministicUuid } from './deterministic-id';
import { nominationContext, nominationResult, nominationStreamCommand } from './nomination-command';
import { ReferenceDataService } from './reference-data.service';
import { readOrEmpty, runStreamCommand } from './stream-command';
import type { CommandEnvelope } from './application.commands';

/**
 * Finishes every decision from the log: each DecisionIssued awards the nominations it lists, each
 * DecisionRevoked revokes them. The issue and revoke handlers do the same right after appending; this
 * consumer is what makes the outcome complete when that process died midway. Both use the same command
 * ids, so a nomination already handled is recognised and nothing is written twice. It writes to the
 * event store, not through the transaction: at least once, idempotent by command id.
 */
@Injectable()
@DurableConsumerProvider()
export class DecisionCompleter implements DurableConsumer {
  readonly name = 'decision-completer';
  readonly categories = ['decision'] as const;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly reference: ReferenceDataService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  async handle(events: readonly ConsumedEvent[]): Promise<void> {
    for (const e of events) {
      if (e.category !== 'decision') continue;
      switch (e.event.type) {
        case 'DecisionIssued':
          await this.completeAwards(e.event.data, e.metadata);
          break;
        case 'DecisionRevoked':
          await this.completeRevocation(e.entityId, e.event.data, e.metadata);
          break;
      }
    }
  }

  /** Applies a recorded DecisionIssued to every nomination it lists; safe to run any number of times. */
  async completeAwards(issued: DecisionIssuedData, metadata: Readonly<Record<string, unknown>>): Promise<void> {
    for (const effect of awardCommandsFor(issued)) {
      await this.applyOnBehalf(metadata, issued.by, issued.codeSet, effect, `award:${issued.decisionId}`);
    }
  }

  async completeRevocation(decisionId: string, revoked: DecisionRevokedData, metadata: Readonly<Record<string, unknown>>): Promise<void> {
    const issuedState = foldDecision(await readOrEmpty(this.store, decisionStream(decisionId)));
    if (issuedState.status === 'none') return;
    for (const effect of revokeCommandsFor(decisionId, revoked)) {
      await this.applyOnBehalf(metadata, revoked.by, revoked.revokingUnit.codeSet, effect, `revoke:${revoked.revocationId}`);
    }
  }

  /** Runs an award or a revocation on its nomination as the decision's signer. */
  private async applyOnBehalf(
    metadata: Readonly<Record<string, unknown>>,
    by: DecisionIssuedData['by'],
    codeSet: string,
    { nominationId, command }: DecisionEffect,
    purpose: string,
  ): Promise<void> {
    const envelope: CommandEnvelope = {
      actor: { id: by.id, name: by.name, unit: by.unit, roles: [...by.roles], codeSet: codeSet as 'gso-2004' | 'gso-2025' },
      commandId: deterministicUuid(purpose, nominationId),
      correlationId: typeof metadata['correlationId'] === 'string' ? metadata['correlationId'] : deterministicUuid(purpose),
    };
    try {
      const now = this.clock();
      const actor = this.reference.domainActor(envelope.actor, now);
      const ctx = nominationContext(this.reference, actor, now, await this.reference.directory());
      nominationResult(nominationId, await runStreamCommand(this.store, nominationStreamCommand(envelope, nominationId, command, ctx, this.config)));
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      // Every effect was decided before the decision was written (assertEffects), under the locks of its
      // nominations, and a withdrawal or rejection of a nomination an issued decision claims is refused
      // (NominationActionHandler): a refusal here means a nomination changed by some path that bypasses
      // both. It is logged for the office to handle, and not thrown, so the completer does not retry one
      // nomination forever and hold up every later decision. Anything else is a fault and is thrown.
      if (code === 'invalid_transition') {
        this.logger.error({ err: error, nominationId, purpose }, 'decision could not be applied to a nomination that changed meanwhile');
        return;
      }
      throw error;
    }
  }
}
