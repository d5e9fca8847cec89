import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';
import { clearDrafts, clearSession, lastWrittenPosition, loadSession, recordWrittenPosition, rememberReturn, saveSession, type Session } from '../session';

export type Schemas = components['schemas'];
/** A problem the api sent (its `code` one of the document's enum), or one the console makes for a failed exchange. */
export type Problem = Omit<Schemas['ProblemDetailsDto'], 'code'> & {
  readonly code: Schemas['ProblemDetailsDto']['code'] | 'network_error' | 'unexpected_response';
};
export type NominationView = Schemas['NominationViewDto'];

/** The signed-in session as a tiny store, so the client and the screens agree on who is calling. */
let session: Session | undefined = loadSession();
let expired = false;
const listeners = new Set<() => void>();
const emit = () => listeners.forEach((listener) => listener());

export const sessionStore = {
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  get: (): Session | undefined => session,
  expired: (): boolean => expired,
  signIn(token: string): Session | undefined {
    session = saveSession(token);
    expired = false;
    emit();
    return session;
  },
  /** Signing out (unlike an expiry) also forgets what was typed: the next person at this tab sees none of it. */
  signOut(): void {
    clearSession();
    clearDrafts();
    session = undefined;
    emit();
  },
  /** A request met 401 with a token: keep the page to come back to, drop the token, show sign-in. */
  expire(): void {
    rememberReturn(window.location.pathname + window.location.search);
    clearSession();
    session = undefined;
    expired = true;
    emit();
  },
};

function unauthenticated(): Response {
  const problem = { type: 'about:blank', title: 'Unauthorized', status: 401, detail: 'The session has expired.', code: 'unauthenticated' };
  return new Response(JSON.stringify(problem), { status: 401, headers: { 'Content-Type': 'application/problem+json' } });
}

const auth: Middleware = {
  onRequest({ request }) {
    // A tab left open past the token's expiry is sent to sign-in before it sends anything.
    if (session !== undefined && session.person.expiresAt <= Date.now()) {
      sessionStore.expire();
      return unauthenticated();
    }
    request.headers.set('Accept', request.headers.get('Accept') ?? 'application/json');
    if (session !== undefined) request.headers.set('Authorization', `Bearer ${session.token}`);
    // Read your own writes: every query waits until the read models have seen this tab's last write.
    const position = lastWrittenPosition();
    if (position !== undefined && request.method === 'GET' && !request.headers.has('Min-Position')) {
      request.headers.set('Min-Position', position);
    }
    return request;
  },
  async onResponse({ request, response }) {
    if (response.status === 401 && request.headers.has('Authorization')) sessionStore.expire();
    if (request.method !== 'GET') {
      recordWrittenPosition(response.headers.get('Log-Position'));
      // A bulk answer carries a position per item that was written.
      if (response.ok && new URL(request.url).pathname.startsWith('/nominations/bulk/')) {
        const body = await response.clone().json().catch(() => undefined);
        for (const item of body?.results ?? []) recordWrittenPosition(item.position);
      }
    }
    return request.method === 'GET' ? whenCaughtUp(request, response) : response;
  },
};

/**
 * 503 read_model_behind means "not yet": the api waited 5 s for the read models to reach this tab's
 * last write. Under a year-end load that can happen; asking again is right, showing an error is not.
 */
async function whenCaughtUp(request: Request, response: Response): Promise<Response> {
  let current = response;
  for (let attempt = 0; attempt < 5 && current.status === 503; attempt += 1) {
    const problem = await current.clone().json().catch(() => undefined);
    if (problem?.code !== 'read_model_behind') break;
    current = await fetch(request.clone());
  }
  return current;
}

/**
 * The JSON answers (application/json and application/problem+json) are the typed data and errors; the
 * CSV alternatives of a few routes are fetched with `parseAs: 'blob'` and saved as they come.
 */
export const api = createClient<paths, `application/${string}json`>({ baseUrl: window.location.origin });
api.use(auth);

/**
 * Saves a file the typed client fetched (`parseAs: 'blob'`, so the same token, Min-Position and
 * expiry rules apply as to every request): the bytes saved are exactly the server's, BOM included.
 */
export async function saveDownload(sent: Promise<{ data?: Blob; error?: unknown; response: Response }>, filename: string): Promise<Problem | undefined> {
  let result: Awaited<typeof sent>;
  try {
    result = await sent;
  } catch {
    return networkProblem();
  }
  if (!result.response.ok || result.data === undefined) {
    const error = result.error;
    return typeof error === 'object' && error !== null && 'code' in error ? (error as Problem) : networkProblem(result.response.status);
  }
  const link = document.createElement('a');
  link.href = URL.createObjectURL(result.data);
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  return undefined;
}

export function networkProblem(status = 0): Problem {
  return { type: 'about:blank', title: 'Network', status, detail: '', code: status === 0 ? 'network_error' : 'unexpected_response' };
}

/** A fresh Idempotency-Key; reused when the very same body is sent again (a retry after a failure). */
export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}

export const ifMatch = (revision: number): string => `"${revision}"`;
