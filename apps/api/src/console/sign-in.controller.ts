import { Body, Controller, Get, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public, signDevelopmentToken } from '@app/auth';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { ReferenceDataService, StaffDirectory } from '@app/application';
import { ProblemError } from '../http/problem';
import { ApiProblemResponses } from '../http/problem-responses';
import { DevPeopleDto, DevTokenDto, DevTokenRequestDto, SignInOptionsDto } from './sign-in.dto';

/**
 * The development sign-in exists only where tokens are this service's own HS256 ones: never with
 * NODE_ENV=production (where signDevelopmentToken also refuses) and never with a provider's key set.
 */
export function developmentSignInEnabled(config: AppConfig): boolean {
  return config.nodeEnv !== 'production' && config.auth.jwtSecret !== undefined && config.auth.jwksUrl === undefined;
}

const TOKEN_LIFETIME_SECONDS = 8 * 3600;

@ApiTags('sign-in')
@Public()
@Controller('auth')
export class SignInController {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  @Get('config')
  @ApiOperation({ summary: 'How the console signs people in · Cách đăng nhập', security: [] })
  @ApiOkResponse({ type: SignInOptionsDto })
  options(): SignInOptionsDto {
    const oidc = this.config.auth.oidc;
    return {
      development: developmentSignInEnabled(this.config),
      oidc: oidc === undefined ? null : { issuer: oidc.issuer, clientId: oidc.clientId, scope: oidc.scope },
    };
  }
}

/** Registered only when developmentSignInEnabled(config); the routes do not exist otherwise. */
@ApiTags('sign-in')
@Public()
@Controller('auth/dev')
export class DevelopmentSignInController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly staff: StaffDirectory,
    private readonly referenceData: ReferenceDataService,
  ) {}

  @Get('people')
  @ApiOperation({
    summary: 'Development only: the staff directory to sign in as · Chỉ dùng khi phát triển: danh sách cán bộ',
    description: 'Absent when NODE_ENV=production or AUTH_JWKS_URL is set.',
    security: [],
  })
  @ApiOkResponse({ type: DevPeopleDto })
  async people(): Promise<DevPeopleDto> {
    const [members, directory] = await Promise.all([this.staff.list(), this.referenceData.directory()]);
    const defaultCodeSet = this.referenceData.ruleSetInForce().codeSet;
    return {
      items: members.filter((m) => m.active).map((m) => {
        const unitName = directory.find(m.codeSet ?? defaultCodeSet, m.unit)?.name;
        return {
          id: m.id, name: m.name, unit: m.unit, roles: [...m.roles],
          ...(m.codeSet !== undefined ? { codeSet: m.codeSet } : {}),
          ...(unitName !== undefined ? { unitName } : {}),
        };
      }),
    };
  }

  @Post('token')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Development only: a token for a staff member · Chỉ dùng khi phát triển: cấp mã đăng nhập',
    description: 'Absent when NODE_ENV=production or AUTH_JWKS_URL is set.',
    security: [],
  })
  @ApiOkResponse({ type: DevTokenDto })
  @ApiProblemResponses([400, 404])
  async token(@Body() body: DevTokenRequestDto): Promise<DevTokenDto> {
    const member = (await this.staff.list()).find((m) => m.id === body.staffId && m.active);
    if (member === undefined) throw new ProblemError('not_found', 'No active staff member has this id.');
    const now = new Date();
    const token = await signDevelopmentToken(
      {
        sub: member.id, name: member.name, roles: member.roles, unit: member.unit,
        ...(member.email ? { email: member.email } : {}),
        ...(member.codeSet === 'gso-2004' || member.codeSet === 'gso-2025' ? { codeSet: member.codeSet } : {}),
      },
      this.config,
      { now, expiresIn: TOKEN_LIFETIME_SECONDS },
    );
    return { token, expiresAt: new Date(Math.floor(now.getTime() / 1000) * 1000 + TOKEN_LIFETIME_SECONDS * 1000).toISOString() };
  }
}
