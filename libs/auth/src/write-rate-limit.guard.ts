import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { actorOf, IS_PUBLIC } from './auth.decorators';
import { RateLimited } from './auth.errors';
import { WriteRateLimiter } from './write-rate-limiter';

const WRITE_METHODS = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);

/** Throttles each user's writes; reads are never counted. Must run after AuthGuard (AuthModule orders them). */
@Injectable()
export class WriteRateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly limiter: WriteRateLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<{ method: string }>();
    if (!WRITE_METHODS.has(request.method.toUpperCase())) return true;
    if (this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC, [context.getHandler(), context.getClass()]) === true) {
      return true;
    }
    const actor = actorOf(request);
    // Silently skipping here would switch throttling off for everyone; a misordered setup must fail loudly.
    if (actor === undefined) throw new Error('WriteRateLimitGuard ran before AuthGuard authenticated the request');
    const decision = await this.limiter.hit(actor.id);
    if (!decision.allowed) throw new RateLimited(decision.retryAfterSeconds, decision.limitPerMinute);
    return true;
  }
}
