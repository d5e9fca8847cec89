import { useCallback, useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { networkProblem, newIdempotencyKey, type Problem } from '../api/client';
import { formatDate, parseDate } from '../format';
import { useI18n } from '../i18n';

/**
 * Form state kept in sessionStorage, so a session that expires mid-form (sign-in, then back) or a
 * reload loses nothing the official typed. Cleared once the command succeeded.
 */
export function useDraft<T>(key: string, initial: T): [T, (next: T | ((previous: T) => T)) => void, () => void] {
  const storageKey = `console.draft:${key}`;
  // `initial` is a fresh literal on every render; the first one is what a cleared draft returns to.
  const initialRef = useRef(initial);
  const [value, setValue] = useState<T>(() => {
    const stored = sessionStorage.getItem(storageKey);
    if (stored === null) return initial;
    try {
      return JSON.parse(stored) as T;
    } catch {
      return initial;
    }
  });
  const set = useCallback((next: T | ((previous: T) => T)) => {
    setValue((previous) => {
      const resolved = typeof next === 'function' ? (next as (p: T) => T)(previous) : next;
      sessionStorage.setItem(storageKey, JSON.stringify(resolved));
      return resolved;
    });
  }, [storageKey]);
  const clear = useCallback(() => {
    sessionStorage.removeItem(storageKey);
    setValue(initialRef.current);
  }, [storageKey]);
  return [value, set, clear];
}

type Sent<T> = { data?: T; error?: unknown; response: Response };

export interface CommandState {
  readonly pending: boolean;
  readonly problem: Problem | undefined;
  readonly conflict: boolean;
}

/**
 * One form's command: an Idempotency-Key per intent (the same body sent again after a failure reuses
 * it, so a retried click can never act twice), problem details kept for display, and conflicts
 * (409 revision_conflict, 412) reported apart so the page shows the new state instead of overwriting.
 */
export function useCommand() {
  const [state, setState] = useState<CommandState>({ pending: false, problem: undefined, conflict: false });
  const intent = useRef<{ body: string; key: string } | undefined>(undefined);

  const run = useCallback(async <T,>(body: unknown, send: (idempotencyKey: string) => Promise<Sent<T>>): Promise<T | undefined> => {
    const serialized = JSON.stringify(body);
    if (intent.current?.body !== serialized) intent.current = { body: serialized, key: newIdempotencyKey() };
    setState({ pending: true, problem: undefined, conflict: false });
    let sent: Sent<T>;
    try {
      sent = await send(intent.current.key);
    } catch {
      setState({ pending: false, problem: networkProblem(), conflict: false });
      return undefined;
    }
    if (sent.response.ok && sent.data !== undefined) {
      intent.current = undefined;
      setState({ pending: false, problem: undefined, conflict: false });
      return sent.data;
    }
    const problem = asProblem(sent.error, sent.response.status);
    const conflict = sent.response.status === 412 || problem.code === 'revision_conflict';
    // After a conflict the next attempt is a new decision on a new state: it gets a new key.
    if (conflict) intent.current = undefined;
    setState({ pending: false, problem, conflict });
    return undefined;
  }, []);

  const reset = useCallback(() => setState({ pending: false, problem: undefined, conflict: false }), []);
  return { ...state, run, reset };
}

export function asProblem(error: unknown, status: number): Problem {
  if (typeof error === 'object' && error !== null && 'code' in error && 'status' in error) return error as Problem;
  return networkProblem(status);
}

export function ProblemMessage({ problem }: { problem: Problem | undefined }) {
  const { t, tv } = useI18n();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (problem !== undefined) ref.current?.focus();
  }, [problem]);
  if (problem === undefined) return null;
  const network = problem.code === 'network_error' || problem.code === 'unexpected_response';
  // The api's detail is English for developers; the person reads what the stable code means, in their language.
  const explained = tv('problemCode', problem.code);
  const headline = network ? t('problem.network') : explained !== problem.code ? explained : undefined;
  return (
    <div className="problem" role="alert" data-testid="problem" tabIndex={-1} ref={ref}>
      <strong>{t('problem.title')}</strong>
      <p data-testid="problem-text">{headline ?? (problem.detail || problem.title)}</p>
      {!network && headline !== undefined && problem.detail && <p className="meta" lang="en">{problem.detail}</p>}
      {problem.errors && problem.errors.length > 0 && (
        <ul>
          {problem.errors.map((e, i) => (
            <li key={i}>
              <code>{e.field}</code>: {e.message}
            </li>
          ))}
        </ul>
      )}
      {!network && <p className="problem-code">{problem.code}</p>}
    </div>
  );
}

export function Field({ label, children, hint }: { label: string; children: (id: string) => ReactNode; hint?: string }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children(id)}
      {hint && <small>{hint}</small>}
    </div>
  );
}

/**
 * A wide table scrolls inside its own region on a phone rather than the whole page sideways; the
 * region is focusable and named so a keyboard user can scroll it too.
 */
export function TableRegion({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="table-wrap" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}

/**
 * Keyset paging under a list: "back" while on a later page (the cursor lives in the address, so the
 * browser's history is the way back), "more" while the server gives a next cursor.
 */
export function KeysetPager({ cursor, next, onMore, testId }: { cursor: string; next: string | null | undefined; onMore: (next: string) => void; testId: string }) {
  const { t } = useI18n();
  return (
    <div className="pager">
      {cursor !== '' && <button type="button" onClick={() => window.history.back()}>{t('common.back')}</button>}
      {next && <button type="button" data-testid={testId} onClick={() => onMore(next)}>{t('common.more')}</button>}
    </div>
  );
}

/**
 * A date typed as dd/mm/yyyy whatever the browser's language (a native date input would show mm/dd/yyyy
 * in an English browser). `value` and `onChange` carry the API's YYYY-MM-DD, or '' while incomplete.
 */
export function DateInput({ id, value, onChange, testId }: { id: string; value: string; onChange: (iso: string) => void; testId?: string }) {
  const { t } = useI18n();
  const [text, setText] = useState(() => (value ? formatDate(value) : ''));
  const invalid = text.trim() !== '' && parseDate(text) === undefined;
  return (
    <>
      <input id={id} data-testid={testId} inputMode="numeric" placeholder="dd/mm/yyyy" autoComplete="off" value={text} aria-invalid={invalid || undefined}
        aria-describedby={invalid ? `${id}-error` : undefined}
        onChange={(e) => { setText(e.target.value); onChange(parseDate(e.target.value) ?? ''); }} />
      {invalid && <small id={`${id}-error`} className="field-error">{t('form.dateFormat')}</small>}
    </>
  );
}
