import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/** What every log line written while serving one request or running one job is tagged with. */
export interface CorrelationContext {
  readonly correlationId: string;
  /** 'request', 'job', 'subscription', ... */
  readonly scope: string;
  /** Set once the caller is authenticated. */
  userId?: string;
}

const storage = new AsyncLocalStorage<CorrelationContext>();

export function runWithCorrelation<T>(context: CorrelationContext, work: () => T): T {
  return storage.run(context, work);
}

export function currentCorrelation(): CorrelationContext | undefined {
  return storage.getStore();
}

/**
 * An HTTP request carries its correlation context as a property rather than in AsyncLocalStorage:
 * entering an AsyncLocalStorage context turns on a promise hook that then runs on every promise of
 * the process, a cost each request would pay on every await. Code that has the request reads it from
 * there (and logs it explicitly); jobs and subscriptions keep runWithCorrelation.
 */
export interface CorrelatedRequest {
  correlation?: CorrelationContext;
}

export function correlationOf(request: CorrelatedRequest): CorrelationContext | undefined {
  return request.correlation ?? storage.getStore();
}

/** The fields a log line about this request carries (what the logger's mixin adds for jobs). */
export function correlationFields(request: CorrelatedRequest): Record<string, string> {
  const context = correlationOf(request);
  if (context === undefined) return {};
  return { correlationId: context.correlationId, scope: context.scope, ...(context.userId ? { userId: context.userId } : {}) };
}

/** Accepts a caller's id only when it is short and printable, so log lines cannot be forged. */
export function correlationIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  if (value !== undefined && /^[A-Za-z0-9._:-]{1,100}$/.test(value)) return value;
  return randomUUID();
}
