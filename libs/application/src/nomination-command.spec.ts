import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { RecordedEvent } from '@app/event-store';
import type { NominationContext, NominationEvent } from '@app/nomination';
import { NominationTooLarge, nominationStreamCommand } from './nomination-command';

/*
 * The byte bound of a nomination (NOMINATION_MAX_BYTES) is the UTF-8 length of JSON.stringify of every
 * event's data, new and recorded. The check skips that serialisation when an upper bound of it is
 * within the limit; these cases hold it to the exact definition at and around every limit.
 */

const exactBytes = (data: unknown): number => Buffer.byteLength(JSON.stringify(data ?? null), 'utf8');

const envelope = { actor: { id: 'u', name: 'U', roles: ['officer'], unit: '03814', codeSet: 'gso-2025' }, commandId: 'c', correlationId: 'r' };
const ctx = { actor: { id: 'u', name: 'U', roles: ['officer'], unit: '03814', codeSet: 'gso-2025' } } as unknown as NominationContext;

function recordedOf(data: unknown, revision: number): RecordedEvent {
  return { id: `e${revision}`, streamId: 'nomination-n', type: 'NominationUpdated', data, metadata: {}, revision, position: BigInt(revision), recordedAt: new Date(0), hash: '' };
}

/** What beforeAppend says for new events `fresh` on a stream of `stored`, with at most `maxBytes`. */
function verdict(fresh: readonly unknown[], stored: readonly unknown[], maxBytes: number): 'ok' | 'too large' {
  const command = nominationStreamCommand(envelope as never, 'n', { type: 'ApproveNomination', comment: null } as never, ctx, {
    nominationMaxEvents: 100_000,
    nominationMaxBytes: maxBytes,
  });
  try {
    command.beforeAppend!(stored.map(recordedOf), fresh.map((data) => ({ type: 'StageApproved', data }) as unknown as NominationEvent));
    return 'ok';
  } catch (error) {
    if (error instanceof NominationTooLarge) return 'too large';
    throw error;
  }
}

// Strings of every kind of UTF-16 unit: ASCII, Vietnamese, astral pairs, lone surrogates, escaped controls.
const text = fc.string({ unit: fc.oneof(fc.constantFrom('a', 'ạ', 'ễ', '\u0000', '\n', '"', '\\', '\u2028', '\ud800', '\udc00', '\ud83d\ude00'), fc.string({ unit: 'binary', maxLength: 1 })), maxLength: 40 });
const json = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, text, fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.constant(undefined),
    fc.array(tie('value'), { maxLength: 4 }), fc.dictionary(text, tie('value'), { maxKeys: 4 })),
})).value;

describe('the byte bound of a nomination', () => {
  it('refuses exactly the streams whose JSON passes the limit, at and around it', () => {
    fc.assert(
      fc.property(fc.array(json, { minLength: 1, maxLength: 3 }), fc.array(json, { maxLength: 3 }), fc.integer({ min: -3, max: 3 }), (fresh, stored, offset) => {
        const total = [...fresh, ...stored].reduce((sum: number, data) => sum + exactBytes(data), 0);
        const limit = Math.max(0, total + offset);
        expect(verdict(fresh, stored, limit)).toBe(total > limit ? 'too large' : 'ok');
      }),
      { numRuns: 2000 },
    );
  });

  it('measures what is not plain JSON exactly, as before: a Date by its toJSON, a bigint is an error', () => {
    const at = new Date(0);
    expect(verdict([{ at }], [], exactBytes({ at }))).toBe('ok');
    expect(verdict([{ at }], [], exactBytes({ at }) - 1)).toBe('too large');
    expect(() => verdict([{ n: 1n }], [], 1_000_000)).toThrow(TypeError);
  });
});
