import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DOCUMENT_KINDS, NOMINEE_KINDS, REJECTION_REASON_CODES, REVOCATION_GROUNDS, ROLES } from '@app/nomination';
import { DocumentRefDto } from './nominations.dto';

// OpenAPI descriptions of what the handlers return (NominationView etc. in @app/application); never
// instantiated: the handlers' plain objects are sent as they are.

const STATUSES = ['draft', 'in_review', 'returned', 'approved', 'not_awarded', 'withdrawn', 'awarded', 'revoked'];
const STAGE_STATUSES = ['pending', 'in_review', 'returned', 'approved', 'rejected', 'withdrawn'];

export class ActorRefDto {
  @ApiProperty({ example: 'c3f1a7e2-5b2d-4e7a-9d0b-1f0e6c2a9b11' }) readonly id: string;
  @ApiProperty({ example: 'Lò Văn Thành' }) readonly name: string;
  @ApiProperty({ example: '03814' }) readonly unit: string;
  @ApiProperty({ enum: ROLES, isArray: true, example: ['proposer'] }) readonly roles: string[];
}

export class LocalizedTextDto {
  @ApiProperty({ example: 'Giấy khen của Chủ tịch UBND cấp huyện' }) readonly vi: string;
  @ApiProperty({ example: "Certificate of merit of the district People's Committee chairman" }) readonly en: string;
}

export class NomineeViewDto {
  @ApiProperty({ enum: NOMINEE_KINDS, example: 'collective' }) readonly kind: string;
  @ApiProperty({ example: 'Trường Tiểu học Chiềng Lao' }) readonly name: string;
  @ApiPropertyOptional({ enum: ['female', 'male'] }) readonly gender?: string;
  @ApiPropertyOptional({ example: 'Giáo viên' }) readonly position?: string;
  @ApiPropertyOptional({ example: 'lo.thi.hoa@chienglao.edu.vn' }) readonly email?: string;
  @ApiPropertyOptional({ example: 'UBND xã Chiềng Lao' }) readonly organization?: string;
}

export class CurrentStageDto {
  @ApiProperty({ example: '120' }) readonly unit: string;
  @ApiProperty({ example: 'Huyện Mường La' }) readonly unitName: string;
  @ApiProperty({ example: 'district' }) readonly level: string;
  @ApiProperty({ example: '2023-03-06T02:15:00.000Z' }) readonly enteredAt: string;
  @ApiProperty({ example: '2023-03-20', format: 'date' }) readonly dueOn: string;
}

export class RouteStageDto {
  @ApiProperty({ example: '03814' }) readonly unit: string;
  @ApiProperty({ example: 'Xã Chiềng Lao' }) readonly unitName: string;
  @ApiProperty({ example: 'commune' }) readonly level: string;
  @ApiProperty({ enum: STAGE_STATUSES, example: 'approved' }) readonly status: string;
  @ApiProperty({ type: String, nullable: true, example: '2023-03-01T01:00:00.000Z' }) readonly enteredAt: string | null;
  @ApiProperty({ type: String, nullable: true, example: '2023-03-06T02:15:00.000Z' }) readonly leftAt: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date', example: '2023-03-13' }) readonly dueOn: string | null;
}

export class DecidingStageDto {
  @ApiProperty({ example: '120' }) readonly unit: string;
  @ApiProperty({ example: 'Huyện Mường La' }) readonly unitName: string;
  @ApiProperty({ example: 'district' }) readonly level: string;
}

export class CouncilVoteViewDto {
  @ApiProperty({ example: 1 }) readonly stageIndex: number;
  @ApiProperty({ example: '120' }) readonly unit: string;
  @ApiProperty({ example: '2023-03-20', format: 'date' }) readonly sessionDate: string;
  @ApiProperty({ example: '05/BB-HĐTĐKT' }) readonly minutesNumber: string;
  @ApiProperty({ example: 9 }) readonly members: number;
  @ApiProperty({ example: 8 }) readonly present: number;
  @ApiProperty({ example: 8 }) readonly inFavour: number;
  @ApiProperty({ example: 0 }) readonly against: number;
  @ApiProperty({ example: 1, description: 'Written opinions in favour of absent members (count toward approval, not quorum).' }) readonly writtenInFavour: number;
  @ApiProperty({ example: 0 }) readonly writtenAgainst: number;
  @ApiProperty({ example: 6, description: 'Members who had to be present.' }) readonly quorumRequired: number;
  @ApiProperty({ example: 6, description: 'Votes in favour needed, as a share of all members.' }) readonly approvalRequired: number;
  @ApiProperty({ example: true }) readonly passed: boolean;
  @ApiProperty({ example: '2023-03-20T09:30:00.000Z' }) readonly at: string;
  @ApiProperty({ type: ActorRefDto }) readonly by: ActorRefDto;
}

