import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDefined, IsIn, IsInt, IsISO8601, IsObject, IsString, IsUUID, Matches, MaxLength, Min, ValidateNested } from 'class-validator';
import { OptionalField } from '../http/validation-rules';

const HEX64 = /^[0-9a-f]{64}$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

export class VerifyQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Verify this nomination\'s stream only.' })
  @OptionalField()
  @IsUUID()
  readonly nominationId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Verify this decision\'s stream only.' })
  @OptionalField()
  @IsUUID()
  readonly decisionId?: string;
}

/** A seal as API.md describes it; also what POST /audit/seals and GET /audit/seals/latest return. */
export class SealDto {
  @ApiPropertyOptional({
    enum: [2],
    example: 2,
    description: 'Leaf version: 2 (every seal made now), whose leaves also name each event\'s recorded instant, so the seal covers when every ' +
      'event up to `position` was recorded; absent in seals made before (version 1), which verify as they always did.',
  })
  @OptionalField()
  @IsIn([2])
  readonly version?: 2;

  @ApiProperty({ example: 42, description: 'Consecutive from 1: seal n names seal n - 1 in `previous`.' })
  @IsInt()
  @Min(1)
  readonly sequence: number;

  @ApiProperty({ example: '7303000001', description: 'Log position of the last event sealed (decimal string).' })
  @IsString()
  @Matches(/^\d{1,20}$/)
  readonly position: string;

  @ApiProperty({ example: 125000, description: 'Events in the log up to and including `position`.' })
  @IsInt()
  @Min(0)
  readonly eventCount: number;

  @ApiProperty({
    example: 'c1d2…',
    description: 'Running hash over every event up to `position` in log order: root_n = SHA-256(0x01 ‖ root_{n-1} ‖ SHA-256(0x00 ‖ leaf_n)); see README, Audit trail.',
  })
  @IsString()
  @Matches(HEX64)
  readonly root: string;

  @ApiProperty({ example: '9f86…', description: 'SHA-256 of the previous seal\'s canonical JSON (signature included); 64 zeros for the first.' })
  @IsString()
  @Matches(HEX64)
  readonly previous: string;

  @ApiProperty({ example: '5e88…', description: 'SHA-256 of the canonical JSON of the streams changed since the previous seal, {streamId: [revision, hash]}.' })
  @IsString()
  @Matches(HEX64)
  readonly headsDigest: string;

  @ApiProperty({ example: '2026-12-01T09:30:00.000Z' })
  @IsISO8601({ strict: true })
  readonly sealedAt: string;

  @ApiProperty({ example: 'mXU4…', description: 'The signing key\'s id: its JWK thumbprint (RFC 7638), as GET /audit/keys lists it.' })
  @IsString()
  @Matches(BASE64URL)
  @MaxLength(100)
  readonly keyId: string;

  @ApiProperty({ description: 'Ed25519 (base64url) over the canonical JSON (keys sorted, no whitespace) of the seal without `signature`.' })
  @IsString()
  @Matches(BASE64URL)
  @MaxLength(200)
  readonly signature: string;
}

export class VerifyAgainstSealDto {
  @ApiProperty({ type: SealDto, description: 'A seal the auditor kept, exactly as the service returned it.' })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => SealDto)
  readonly seal: SealDto;
}

export class BrokenPlaceDto {
  @ApiProperty({ example: 'nomination-6f1c…', description: '`*` when only the seal\'s count or root says the log differs.' })
  readonly streamId: string;

  @ApiPropertyOptional({ example: 3 })
  readonly revision?: number;

  @ApiPropertyOptional({ example: '7303000001' })
  readonly position?: string;

  @ApiProperty({
    example: 'mac_invalid',
    description: 'Stable: revision_missing, revision_out_of_order, position_out_of_order, hash_mismatch, mac_missing, mac_unknown_key, ' +
      'mac_invalid, stream_missing, sealed_revision_missing, sealed_event_changed, seal_count_mismatch, seal_root_mismatch, ' +
      'seal_signature_invalid, seal_chain_broken, seal_heads_changed, seal_missing.',
  })
  readonly code: string;

  @ApiProperty({ example: 'the event\'s MAC does not match its stream, revision or content: it was changed, moved or forged' })
  readonly problem: string;
}

class SealRefDto {
  @ApiProperty({ example: 42 }) readonly sequence: number;
  @ApiProperty({ example: '7303000001' }) readonly position: string;
}

class InstantCoverageDto {
  @ApiProperty({ example: 124000, description: 'Events whose MAC (version 2) covers when they were recorded.' })
  readonly mac: number;

  @ApiProperty({
    example: 1000,
    description: 'Events whose MAC is of version 1 (written before the recorded instant was covered) at or before `sealedBy`: their instant ' +
      'is covered only by the root of that version-2 seal (and of every later one). Whole-log verification and POST /audit/verify recompute it; ' +
      'a stream\'s own check names the newest stored seal without replaying the log.',
  })
  readonly sealed: number;

  @ApiProperty({ example: 0, description: 'Version-1 events after every version-2 seal: nothing covers when they were recorded (yet).' })
  readonly uncovered: number;

  @ApiPropertyOptional({ type: SealRefDto, description: 'The newest version-2 seal covering the `sealed` events.' })
  readonly sealedBy?: SealRefDto;
}

class MigratedFromDto {
  @ApiProperty({ example: 'postgresql:6f1c…', description: 'The identity of the log copied from.' }) readonly sourceLog: string;
  @ApiProperty({ example: '2026-12-01T09:30:00.000Z' }) readonly migratedAt: string;
}

export class VerificationDto {
  @ApiProperty()
  readonly ok: boolean;

  @ApiProperty({ example: 125000, description: 'Events checked, up to the broken one.' })
  readonly checked: number;

  @ApiProperty({ example: 12, description: 'Seals whose position was passed and found exact.' })
  readonly sealsChecked: number;

  @ApiProperty({ type: InstantCoverageDto, description: 'What covers the recorded instants (`at`) of the events checked.' })
  readonly instants: InstantCoverageDto;

  @ApiPropertyOptional({ type: BrokenPlaceDto })
  readonly firstBroken?: BrokenPlaceDto;

  @ApiPropertyOptional({
    type: MigratedFromDto,
    description: 'The held seal was made on the log this one was copied from (npm run store:copy): it was checked against the events with the positions they had there.',
  })
  readonly migratedFrom?: MigratedFromDto;
}

class PublicJwkDto {
  @ApiProperty({ example: 'OKP' }) readonly kty: string;
  @ApiProperty({ example: 'Ed25519' }) readonly crv: string;
  @ApiProperty({ example: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' }) readonly x: string;
  @ApiProperty() readonly kid: string;
  @ApiProperty({ example: 'EdDSA' }) readonly alg: string;
  @ApiProperty({ example: 'sig' }) readonly use: string;
}

class AuditKeyDto {
  @ApiProperty() readonly keyId: string;
  @ApiProperty({ description: 'False for a retired key: it signs nothing new, and still checks what it signed.' })
  readonly current: boolean;
  @ApiProperty({ type: PublicJwkDto }) readonly jwk: PublicJwkDto;
}

export class AuditKeysDto {
  @ApiProperty({ type: [AuditKeyDto] }) readonly keys: AuditKeyDto[];
}
