import type { JWTPayload } from 'jose';
import { isCodeSet, isRole, type Actor, type Role } from './actor';

export type ClaimsResult = { readonly actor: Actor } | { readonly invalidClaim: string };

// Control characters in an id or name could forge log lines or mail headers downstream.
function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i += 1) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return true;
  }
  return false;
}

const UNIT = /^\d{2,5}$/;
// Deliberately loose: the IdP owns e-mail validation; this only keeps obvious garbage out of mail headers.
const EMAIL = /^[^\s@<>,;"]+@[^\s@<>,;"]+$/;

/** Reads the Actor from an already signature- and time-checked payload, refusing anything unexpected. */
export function actorFromClaims(payload: JWTPayload): ClaimsResult {
  const { sub, name, email, roles, unit, codeSet } = payload as Record<string, unknown>;

  if (typeof sub !== 'string' || sub.length === 0 || sub.length > 200 || hasControlCharacter(sub)) return { invalidClaim: 'sub' };

  if (typeof name !== 'string') return { invalidClaim: 'name' };
  const normalisedName = name.normalize('NFC').trim();
  if (normalisedName.length === 0 || normalisedName.length > 200 || hasControlCharacter(normalisedName)) return { invalidClaim: 'name' };

  if (email !== undefined && (typeof email !== 'string' || email.length > 254 || !EMAIL.test(email))) {
    return { invalidClaim: 'email' };
  }

  // An unknown role is refused rather than dropped: it means the IdP and this service disagree on the
  // role model, and silently narrowing someone's rights hides that.
  if (!Array.isArray(roles) || roles.length === 0 || !roles.every(isRole)) return { invalidClaim: 'roles' };
  const uniqueRoles: Role[] = [...new Set<Role>(roles)];

  if (typeof unit !== 'string' || !UNIT.test(unit)) return { invalidClaim: 'unit' };

  if (codeSet !== undefined && !isCodeSet(codeSet)) return { invalidClaim: 'codeSet' };

  return {
    actor: {
      id: sub,
      name: normalisedName,
      ...(email !== undefined ? { email } : {}),
      roles: uniqueRoles,
      unit,
      ...(codeSet !== undefined ? { codeSet } : {}),
    },
  };
}