export class ReturnViewDto {
  @ApiProperty({ example: 0 }) readonly stageIndex: number;
  @ApiProperty({ example: '03814' }) readonly unit: string;
  @ApiProperty({ example: 'Hồ sơ thiếu biên bản họp Hội đồng Thi đua - Khen thưởng xã.' }) readonly reason: string;
  @ApiProperty({ type: [String], example: ['council_minutes'] }) readonly missing: string[];
  @ApiProperty({ example: '2023-03-02T03:00:00.000Z' }) readonly at: string;
  @ApiProperty({ type: ActorRefDto }) readonly by: ActorRefDto;
}

export class AwardViewDto {
  @ApiProperty({ format: 'uuid' }) readonly decisionId: string;
  @ApiProperty({ example: '125/QĐ-UBND' }) readonly decisionNumber: string;
  @ApiProperty({ example: '2023-03-24', format: 'date' }) readonly signedOn: string;
  @ApiProperty({ example: '120' }) readonly issuingUnit: string;
  @ApiProperty({ example: 1872000, description: 'VND.' }) readonly bonusAmount: number;
  @ApiProperty({ example: '2023-03-24T08:00:00.000Z' }) readonly at: string;
  @ApiProperty({ type: ActorRefDto }) readonly by: ActorRefDto;
}

export class RejectionViewDto {
  @ApiProperty({ enum: REJECTION_REASON_CODES, example: 'standard_not_met' }) readonly reasonCode: string;
  @ApiProperty({ example: 'Chưa đạt tiêu chuẩn theo quy định.' }) readonly reason: string;
  @ApiProperty({ example: '120' }) readonly unit: string;
  @ApiProperty({ example: '2023-03-10T08:00:00.000Z' }) readonly at: string;
  @ApiProperty({ type: ActorRefDto }) readonly by: ActorRefDto;
}

export class RevocationViewDto {
  @ApiProperty({ format: 'uuid' }) readonly decisionId: string;
  @ApiProperty({ enum: REVOCATION_GROUNDS, example: 'false_declaration' }) readonly ground: string;
  @ApiProperty({ example: 'Kê khai thành tích không đúng sự thật.' }) readonly reason: string;
  @ApiProperty({ example: 1872000, description: 'VND to recover.' }) readonly bonusToRecover: number;
  @ApiProperty({ example: '2023-06-01T08:00:00.000Z' }) readonly at: string;
  @ApiProperty({ type: ActorRefDto }) readonly by: ActorRefDto;
}

export class DocumentViewDto extends DocumentRefDto {}

export class ShareViewDto {
  @ApiProperty({ example: 2 }) readonly numerator: number;
  @ApiProperty({ example: 3 }) readonly denominator: number;
}

export class NominationRulesDto {
  @ApiProperty({ enum: NOMINEE_KINDS, isArray: true, example: ['individual', 'collective'] }) readonly nomineeKinds: string[];
  @ApiProperty({ example: 5, description: 'Working days each stage has.' }) readonly stageDeadlineWorkingDays: number;
  @ApiProperty({ example: false }) readonly councilVoteRequired: boolean;
  @ApiProperty({ type: ShareViewDto, description: 'Share of members that must be present.' }) readonly quorumShare: ShareViewDto;
  @ApiProperty({ type: ShareViewDto, description: 'Share of all members that must vote in favour.' }) readonly approvalShare: ShareViewDto;
  @ApiProperty({ example: 2 }) readonly maxSupplementRequestsPerStage: number;
  @ApiProperty({ example: 3 }) readonly publicDisclosureWorkingDays: number;
  @ApiProperty({ enum: DOCUMENT_KINDS, isArray: true, example: ['submission', 'achievement_report'] }) readonly requiredDocuments: string[];
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: ['number', 'null'] },
    example: { individual: 0.3, collective: 0.6, household: 0.45 },
    description: 'Multiples of the base salary per nominee kind; null: set by the province.',
  })
  readonly bonusMultiple: Record<string, number | null>;
}

export class StageApprovalViewDto {
  @ApiProperty({ example: 0 }) readonly stageIndex: number;
  @ApiProperty({ example: '03814' }) readonly unit: string;
  @ApiProperty({ type: String, nullable: true, example: 'Đủ điều kiện đề nghị lên huyện' }) readonly comment: string | null;
  @ApiProperty({ example: '2023-03-06T02:15:00.000Z' }) readonly at: string;
  @ApiProperty({ type: ActorRefDto }) readonly by: ActorRefDto;
}

export class WithdrawalViewDto {
  @ApiProperty({ enum: ['draft', 'in_review', 'returned', 'approved'], example: 'in_review' }) readonly fromStatus: string;
  @ApiProperty({ type: Number, nullable: true, example: 1, description: 'Stage it was at; null for a draft.' }) readonly stageIndex: number | null;
  @ApiProperty({ example: 'Đơn vị xin rút hồ sơ để bổ sung năm sau.' }) readonly reason: string;
  @ApiProperty({ example: '2023-03-08T03:00:00.000Z' }) readonly at: string;
  @ApiProperty({ type: ActorRefDto }) readonly by: ActorRefDto;
}

