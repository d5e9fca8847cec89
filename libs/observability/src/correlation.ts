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

/** Accepts a caller's id only when it is short and printable, so log lines cannot be forged. */
export function correlationIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  if (value !== undefined && /^[A-Za-z0-9._:-]{1,100}$/.test(value)) return value;
  return randomUUID();
}
