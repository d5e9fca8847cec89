import type {
  ApproveNomination,
  DocumentRef,
  Nominee,
  RecordCouncilVote,
  RejectNomination,
  ReturnNomination,
  UpdateNomination,
  WithdrawNomination,
} from '@app/nomination';
import type { CreateNominationInput } from '@app/application';
import { ProblemError } from '../http/problem';
import {
  type ApproveNominationDto,
  type CouncilVoteDto,
  type CreateNominationDto,
  type DocumentRefDto,
  IndividualNomineeDto,
  type NomineeDto,
  type RejectNominationDto,
  type ReturnNominationDto,
  UPDATABLE_FIELDS,
  type UpdateNominationDto,
  type WithdrawNominationDto,
} from './nominations.dto';

// Validated DTOs become domain commands field by field: only named fields cross, so nothing a client
// adds (status, stage, actor) can be mass-assigned, and absent optionals stay absent rather than undefined.

function nomineeOf(dto: NomineeDto): Nominee {
  const organization = dto.organization === undefined ? {} : { organization: dto.organization };
  if (dto instanceof IndividualNomineeDto) {
    return {
      kind: 'individual',
      name: dto.name,
      gender: dto.gender,
      ...(dto.position === undefined ? {} : { position: dto.position }),
      ...(dto.email === undefined ? {} : { email: dto.email }),
      ...organization,
    };
  }
  return { kind: dto.kind === 'household' ? 'household' : 'collective', name: dto.name, ...organization };
}

function documentsOf(dtos: readonly DocumentRefDto[]): DocumentRef[] {
  return dtos.map(({ kind, title, sha256, url }) => ({ kind, title, sha256, url }));
}

export function createInputOf(dto: CreateNominationDto): CreateNominationInput {
  return {
    ...(dto.ruleSet === undefined ? {} : { ruleSet: dto.ruleSet }),
    awardCode: dto.awardCode,
    year: dto.year,
    proposingUnit: dto.proposingUnit,
    nominee: nomineeOf(dto.nominee),
    achievements: dto.achievements,
    documents: documentsOf(dto.documents ?? []),
  };
}

export function updateActionOf(dto: UpdateNominationDto): UpdateNomination {
  if (UPDATABLE_FIELDS.every((field) => dto[field] === undefined)) {
    throw new ProblemError('validation_failed', 'The request is not valid.', {
      errors: [{ field: 'body', message: `at least one of ${UPDATABLE_FIELDS.join(', ')} is required` }],
    });
  }
  return {
    type: 'UpdateNomination',
    ...(dto.nominee === undefined ? {} : { nominee: nomineeOf(dto.nominee) }),
    ...(dto.achievements === undefined ? {} : { achievements: dto.achievements }),
    ...(dto.documents === undefined ? {} : { documents: documentsOf(dto.documents) }),
    ...(dto.year === undefined ? {} : { year: dto.year }),
  };
}

export function returnActionOf(dto: ReturnNominationDto): ReturnNomination {
  return { type: 'ReturnNomination', reason: dto.reason, missing: [...dto.missing] };
}

export function councilVoteActionOf(dto: CouncilVoteDto): RecordCouncilVote {
  const { sessionDate, minutesNumber, members, present, inFavour, against, writtenInFavour, writtenAgainst } = dto;
  return {
    type: 'RecordCouncilVote', sessionDate, minutesNumber, members, present, inFavour, against,
    writtenInFavour: writtenInFavour ?? 0, writtenAgainst: writtenAgainst ?? 0,
  };
}

export function approveActionOf(dto: ApproveNominationDto): ApproveNomination {
  return { type: 'ApproveNomination', ...(dto.comment === undefined ? {} : { comment: dto.comment }) };
}

export function rejectActionOf(dto: RejectNominationDto): RejectNomination {
  return { type: 'RejectNomination', reasonCode: dto.reasonCode, reason: dto.reason };
}

export function withdrawActionOf(dto: WithdrawNominationDto): WithdrawNomination {
  return { type: 'WithdrawNomination', reason: dto.reason };
}
