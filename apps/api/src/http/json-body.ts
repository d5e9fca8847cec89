import type { FastifyInstance } from 'fastify';
import { ProblemError } from './problem';

/**
 * The api's own JSON body parser. Before anything parses the text it measures the nesting depth in
 * one linear pass (no recursion), so a 20 KB body of `[[[[…` is refused in microseconds instead of
 * overflowing a stack somewhere downstream (class-transformer, canonical JSON, validation all recurse).
 * After parsing, every string and key is checked by an explicit-stack walk for what must never be
 * stored: NUL and other C0/C1 control characters PostgreSQL or a mail header would choke on, and Unicode
 * bidirectional controls that make a name read differently from what is stored (Trojan Source).
 */

/** Depth of the deepest array/object in `text`, or Infinity as soon as `limit` is passed. */
export function jsonNestingDepth(text: string, limit: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c /* \ */) i++;
      else if (ch === 0x22 /* " */) inString = false;
      continue;
    }
    if (ch === 0x22) inString = true;
    else if (ch === 0x5b /* [ */ || ch === 0x7b /* { */) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > limit) return Number.POSITIVE_INFINITY;
      }
    } else if (ch === 0x5d /* ] */ || ch === 0x7d /* } */) depth--;
  }
  return deepest;
}

// Tab, line feed and carriage return are text (achievement reports have paragraphs); every other
// control character is not.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/u;
// LRE, RLE, PDF, LRO, RLO (U+202A–202E), LRI, RLI, FSI, PDI (U+2066–2069), and the LRM/RLM/ALM marks.
const BIDI = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/u;
/**
 * Characters that render as nothing: spaces, format characters (zero-width space, joiners, BOM, soft
 * hyphen), Hangul fillers, braille blank, combining grapheme joiner and variation selectors.
 */
// eslint-disable-next-line no-misleading-character-class -- each listed mark is matched on its own, on purpose
const INVISIBLE = /^[\p{White_Space}\p{Cf}\u115f\u1160\u3164\uffa0\u2800\u034f\ufe00-\ufe0f]*$/u;
/** Fields that name or title someone or something: a value there that shows nothing is refused. */
const NAME_FIELD = /(^|\.)(name|title|number|minutesNumber|organization|position)$/;

export interface TextIssue {
  readonly field: string;
  readonly message: string;
}

/** Problems with the strings of a parsed body; walks with an explicit stack, at most `maxIssues`. */
export function textIssues(value: unknown, maxIssues = 20): TextIssue[] {
  const issues: TextIssue[] = [];
  const stack: [unknown, string][] = [[value, '']];
  while (stack.length > 0 && issues.length < maxIssues) {
    const [current, path] = stack.pop()!;
    if (typeof current === 'string') {
      const field = path === '' ? 'body' : path;
      if (CONTROL.test(current)) issues.push({ field, message: `${field} must not contain NUL or other control characters` });
      else if (BIDI.test(current)) issues.push({ field, message: `${field} must not contain bidirectional control characters` });
      else if (current.length > 0 && NAME_FIELD.test(path) && INVISIBLE.test(current)) {
        issues.push({ field, message: `${field} must contain visible characters` });
      }
    } else if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) stack.push([current[i], `${path}[${i}]`]);
    } else if (typeof current === 'object' && current !== null) {
      for (const [key, child] of Object.entries(current)) {
        const childPath = path === '' ? key : `${path}.${key}`;
        if (CONTROL.test(key) || BIDI.test(key)) {
          issues.push({ field: 'body', message: 'a property name contains control characters' });
          continue;
        }
        stack.push([child, childPath]);
      }
    }
  }
  return issues;
}

/** Refuses NUL and other control characters in a URL (path or query) before any route sees it. */
export function urlIssue(rawUrl: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawUrl);
  } catch {
    return undefined; // malformed escapes are Fastify's to refuse (FST_ERR_BAD_URL)
  }
  if (CONTROL.test(decoded)) return 'the URL must not contain NUL or other control characters';
  if (BIDI.test(decoded)) return 'the URL must not contain bidirectional control characters';
  return undefined;
}

export function installJsonBodyParser(fastify: FastifyInstance, options: { maxDepth: number; bodyLimit: number }): void {
  // Fastify's own parser (secure-json-parse: refuses __proto__ and constructor.prototype keys) does the parsing.
  const parse = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: options.bodyLimit }, (request, body, done) => {
    const text = body as string;
    if (jsonNestingDepth(text, options.maxDepth) > options.maxDepth) {
      done(new ProblemError('json_too_deep', `JSON bodies may nest arrays and objects at most ${options.maxDepth} deep.`, {
        errors: [{ field: 'body', message: `nested deeper than ${options.maxDepth} levels` }],
      }), undefined);
      return;
    }
    parse(request, text, (error, parsed) => {
      if (error) {
        done(error, undefined);
        return;
      }
      const issues = textIssues(parsed);
      if (issues.length > 0) {
        done(new ProblemError('validation_failed', 'The request is not valid.', { errors: issues }), undefined);
        return;
      }
      done(null, parsed);
    });
  });
}
