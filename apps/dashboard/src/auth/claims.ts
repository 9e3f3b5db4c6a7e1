// What Hearth reads from a verified ID token: who, which groups and roles, and whether that
// makes the user an admin. Visibility rules and the admin check share these readers so they
// can never disagree about a user's groups.
//
// A claim the token does not carry is not the same as an empty one: a client that asked
// without the `groups` scope gets no `groups` claim, and that says nothing about the
// person's groups. The readers return null then, and the rules treat it as "unknown".
import type { JWTPayload } from 'jose';
import type { OidcSettings } from './settings.js';

export interface Identity {
  /** For display and logs: preferred_username, else email, else sub (as Dashy shows it). */
  user: string;
  /**
   * The name user rules (showForUsers, hideForUsers) compare: preferred_username only, never
   * email or sub, which a person can often set to anything. Null when the token has none.
   */
  username: string | null;
  /** Null when the token carries no `groups` claim. */
  groups: string[] | null;
  /** Null when the token carries neither `realm_access` nor `resource_access`. */
  roles: string[] | null;
  isAdmin: boolean;
  /** How this person signed in: an ID token, or a built-in user's session cookie. */
  method: 'oidc' | 'users';
}

/** A string or a list of strings; null for anything else, including a missing claim. */
function stringList(value: unknown): string[] | null {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((entry): entry is string => typeof entry === 'string');
  return null;
}

function record(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

/** Pocket ID, Hearth ID, Authentik, Authelia: a `groups` claim of names. Null when absent. */
export function groupsFromClaims(claims: JWTPayload): string[] | null {
  return stringList(claims.groups);
}

/**
 * Keycloak: realm roles, plus roles of this client. Null when the token carries neither
 * `realm_access` nor `resource_access` (no roles scope, or a provider without roles). When it
 * carries one of them, a missing client entry means "no roles for this client", as Keycloak
 * leaves out clients the user has no roles for.
 */
export function rolesFromClaims(claims: JWTPayload, clientId: string): string[] | null {
  const realm = record(claims.realm_access);
  const resources = record(claims.resource_access);
  const realmRoles = realm ? stringList(realm.roles) : null;
  if (realmRoles === null && resources === null) return null;
  const clientRoles = stringList(record(resources?.[clientId])?.roles) ?? [];
  return [...new Set([...(realmRoles ?? []), ...clientRoles])];
}

export function deriveIsAdmin(claims: JWTPayload, settings: OidcSettings): boolean {
  if (settings.adminGroup && groupsFromClaims(claims)?.includes(settings.adminGroup)) return true;
  if (settings.adminRole && rolesFromClaims(claims, settings.clientId)?.includes(settings.adminRole)) return true;
  return false;
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

export function identityFromClaims(claims: JWTPayload, settings: OidcSettings): Identity {
  const username = nonEmptyString(claims.preferred_username) ? claims.preferred_username : null;
  return {
    user: [claims.preferred_username, claims.email, claims.sub].find(nonEmptyString) ?? '',
    username,
    groups: groupsFromClaims(claims),
    roles: rolesFromClaims(claims, settings.clientId),
    isAdmin: deriveIsAdmin(claims, settings),
    method: 'oidc',
  };
}
