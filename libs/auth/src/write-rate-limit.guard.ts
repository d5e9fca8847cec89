import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { actorOf, IS_PUBLIC } from './auth.decorators';
import { RateLimited, RateLimitUnavailable } from './auth.errors';
import { WriteRateLimiter } from './write-rate-limiter';

const WRITE_METHODS = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);

/**
 * Throttles each user's writes, and their reads on a budget of their own (one user folding history in a
 * loop must not starve everyone). Must run after AuthGuard (AuthModule orders them).
 */
@Injectable()
export class WriteRateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly limiter: WriteRateLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<{ method: string }>();
    const kind = WRITE_METHODS.has(request.method.toUpperCase()) ? 'write' : 'read';
    if (this.limiter.limitFor(kind) === undefined) return true;
    if (this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC, [context.getHandler(), context.getClass()]) === true) {
      return true;
    }
    const actor = actorOf(request);
    // Silently skipping here would switch throttling off for everyone; a misordered setup must fail loudly.
    if (actor === undefined) throw new Error('WriteRateLimitGuard ran before AuthGuard authenticated the request');
    const decision = await this.limiter.hit(actor.id, kind);
    if (decision.unavailable === true) throw new RateLimitUnavailable();
    if (!decision.allowed) throw new RateLimited(decision.retryAfterSeconds, decision.limitPerMinute, kind);
    return true;
  }
}
