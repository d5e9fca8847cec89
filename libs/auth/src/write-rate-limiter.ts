import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { AuthLogger } from './token-verifier';

export type RateLimitKind = 'write' | 'read';

export interface WriteRateLimiterOptions {
  readonly limitPerMinute: number;
  /** Reads have their own, higher budget in a separate counter; default: reads are not limited. */
  readonly readLimitPerMinute?: number;
  /** When Redis does not answer: let the request through (default) or refuse it (RateLimitUnavailable). */
  readonly failOpen?: boolean;
  /** Namespaces the keys (config.queuePrefix), so deployments and test runs sharing a Redis never collide. */
  readonly keyPrefix: string;
  readonly logger?: AuthLogger;
  /** Longest wait for Redis before the write is let through. */
  readonly redisTimeoutMs?: number;
  /** Only tests shorten it; production windows are one minute. */
  readonly windowMs?: number;
}

export interface RateLimitDecision {
  readonly allowed: boolean;
  /** Writes counted in the current window, this one included; 0 when Redis did not answer. */
  readonly count: number;
  readonly limitPerMinute: number;
  /** Redis did not answer and the limiter fails closed: the request must be refused. */
  readonly unavailable?: boolean;
  /** Whole seconds until the window resets (at least 1). */
  readonly retryAfterSeconds: number;
}

/*
 * One atomic round trip: count the write, start the window on the first one, and report how long the
 * window has left. The TTL comes from Redis's clock, so every api instance agrees on when it resets.
 * A key that somehow lost its TTL would block its user forever; the second PEXPIRE heals it.
 */
const HIT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return { count, ttl }
`;
const HIT_SCRIPT_SHA = createHash('sha1').update(HIT_SCRIPT).digest('hex');

const WARN_INTERVAL_MS = 60_000;

/** Fixed-window counters of writes and of reads per user, shared by every api instance through Redis. */
export class WriteRateLimiter {
  private readonly windowMs: number;
  private readonly timeoutMs: number;
  private lastWarningAt = Number.NEGATIVE_INFINITY;
  private unwarnedFailures = 0;

  constructor(
    private readonly redis: Redis,
    private readonly options: WriteRateLimiterOptions,
  ) {
    this.windowMs = options.windowMs ?? 60_000;
    this.timeoutMs = options.redisTimeoutMs ?? 250;
  }

  keyFor(userId: string, kind: RateLimitKind = 'write'): string {
    return `${this.options.keyPrefix}:${kind}-rate:${userId}`;
  }

  limitFor(kind: RateLimitKind): number | undefined {
    return kind === 'write' ? this.options.limitPerMinute : this.options.readLimitPerMinute;
  }

  async hit(userId: string, kind: RateLimitKind = 'write'): Promise<RateLimitDecision> {
    const limitPerMinute = this.limitFor(kind) ?? Number.POSITIVE_INFINITY;
    let count: number;
    let ttlMs: number;
    try {
      [count, ttlMs] = await this.withTimeout(this.runScript(this.keyFor(userId, kind)));
    } catch (error) {
      // Fail open by default (RATE_LIMIT_FAIL_OPEN=true): a Redis outage must not stop officers and
      // deciders from working, and a few minutes of unthrottled requests are a far smaller harm than an
      // approvals service refusing every write. Deployments that weigh it the other way fail closed.
      const failOpen = this.options.failOpen ?? true;
      this.warnUnavailable(error, failOpen);
      return failOpen
        ? { allowed: true, count: 0, limitPerMinute, retryAfterSeconds: 1 }
        : { allowed: false, unavailable: true, count: 0, limitPerMinute, retryAfterSeconds: 5 };
    }
    return {
      allowed: count <= limitPerMinute,
      count,
      limitPerMinute,
      retryAfterSeconds: Math.max(1, Math.ceil(ttlMs / 1000)),
    };
  }

  private async runScript(key: string): Promise<[number, number]> {
    const args = [1, key, String(this.windowMs)] as const;
    try {
      return (await this.redis.evalsha(HIT_SCRIPT_SHA, ...args)) as [number, number];
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return (await this.redis.eval(HIT_SCRIPT, ...args)) as [number, number];
    }
  }

  /*
   * The shared client is built with maxRetriesPerRequest: null (BullMQ needs it), so while Redis is down
   * a command waits in the offline queue indefinitely instead of failing; without a deadline every write
   * would hang. A command that timed out may still run after Redis returns and count one extra write.
   */
  private async withTimeout<T>(work: Promise<T>): Promise<T> {
    // Once the deadline has won, the command's own failure (say, the queue flushed at shutdown) has no
    // one left to hear it; unobserved, it would be an unhandled rejection and take the process down.
    work.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not answer within ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    try {
      return await Promise.race([work, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  // One line a minute during an outage is enough to notice it; one per write would flood the logs.
  private warnUnavailable(error: unknown, failOpen: boolean): void {
    this.unwarnedFailures += 1;
    const now = Date.now();
    if (now - this.lastWarningAt < WARN_INTERVAL_MS) return;
    this.options.logger?.warn(
      { err: error, failuresSinceLastWarning: this.unwarnedFailures },
      failOpen ? 'rate limit unavailable (Redis); letting requests through' : 'rate limit unavailable (Redis); refusing requests',
    );
    this.lastWarningAt = now;
    this.unwarnedFailures = 0;
  }
}
