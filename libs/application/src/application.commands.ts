import { Command, Query } from '@nestjs/cqrs';
import type { Actor } from '@app/auth';
import type {
  ApproveNomination,
  CreateNomination,
  RecordCouncilVote,
  RejectNomination,
  ReturnNomination,
  RevocationGround,
  Signer,
  SubmitNomination,
  UpdateNomination,
  WithdrawNomination,
} from '@app/nomination';
import type { DecisionView, NominationView } from './views';

/** Who sends a command, from where, and how it is recognised when retried. Recorded as event metadata. */
export interface CommandEnvelope {
  readonly actor: Actor;
  /** Stable across retries of one request (derived from its Idempotency-Key). */
  readonly commandId: string;
  readonly correlationId: string;
  /** From If-Match: the stream revision the client last saw. */
  readonly expectedRevision?: number;
  readonly clientIp?: string;
  readonly userAgent?: string;
  /** When the request arrived: an event recorded after it is a change the client could not have seen. */
  readonly receivedAt?: Date;
  /**
   * SHA-256 of method, URL and canonical body of a request sent with an Idempotency-Key. Kept in the
   * metadata of the events the command writes, so a key reused for another request is recognised from
   * the log even after its stored answer was purged (issue 12.12).
   */
  readonly requestFingerprint?: string;
}

export type CreateNominationInput = Omit<CreateNomination, 'type' | 'nominationId'> & { readonly ruleSet?: string };

/** The commands a person sends to an existing nomination (awards and revocations come from decisions). */
export type NominationAction =
  | UpdateNomination
  | SubmitNomination
  | ReturnNomination
  | RecordCouncilVote
  | ApproveNomination
  | RejectNomination
  | WithdrawNomination;

export interface NominationResult {
  readonly view: NominationView;
  /** The stream's revision after the command: the response's ETag. */
  readonly revision: number;
  /** Log position of the stream's last event (the response's Log-Position); undefined if nothing was ever written. */
  readonly position?: bigint | undefined;
}

export interface BulkItemResult {
  readonly id: string;
  readonly ok: boolean;
  readonly status?: string;
  readonly revision?: number;
  /** Log position the item's command wrote (or had written), as a decimal string. */
  readonly position?: string;
  readonly code?: string;
  readonly detail?: string;
}

export class CreateNominationCommand extends Command<NominationResult> {
  constructor(readonly envelope: CommandEnvelope, readonly input: CreateNominationInput) {
    super();
  }
}

export class NominationActionCommand extends Command<NominationResult> {
  constructor(readonly envelope: CommandEnvelope, readonly nominationId: string, readonly action: NominationAction) {
    super();
  }
}

/** Each id is its own command with its own outcome; one failing does not stop the others. */
export class BulkNominationActionCommand extends Command<readonly BulkItemResult[]> {
  constructor(
    readonly envelope: CommandEnvelope,
    readonly nominationIds: readonly string[],
    readonly action: ReturnNomination | ApproveNomination | RejectNomination,
  ) {
    super();
  }
}

export interface IssueDecisionInput {
  readonly number: string;
  readonly signedOn: string;
  readonly signer: Signer;
  readonly reason: string;
  readonly nominationIds: readonly string[];
}

export class IssueDecisionCommand extends Command<DecisionView> {
  constructor(readonly envelope: CommandEnvelope, readonly input: IssueDecisionInput) {
    super();
  }
}

export interface RevokeDecisionInput {
  readonly nominationIds: readonly string[];
  readonly ground: RevocationGround;
  readonly reason: string;
  /** The revoking decision's own number and signing date (required: a revocation is a decision). */
  readonly number: string;
  readonly signedOn: string;
}

export class RevokeDecisionCommand extends Command<DecisionView> {
  constructor(readonly envelope: CommandEnvelope, readonly decisionId: string, readonly input: RevokeDecisionInput) {
    super();
  }
}

export interface AsOf {
  readonly asOf?: Date;
  readonly revision?: number;
}

export class GetDecisionQuery extends Query<DecisionView> {
  constructor(readonly actor: Actor, readonly decisionId: string) {
    super();
  }
}
