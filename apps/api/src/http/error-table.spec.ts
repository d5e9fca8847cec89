import { AUDIT_ERROR_CODES } from '@app/audit';
import { AUTH_ERROR_CODES } from '@app/auth';
import { EVENT_STORE_ERROR_CODES } from '@app/event-store';
import { NOMINATION_ERROR_CODES } from '@app/nomination';
import { READ_MODEL_ERROR_CODES } from '@app/read-models';
import { APPLICATION_ERROR_CODES } from '@app/application';
import { ERROR_TABLE, HTTP_ERROR_CODES, PROBLEM_CODES, problemsOfStatus, type ErrorCode } from './error-table';

const LIB_CODES: Readonly<Record<string, readonly string[]>> = {
  nomination: NOMINATION_ERROR_CODES,
  'event-store': EVENT_STORE_ERROR_CODES,
  auth: AUTH_ERROR_CODES,
  application: APPLICATION_ERROR_CODES,
  'read-models': READ_MODEL_ERROR_CODES,
  audit: AUDIT_ERROR_CODES,
  api: HTTP_ERROR_CODES,
};

describe('the error table', () => {
  it.each(Object.entries(LIB_CODES))('answers every code of %s', (_lib, codes) => {
    expect(codes.filter((code) => !Object.hasOwn(ERROR_TABLE, code))).toEqual([]);
  });

  it('holds no code that no lib or the api declares', () => {
    const declared = new Set(Object.values(LIB_CODES).flat());
    expect(Object.keys(ERROR_TABLE).filter((code) => !declared.has(code))).toEqual([]);
  });

  it('answers with 4xx and 5xx only, and every code answered as another names one that answers as itself', () => {
    for (const [code, answer] of Object.entries(ERROR_TABLE)) {
      expect([code, answer.status >= 400 && answer.status < 600]).toEqual([code, true]);
      if (answer.answeredAs !== undefined) expect(ERROR_TABLE[answer.answeredAs].answeredAs).toBeUndefined();
    }
  });

  it('publishes each public code once, and a status lists exactly the public codes it can carry', () => {
    expect(new Set(PROBLEM_CODES).size).toBe(PROBLEM_CODES.length);
    expect(PROBLEM_CODES).not.toContain('stale_revision' satisfies ErrorCode);
    expect(problemsOfStatus(412).map((p) => p.code)).toEqual(['revision_conflict']);
    expect(problemsOfStatus(409).map((p) => p.code)).toContain('revision_conflict');
    expect(problemsOfStatus(404).map((p) => p.code)).toEqual(['not_found']);
    expect(problemsOfStatus(500).map((p) => p.code)).toEqual(['internal_error']);
  });
});