export class NominationViewDto {
  @ApiProperty({ format: 'uuid' }) readonly id: string;
  @ApiProperty({ example: 3, description: 'Stream revision; also the ETag.' }) readonly revision: number;
  @ApiPropertyOptional({
    example: '74123400003',
    description: 'Log position of the last event shown (decimal string). After a command: what it wrote; send it back as minPosition.',
  }) readonly position?: string;
  @ApiProperty({ example: 'vn-2017' }) readonly ruleSet: string;
  @ApiProperty({ example: 'gso-2004' }) readonly codeSet: string;
  @ApiProperty({ example: 'GIAY_KHEN_HUYEN' }) readonly awardCode: string;
  @ApiProperty({ example: 'Giấy khen của Chủ tịch UBND cấp huyện' }) readonly awardName: string;
  @ApiProperty({ type: LocalizedTextDto }) readonly awardNames: LocalizedTextDto;
  @ApiProperty({ example: 2022 }) readonly year: number;
  @ApiProperty({ type: NomineeViewDto }) readonly nominee: NomineeViewDto;
  @ApiProperty({ example: 'Hoàn thành xuất sắc nhiệm vụ năm học 2021-2022' }) readonly achievements: string;
  @ApiProperty({ type: [DocumentViewDto] }) readonly documents: DocumentViewDto[];
  @ApiProperty({ example: '03814' }) readonly proposingUnit: string;
  @ApiProperty({ enum: STATUSES, example: 'in_review' }) readonly status: string;
  @ApiProperty({ type: CurrentStageDto, nullable: true }) readonly currentStage: CurrentStageDto | null;
  @ApiProperty({ type: [RouteStageDto] }) readonly route: RouteStageDto[];
  @ApiProperty({ type: DecidingStageDto }) readonly deciding: DecidingStageDto;
  @ApiProperty({ type: NominationRulesDto, description: "The award's rules pinned at creation." }) readonly rules: NominationRulesDto;
  @ApiProperty({ type: [CouncilVoteViewDto] }) readonly councilVotes: CouncilVoteViewDto[];
  @ApiProperty({ type: [ReturnViewDto] }) readonly returns: ReturnViewDto[];
  @ApiProperty({ type: [StageApprovalViewDto] }) readonly approvals: StageApprovalViewDto[];
  @ApiPropertyOptional({ type: RejectionViewDto }) readonly rejection?: RejectionViewDto;
  @ApiPropertyOptional({ type: WithdrawalViewDto }) readonly withdrawal?: WithdrawalViewDto;
  @ApiPropertyOptional({ type: AwardViewDto }) readonly decision?: AwardViewDto;
  @ApiPropertyOptional({ type: RevocationViewDto }) readonly revocation?: RevocationViewDto;
  @ApiProperty({ type: ActorRefDto }) readonly createdBy: ActorRefDto;
  @ApiProperty({ example: '2023-03-01T01:00:00.000Z' }) readonly createdAt: string;
  @ApiProperty({ example: '2023-03-06T02:15:00.000Z' }) readonly updatedAt: string;
}

export class HistoryEntryDto {
  @ApiProperty({ example: 1 }) readonly revision: number;
  @ApiProperty({ example: 'NominationSubmitted' }) readonly type: string;
  @ApiProperty({ example: '2023-03-01T01:05:00.000Z' }) readonly at: string;
  @ApiProperty({ type: ActorRefDto, nullable: true }) readonly actor: ActorRefDto | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: { $ref: '#/components/schemas/JsonValue' },
    // JsonValue is added to the components by openapi-document.ts.
    description: 'The event\'s payload as recorded; its shape is given by `type` (see the events in DOMAIN.md).',
  })
  readonly data: object;
  @ApiProperty({ example: '4c1f…', description: 'SHA-256 chained over the previous event.' }) readonly hash: string;
  @ApiProperty({ example: '74123400003', description: 'Log position of the event.' }) readonly position: string;
}

export class NominationHistoryDto {
  @ApiProperty({ type: [HistoryEntryDto] }) readonly items: HistoryEntryDto[];
  @ApiProperty({ type: String, nullable: true, description: 'Opaque; pass as cursor for the next page, null on the last.' }) readonly nextCursor: string | null;
}

export class BulkItemResultDto {
  @ApiProperty({ format: 'uuid' }) readonly id: string;
  @ApiProperty({ example: true }) readonly ok: boolean;
  @ApiPropertyOptional({ enum: STATUSES, example: 'approved' }) readonly status?: string;
  @ApiPropertyOptional({ example: 4 }) readonly revision?: number;
  @ApiPropertyOptional({ example: '74123400003', description: "Log position the item's command wrote." }) readonly position?: string;
  @ApiPropertyOptional({ example: 'invalid_transition' }) readonly code?: string;
  @ApiPropertyOptional({ example: 'The nomination is not in review.' }) readonly detail?: string;
}

export class BulkResultsDto {
  @ApiProperty({ type: [BulkItemResultDto] }) readonly results: BulkItemResultDto[];
}

