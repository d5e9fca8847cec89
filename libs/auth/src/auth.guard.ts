import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { correlationOf, type CorrelatedRequest } from '@app/observability';
import type { Role } from './actor';
import { IS_PUBLIC, REQUIRED_ROLES, type AuthenticatedRequest } from './auth.decorators';
import { Forbidden } from './auth.errors';
import { Authenticator } from './authenticator';

interface HttpRequest extends AuthenticatedRequest, CorrelatedRequest {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/**
 * Global: every route needs a valid bearer token unless marked @Public(); @Roles() is checked here too,
 * so a handler never runs for a caller it was not written for.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: Authenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC, targets) === true) return true;

    const request = context.switchToHttp().getRequest<HttpRequest>();
    // The api's edge authenticates requests with a body before reading it; that actor is reused.
    const actor = request.actor ?? await this.authenticator.authenticate(request.headers.authorization);
    request.actor = actor;
    const correlation = correlationOf(request);
    if (correlation !== undefined) correlation.userId = actor.id;

    const required = this.reflector.getAllAndOverride<readonly Role[] | undefined>(REQUIRED_ROLES, targets);
    if (required !== undefined && !required.some((role) => actor.roles.includes(role))) throw new Forbidden(required);
    return true;
  }
}
