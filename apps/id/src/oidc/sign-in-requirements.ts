import type { Interaction } from 'oidc-provider';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { epochSeconds } from '../db/database.js';
import { findUserById } from '../users/users.js';
import type { Session } from '../sessions/sessions.js';

/**
 * What an authorization request demands of the sign-in (OIDC Core §3.1.2.1): a fresh one
 * (`prompt=login`, `max_age`) and a particular person (`id_token_hint`, or a `sub` value
 * in the `claims` parameter). The sign-in screen reuses the Hearth ID session ("Continue
 * as …") only when the session meets them; otherwise the person signs in with a passkey,
 * which must be the named person's.
 */
export interface SignInRequirements {
  /** `prompt=login` was asked: no session may be reused, however recent. */
  loginPrompt: boolean;
  /** The most seconds since the person's last real sign-in, when the app set `max_age`. */
  maxAge: number | null;
  /** The person the app named, when it named one. */
  expectedUser: { id: string; username: string | null; displayName: string | null } | null;
}

/** A subject no account has: a hint that cannot be read names nobody who could sign in. */
const UNREADABLE_HINT = '';

/**
 * The subject the request names: from the id_token_hint, or from the claims parameter. The
 * provider verified the hint (signature, issuer, audience this client) before it started
 * the interaction, and the interaction's parameters are stored on the server, so reading
 * its payload here is enough; verifying again could fail later for a reason that does not
 * matter here (the signing key rotated since).
 */
function expectedSubject(interaction: Interaction): string | null {
  const { params } = interaction;
  if (typeof params.id_token_hint === 'string') {
    try {
      const payload = JSON.parse(Buffer.from(params.id_token_hint.split('.')[1] ?? '', 'base64url').toString('utf8')) as { sub?: unknown };
      return typeof payload.sub === 'string' && payload.sub ? payload.sub : UNREADABLE_HINT;
    } catch {
      return UNREADABLE_HINT;
    }
  }
  if (typeof params.claims === 'string') {
    try {
      const claims = JSON.parse(params.claims) as { id_token?: { sub?: { value?: unknown } } };
      const value = claims.id_token?.sub?.value;
      if (typeof value === 'string') return value;
    } catch {
      // The provider refuses unparsable claims before any interaction starts.
    }
  }
  return null;
}

export async function signInRequirements(db: Kysely<DB>, interaction: Interaction): Promise<SignInRequirements> {
  const rawMaxAge = interaction.params.max_age;
  const maxAge = rawMaxAge === undefined || rawMaxAge === null || rawMaxAge === '' ? null : Number(rawMaxAge);
  const subject = expectedSubject(interaction);
  const user = subject ? await findUserById(db, subject) : null;
  return {
    loginPrompt: interaction.prompt.reasons.includes('login_prompt'),
    maxAge: maxAge !== null && Number.isFinite(maxAge) ? maxAge : null,
    expectedUser: subject === null ? null : { id: subject, username: user?.username ?? null, displayName: user?.displayName ?? null },
  };
}

function nameOf(user: NonNullable<SignInRequirements['expectedUser']>): string {
  return user.username ? `${user.displayName} (${user.username})` : 'an account that no longer exists';
}

/** Why this session may not be reused for the request, or null when "Continue as …" is fine. */
export function continueRefusal(requirements: SignInRequirements, session: Session, clientName: string, now = epochSeconds()): string | null {
  if (requirements.expectedUser && requirements.expectedUser.id !== session.user.id) {
    return `${clientName} asked for ${nameOf(requirements.expectedUser)}, not ${session.user.username}. Sign in with their passkey, or go back to ${clientName}.`;
  }
  if (requirements.loginPrompt || requirements.maxAge === 0) {
    return `${clientName} asks you to sign in again with your passkey.`;
  }
  if (requirements.maxAge !== null && now - session.authenticatedAt > requirements.maxAge) {
    return `${clientName} asks for a sign-in within the last ${describeSeconds(requirements.maxAge)}; sign in again with your passkey.`;
  }
  return null;
}

/** Why a passkey sign-in of this user does not answer the request, or null when it does. */
export function passkeyRefusal(requirements: SignInRequirements, userId: string, clientName: string): string | null {
  if (requirements.expectedUser && requirements.expectedUser.id !== userId) {
    return `${clientName} asked for ${nameOf(requirements.expectedUser)}; this passkey belongs to someone else. Use their passkey, or go back to ${clientName}.`;
  }
  return null;
}

function describeSeconds(seconds: number): string {
  if (seconds % 3600 === 0) return seconds === 3600 ? 'hour' : `${seconds / 3600} hours`;
  if (seconds % 60 === 0) return seconds === 60 ? 'minute' : `${seconds / 60} minutes`;
  return `${seconds} seconds`;
}
