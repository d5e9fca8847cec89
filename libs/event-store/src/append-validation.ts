import { InvalidAppend } from './event-store.errors';
import type { ExpectedRevision, NewEvent } from './event-store.port';
import { canonicalJson } from './hash-chain';

export const MAX_STREAM_ID_LENGTH = 200;
export const MAX_EVENT_TYPE_LENGTH = 100;
export const MAX_EVENTS_PER_APPEND = 10_000;

/** An event ready to be written: its id lower-cased as PostgreSQL prints uuids, its JSON canonical. */
export interface PreparedEvent {
  readonly id: string;
  readonly type: string;
  /** canonicalJson(data): what is stored and what the hash chain is computed over. */
  readonly dataJson: string;
  readonly metadataJson: string;
  /** A copied event's instant and MAC (NewEvent.recorded), checked. */
  readonly recorded?: { readonly at: Date; readonly mac?: string };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Checks an append request and serialises its events, or throws InvalidAppend. Every rule here is one
 * the log could not honour later: a value that does not survive a JSON round trip unchanged would make
 * the stored event differ from the one appended, and its hash unverifiable.
 */
export function prepareAppend(
  streamId: string,
  events: readonly NewEvent[],
  expected: ExpectedRevision,
): PreparedEvent[] {
  checkText(streamId, 'stream id', MAX_STREAM_ID_LENGTH);
  if (!(expected === 'any' || expected === 'no_stream' || (Number.isSafeInteger(expected) && expected >= 0))) {
    throw new InvalidAppend(`Expected revision must be a revision >= 0, 'no_stream' or 'any', not ${String(expected)}`);
  }
  if (!Array.isArray(events) || events.length === 0) throw new InvalidAppend('An append needs at least one event');
  if (events.length > MAX_EVENTS_PER_APPEND) {
    throw new InvalidAppend(`An append holds at most ${MAX_EVENTS_PER_APPEND} events, not ${events.length}`);
  }
  const seen = new Set<string>();
  return events.map((event, index) => {
    const where = `event ${index}`;
    if (typeof event !== 'object' || event === null) throw new InvalidAppend(`${where} is not an object`);
    if (typeof event.id !== 'string' || !UUID.test(event.id)) {
      throw new InvalidAppend(`${where}: id must be a UUID, not ${JSON.stringify(event.id)}`);
    }
    const id = event.id.toLowerCase();
    if (seen.has(id)) throw new InvalidAppend(`${where}: id ${id} appears twice in the append`);
    seen.add(id);
    checkText(event.type, `${where}: type`, MAX_EVENT_TYPE_LENGTH);
    // Types starting with $ are KurrentDB's own records ($streamDeleted, $metadata, links), which readers
    // skip; refused in every adapter so that a copied log means the same thing in either store.
    if (event.type.startsWith('$')) throw new InvalidAppend(`${where}: event type ${event.type} is reserved for the event store`);
    if (event.data === undefined) throw new InvalidAppend(`${where}: data is undefined`);
    checkJson(event.data, `${where}: data`, []);
    const metadata = event.metadata ?? {};
    if (!isPlainObject(metadata)) throw new InvalidAppend(`${where}: metadata must be a plain object`);
    // Keys starting with $ belong to the stores (KurrentDB keeps the hash chain under $chain), so every
    // adapter refuses the same appends and a copied log means the same thing in either store.
    const reserved = Object.keys(metadata).find((key) => key.startsWith('$'));
    if (reserved !== undefined) throw new InvalidAppend(`${where}: metadata key ${reserved} is reserved for the event store`);
    checkJson(metadata, `${where}: metadata`, []);
    const prepared = { id, type: event.type, dataJson: canonicalJson(event.data), metadataJson: canonicalJson(metadata) };
    if (event.recorded === undefined) return prepared;
    const { at, mac } = event.recorded;
    if (!(at instanceof Date) || !Number.isFinite(at.getTime())) throw new InvalidAppend(`${where}: recorded.at must be a valid Date`);
    if (mac !== undefined && (typeof mac !== 'string' || mac.length > 300 || !/^[A-Za-z0-9_.-]*$/.test(mac))) {
      throw new InvalidAppend(`${where}: recorded.mac is not a stored MAC`);
    }
    return { ...prepared, recorded: { at, ...(mac === undefined || mac === '' ? {} : { mac }) } };
  });
}

function checkText(value: unknown, what: string, maxLength: number): asserts value is string {
  if (typeof value !== 'string' || value.length === 0) throw new InvalidAppend(`The ${what} must be a non-empty string`);
  if (value.length > maxLength) throw new InvalidAppend(`The ${what} is longer than ${maxLength} characters`);
  checkString(value, what);
}

function checkString(value: string, what: string): void {
  // PostgreSQL text and jsonb hold neither NUL nor half a surrogate pair.
  if (value.includes('\u0000')) throw new InvalidAppend(`${what} contains a NUL character`);
  if (LONE_SURROGATE.test(value)) throw new InvalidAppend(`${what} contains an unpaired surrogate`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function checkJson(value: unknown, path: string, ancestors: object[]): void {
  switch (typeof value) {
    case 'string':
      checkString(value, path);
      return;
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) throw new InvalidAppend(`${path} is ${value}, which JSON cannot hold`);
      return;
    case 'undefined':
      // Dropped from objects and written as null in arrays, as JSON.stringify does.
      return;
    case 'object':
      break;
    default:
      throw new InvalidAppend(`${path} is a ${typeof value}, which JSON cannot hold`);
  }
  if (value === null) return;
  if (ancestors.includes(value)) throw new InvalidAppend(`${path} refers to itself`);
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new InvalidAppend(`${path} is an invalid Date`);
    return;
  }
  const inner = [...ancestors, value];
  if (Array.isArray(value)) {
    value.forEach((item, i) => checkJson(item, `${path}[${i}]`, inner));
    return;
  }
  if (!isPlainObject(value)) {
    const name = (value as { constructor?: { name?: string } }).constructor?.name ?? 'object';
    throw new InvalidAppend(`${path} is a ${name}; only plain objects, arrays and Dates can be stored`);
  }
  for (const [key, item] of Object.entries(value)) {
    checkString(key, `${path} key`);
    checkJson(item, `${path}.${key}`, inner);
  }
}
