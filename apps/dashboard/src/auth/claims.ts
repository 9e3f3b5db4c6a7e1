// What Hearth reads from a verified ID token: who, which groups and roles, and whether that
// makes the user an admin. Visibility rules and the admin check share these readers so they
// can never disagree about a user's groups.
import type { JWTPayload } from 'jose';
import type { OidcSettings } from './settings.js';

export interface Identity {
  /** preferred_username, else email, else sub: the fallback order Dashy uses. */
  user: string;
  groups: string[];
  roles: string[];
  isAdmin: boolean;
  /** How this person signed in: an ID token, or a built-in user's session cookie. */
  method: 'oidc' | 'users';
}

function stringList(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((entry): entry is string => typeof entry === 'string');
  return [];
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

/** Pocket ID, Hearth ID, Authentik, Authelia: a `groups` claim of names. */
export function groupsFromClaims(claims: JWTPayload): string[] {
  return stringList(claims.groups);
}

/** Keycloak: realm roles, plus roles of this client. */
export function rolesFromClaims(claims: JWTPayload, clientId: string): string[] {
  const realmRoles = stringList(record(claims.realm_access).roles);
  const clientRoles = stringList(record(record(claims.resource_access)[clientId]).roles);
  return [...new Set([...realmRoles, ...clientRoles])];
}

export function deriveIsAdmin(claims: JWTPayload, settings: OidcSettings): boolean {
  if (settings.adminGroup && groupsFromClaims(claims).includes(settings.adminGroup)) return true;
  if (settings.adminRole && rolesFromClaims(claims, settings.clientId).includes(settings.adminRole)) return true;
  return false;
}

export function identityFromClaims(claims: JWTPayload, settings: OidcSettings): Identity {
  const name = [claims.preferred_username, claims.email, claims.sub].find(
    (value): value is string => typeof value === 'string' && value !== '',
  );
  return {
    user: name ?? '',
    groups: groupsFromClaims(claims),
    roles: rolesFromClaims(claims, settings.clientId),
    isAdmin: deriveIsAdmin(claims, settings),
    method: 'oidc',
  };
}
