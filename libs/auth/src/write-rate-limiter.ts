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
 * One atomic round trip: reserve `ARGV[2]` requests of the window, start the window on the first
 * reservation, and report the count after it and how long the window has left. The TTL comes from
 * Redis's clock, so every api instance agrees on when it resets. A key that somehow lost its TTL
 * would block its user forever; the second PEXPIRE heals it.
 */
const HIT_SCRIPT = `
local count = redis.call('INCRBY', KEYS[1], ARGV[2])
if count == tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return { count, ttl }
`;
const HIT_SCRIPT_SHA = createHash('sha1').update(HIT_SCRIPT).digest('hex');

const WARN_INTERVAL_MS = 60_000;
/** A process reserves at most this share of what is left of a user's budget at a time... */
const LEASE_SHARE = 16;
/** ...and never more than this many requests. */
const MAX_LEASE = 64;

/** Requests of one user's current window this process reserved in Redis and has not used yet. */
interface Lease {
  /** Reserved counts not yet handed out, as [next, last] ranges in the window's count. */
  readonly ranges: [number, number][];
  /** Local time by which Redis has certainly ended the window (sent time + the TTL it reported). */
  readonly endsAt: number;
  /** When the window's budget ran out: later requests of the window are refused here, Redis untouched. */
  readonly refusedFrom?: number;
  /** The size of the last reservation, which sets when the next one is made ahead of need. */
  readonly size: number;
  /** The window's count Redis last reported (every process's reservations included). */
  readonly seen: number;
}

/**
 * Fixed-window counters of writes and of reads per user, shared by every api instance through Redis.
 *
 * Off the request's critical path: a process reserves a block of the window's budget in one round
 * trip (a sixteenth of what is left, at most 64) and hands it out locally, reserving the next block in
 * the background before the current one runs out. Near the limit the blocks shrink to one, so the
 * last requests of a window are counted exactly as one INCR each would; once Redis reports the budget
 * spent, the process refuses the rest of that window without asking again. Never more requests than
 * the limit are let through in a window, across all processes. What becomes approximate: a process may
 * refuse while another still holds up to a sixteenth of the remaining budget unused, and the `count`
 * reported is the reserved position, not a count of requests already served. Blocks are only for
 * the default, failing open: with RATE_LIMIT_FAIL_OPEN=false every request still makes its own round
 * trip (one count each, as before), so a Redis outage refuses the very next request.
 */
export class WriteRateLimiter {
  private readonly windowMs: number;
  private readonly timeoutMs: number;
  private lastWarningAt = Number.NEGATIVE_INFINITY;
  private unwarnedFailures = 0;
  private readonly leases = new Map<string, Lease>();
  private readonly reserving = new Map<string, Promise<void>>();

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
    const key = this.keyFor(userId, kind);
    for (;;) {
      const decision = this.fromLease(key, limitPerMinute);
      if (decision !== undefined) return decision;
      const pending = this.reserving.get(key);
      if (pending !== undefined) {
        // Its failure is this request's only if its own attempt below fails too.
        await pending.catch(() => undefined);
        continue;
      }
      try {
        await this.reserve(key, limitPerMinute);
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
    }
  }

  /** The decision this process can take alone, or undefined when it must reserve more first. */
  private fromLease(key: string, limitPerMinute: number): RateLimitDecision | undefined {
    const lease = this.leases.get(key);
    const now = Date.now();
    if (lease === undefined || lease.endsAt <= now) return undefined;
    const retryAfterSeconds = Math.max(1, Math.ceil((lease.endsAt - now) / 1000));
    const range = lease.ranges[0];
    if (range === undefined) {
      if (lease.refusedFrom === undefined) return undefined;
      return { allowed: false, count: lease.refusedFrom, limitPerMinute, retryAfterSeconds };
    }
    const count = range[0];
    if (range[0] === range[1]) lease.ranges.shift();
    else range[0] += 1;
    const left = lease.ranges.reduce((sum, [next, last]) => sum + last - next + 1, 0);
    // Ahead of need: the next block is on its way before this one runs out.
    if (lease.size > 1 && left <= lease.size / 4 && !this.reserving.has(key)) {
      this.reserve(key, limitPerMinute).catch(() => undefined);
    }
    return { allowed: true, count, limitPerMinute, retryAfterSeconds };
  }

  /** One round trip: reserves the next block of the window for this process (one reservation per key at a time). */
  private reserve(key: string, limitPerMinute: number): Promise<void> {
    const work = (async () => {
      const lease = this.leases.get(key);
      const sentAt = Date.now();
      const current = lease !== undefined && lease.endsAt > sentAt;
      const left = Number.isFinite(limitPerMinute) ? limitPerMinute - (current ? lease.seen : 0) : MAX_LEASE * LEASE_SHARE;
      // Failing closed means every request must hear from Redis: no blocks, one count per round trip.
      const size = this.options.failOpen === false ? 1 : Math.max(1, Math.min(MAX_LEASE, Math.floor(left / LEASE_SHARE)));
      const [count, ttlMs] = await this.withTimeout(this.runScript(key, size));
      const endsAt = sentAt + Math.max(0, ttlMs);
      const first = count - size + 1;
      const granted = Math.min(count, limitPerMinute) - first + 1;
      // A reservation that lands in a new window (the old one ended meanwhile) replaces what was left.
      const now = this.leases.get(key);
      const sameWindow = now !== undefined && now.endsAt > Date.now() && Math.abs(now.endsAt - endsAt) < this.windowMs / 2;
      const ranges = sameWindow ? now.ranges : [];
      if (granted > 0) ranges.push([first, first + granted - 1]);
      this.leases.set(key, {
        ranges,
        endsAt: sameWindow ? Math.min(now.endsAt, endsAt) : endsAt,
        size,
        seen: count,
        ...(granted < size ? { refusedFrom: Math.max(first + Math.max(granted, 0), limitPerMinute + 1) } : {}),
      });
      this.dropEnded(sentAt);
    })();
    this.reserving.set(key, work);
    return work.finally(() => this.reserving.delete(key));
  }

  // Leases of ended windows are useless: dropped once there are many, so idle users cost nothing.
  private dropEnded(now: number): void {
    if (this.leases.size < 1000) return;
    for (const [key, lease] of this.leases) if (lease.endsAt <= now) this.leases.delete(key);
  }

  private async runScript(key: string, size: number): Promise<[number, number]> {
    const args = [1, key, String(this.windowMs), String(size)] as const;
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
