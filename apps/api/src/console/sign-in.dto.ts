import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { CODE_SETS, ROLES } from '@app/auth';

export class OidcSignInDto {
  @ApiProperty({ example: 'https://id.sonla.gov.vn/realms/officials', description: 'Issuer: discovery is at {issuer}/.well-known/openid-configuration.' })
  readonly issuer: string;

  @ApiProperty({ example: 'nomination-console', description: 'The console\'s public client id (PKCE S256, no secret).' })
  readonly clientId: string;

  @ApiProperty({ example: 'openid profile email' })
  readonly scope: string;
}

export class SignInOptionsDto {
  @ApiProperty({
    example: true,
    description: 'Whether the development sign-in (GET /auth/dev/people, POST /auth/dev/token) exists. Never in production.',
  })
  readonly development: boolean;

  @ApiPropertyOptional({ type: OidcSignInDto, nullable: true, description: 'OpenID Connect sign-in, when AUTH_OIDC_ISSUER is set.' })
  readonly oidc: OidcSignInDto | null;
}

export class DevPersonDto {
  @ApiProperty({ example: 'muongla-noivu-01' }) readonly id: string;
  @ApiProperty({ example: 'Lò Văn Thành' }) readonly name: string;
  @ApiProperty({ example: '120' }) readonly unit: string;
  @ApiPropertyOptional({ example: 'Huyện Mường La' }) readonly unitName?: string;
  @ApiPropertyOptional({ enum: CODE_SETS }) readonly codeSet?: string;
  @ApiProperty({ enum: ROLES, isArray: true }) readonly roles: string[];
}

export class DevPeopleDto {
  @ApiProperty({ type: [DevPersonDto] }) readonly items: DevPersonDto[];
}

export class DevTokenRequestDto {
  @ApiProperty({ example: 'muongla-noivu-01', description: 'The id of an active staff member.' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  @Matches(/^[^\s\p{C}]+$/u, { message: 'staffId must be printable characters without spaces' })
  readonly staffId: string;
}

export class DevTokenDto {
  @ApiProperty({ description: 'An HS256 development bearer token with the staff member\'s name, roles and unit.' })
  readonly token: string;

  @ApiProperty({ example: '2023-03-01T09:00:00.000Z' })
  readonly expiresAt: string;
}
