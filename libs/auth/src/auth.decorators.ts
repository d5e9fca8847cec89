import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { Actor, Role } from './actor';
import { Unauthenticated } from './auth.errors';

export const IS_PUBLIC = 'auth:isPublic';
export const REQUIRED_ROLES = 'auth:requiredRoles';

/** Exempts a route or controller from authentication (health, metrics, docs). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);

/**
 * The caller needs at least one of these roles. A handler's list replaces its controller's rather than
 * adding to it, so each route reads as exactly who may call it.
 */
export const Roles = (role: Role, ...more: Role[]): MethodDecorator & ClassDecorator =>
  SetMetadata(REQUIRED_ROLES, [role, ...more]);

/** Where AuthGuard leaves the verified caller on the framework request (Fastify or Express alike). */
export interface AuthenticatedRequest {
  actor?: Actor;
}

export function actorOf(request: object): Actor | undefined {
  return (request as AuthenticatedRequest).actor;
}

/** The verified caller of the current request. */
export const CurrentActor = createParamDecorator((_data: unknown, context: ExecutionContext): Actor => {
  const actor = actorOf(context.switchToHttp().getRequest<object>());
  // Only reachable on a @Public() route, where asking for the caller is a programming error.
  if (actor === undefined) throw new Unauthenticated('missing_credentials');
  return actor;
});
