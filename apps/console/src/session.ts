/**
 * The signed-in person: a bearer token kept for this browser tab only (sessionStorage), never in a
 * cookie, so no other site can make the browser act with it. Its claims are read for display; the api
 * verifies the signature on every request.
 */
export type Role = 'proposer' | 'officer' | 'decider' | 'auditor' | 'admin';

export interface Person {
  readonly id: string;
  readonly name: string;
  readonly roles: readonly Role[];
  readonly unit: string;
  readonly codeSet?: string;
  readonly expiresAt: number;
}

export interface Session {
  readonly token: string;
  readonly person: Person;
}

const TOKEN_KEY = 'console.token';
const RETURN_KEY = 'console.returnTo';
const POSITION_KEY = 'console.position';

export function decodeToken(token: string): Person | undefined {
  const payload = token.split('.')[1];
  if (payload === undefined) return undefined;
  try {
    const json = JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(payload.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0))));
    if (typeof json.sub !== 'string' || typeof json.exp !== 'number' || !Array.isArray(json.roles)) return undefined;
    return {
      id: json.sub,
      name: typeof json.name === 'string' ? json.name.normalize('NFC') : json.sub,
      roles: json.roles,
      unit: String(json.unit ?? ''),
      ...(typeof json.codeSet === 'string' ? { codeSet: json.codeSet } : {}),
      expiresAt: json.exp * 1000,
    };
  } catch {
    return undefined;
  }
}

export function loadSession(now: number = Date.now()): Session | undefined {
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token === null) return undefined;
  const person = decodeToken(token);
  if (person === undefined || person.expiresAt <= now) return undefined;
  return { token, person };
}

export function saveSession(token: string): Session | undefined {
  const person = decodeToken(token);
  if (person === undefined) return undefined;
  sessionStorage.setItem(TOKEN_KEY, token);
  return { token, person };
}

export function clearSession(): void {
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(POSITION_KEY);
}

/** The forms' kept drafts (components/forms useDraft), dropped on an explicit sign-out. */
export function clearDrafts(): void {
  for (let i = sessionStorage.length - 1; i >= 0; i -= 1) {
    const key = sessionStorage.key(i);
    if (key !== null && key.startsWith('console.draft:')) sessionStorage.removeItem(key);
  }
}

/** Where to go back to after signing in (the page whose request met an expired session). */
export function rememberReturn(path: string): void {
  if (!path.startsWith('/sign-in') && !path.startsWith('/auth/')) sessionStorage.setItem(RETURN_KEY, path);
}

export function takeReturn(): string {
  const path = sessionStorage.getItem(RETURN_KEY);
  sessionStorage.removeItem(RETURN_KEY);
  return path !== null && path.startsWith('/') && !path.startsWith('//') ? path : '/';
}

/** The highest log position this tab has written: queries wait for it, so lists never look stale. */
export function lastWrittenPosition(): string | undefined {
  return sessionStorage.getItem(POSITION_KEY) ?? undefined;
}

export function recordWrittenPosition(position: string | null | undefined): void {
  if (position === null || position === undefined || !/^\d+$/.test(position)) return;
  const previous = lastWrittenPosition();
  if (previous === undefined || BigInt(position) > BigInt(previous)) sessionStorage.setItem(POSITION_KEY, position);
}

export function hasRole(session: Session | undefined, ...roles: Role[]): boolean {
  return session !== undefined && roles.some((role) => session.person.roles.includes(role));
}
