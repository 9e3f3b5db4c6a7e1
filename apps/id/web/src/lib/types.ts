/** Shapes of the Hearth ID JSON API (docs/api.md). */

/*
 * The shapes the server's domain modules return, imported as types only: the build erases
 * these imports, and a change on the server side shows up in `npm run typecheck` here.
 */
import type { Group } from '../../../src/groups/groups.js';
import type { User } from '../../../src/users/users.js';
import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/browser';

export type { Group, User };
export type { OidcClient } from '../../../src/clients/clients.js';
export type { MyApp, GrantedApp } from '../../../src/clients/my-apps.js';
export type { Passkey } from '../../../src/passkeys/passkeys.js';

/** A group as named in lists and pickers (GET /api/me, the admin screens' group pickers). */
export type GroupRef = Pick<Group, 'id' | 'name' | 'friendlyName'>;

/** A page of a group's members (GET /api/admin/groups/:id). */
export interface MemberPage {
  members: User[];
  total: number;
  page: number;
  pageSize: number;
}

export interface AuditEntry {
  id: string;
  createdAt: string;
  event: string;
  /** The filter it falls under (sign-ins, tokens, ...). */
  kind: string | null;
  userId: string | null;
  actorId: string | null;
  ip: string | null;
  userAgent: string | null;
  data: Record<string, unknown> | null;
  /** The server's sentence for it, e.g. "alice signed in with a passkey". */
  summary: string;
  /** "Chrome on macOS", "curl", "command line". */
  device: string;
}

export interface InteractionDetails {
  uid: string;
  prompt: { name: 'login' | 'consent'; reasons: string[] };
  client: { id: string; name: string };
  scopes: string[];
  signedInAs: { username: string; displayName: string } | null;
  allowed: boolean;
  /** Whether "Continue as …" would be accepted; the server checks again when it is used. */
  continueAllowed: boolean;
  /** Why the session cannot be reused (a fresh sign-in or another person was asked for). */
  continueRefusal: string | null;
  /** The person the app asked for (id_token_hint); null names nobody. */
  expectedUser: { username: string | null; displayName: string | null } | null;
  /** Claims the app asks for beyond its scopes (the claims parameter), for the consent screen. */
  claims?: string[];
  /**
   * The options of a passkey sign-in, made with the page when it offers the passkey button
   * (only the page carries them: GET .../details does not make a challenge).
   */
  passkeyOptions?: PublicKeyCredentialRequestOptionsJSON | null;
}

/** Every interaction step answers where the browser goes next; a refusal also says why. */
export interface InteractionStep {
  redirectTo: string;
  refused?: boolean;
  message?: string;
}
