// The auth block of conf.yml, normalised once at boot. Changing the provider or turning
// built-in users on or off needs a restart, as in Dashy: a running server never switches how
// people sign in under signed-in users. The built-in users themselves are read live (see
// UserDirectory), so removing one or changing a password ends their sessions at once.
import type { DashyAuth, DashyConfig } from '../config/schema.js';
import { formatPath } from '../config/parse.js';
import { rawUserEntries, readUserEntries } from './built-in-users.js';
import type { BuiltInUser, UserEntryProblem } from './built-in-users.js';

export interface OidcSettings {
  /** What the server expects in `iss`; for generic OIDC, `endpoint` verbatim. */
  issuer: string;
  clientId: string;
  adminGroup?: string;
  adminRole?: string;
}

export interface AuthSettings {
  /**
   * How people sign in. OIDC (or Keycloak) wins when `auth.users` is configured as well,
   * as in Dashy, whose main.js starts the OIDC or Keycloak sign-in before looking at users.
   */
  method: 'oidc' | 'users';
  /** Set when method is 'oidc'. */
  oidc: OidcSettings | null;
  /** The users at start, when method is 'users'; requests check the live list. */
  users: BuiltInUser[] | null;
  enableGuestAccess: boolean;
  /** The block as written, for the sign-in bootstrap sent to signed-out browsers. */
  block: DashyAuth;
}

/** conf.yml names built-in users the server cannot use; the CLI prints the message and stops. */
export class AuthSettingsError extends Error {
  override name = 'AuthSettingsError';
  constructor(readonly problems: readonly UserEntryProblem[]) {
    super(`invalid configuration: ${problems.map((problem) => `${formatPath(problem.path)}: ${problem.message}`).join('; ')}`);
  }
}

/** `auth.oidc` (enableOidc) or `auth.keycloak` (enableKeycloak), else null: no sign-in configured. */
export function loadOidcSettings(config: DashyConfig): OidcSettings | null {
  const auth = config.appConfig?.auth;
  if (auth?.enableOidc && auth.oidc) {
    const { endpoint, clientId, adminGroup, adminRole } = auth.oidc;
    return withOptional({ issuer: endpoint, clientId }, adminGroup, adminRole);
  }
  if (auth?.enableKeycloak && auth.keycloak) {
    const { serverUrl, realm, clientId, adminGroup, adminRole } = auth.keycloak;
    const issuer = `${serverUrl.replace(/\/+$/, '')}/realms/${encodeURIComponent(realm)}`;
    return withOptional({ issuer, clientId }, adminGroup, adminRole);
  }
  return null;
}

/**
 * Null when nobody needs to sign in: no provider switched on and no built-in users. Throws
 * AuthSettingsError when built-in users are in effect and an entry is unusable.
 */
export function loadAuthSettings(config: DashyConfig): AuthSettings | null {
  const block = config.appConfig?.auth;
  if (!block) return null;
  const enableGuestAccess = block.enableGuestAccess === true;
  const oidc = loadOidcSettings(config);
  if (oidc) return { method: 'oidc', oidc, users: null, enableGuestAccess, block };
  // Dashy turns built-in users on by listing at least one; `users: []` means no sign-in.
  const entries = rawUserEntries(config);
  if (entries.length === 0) return null;
  const { users, problems } = readUserEntries(entries);
  if (problems.length > 0) throw new AuthSettingsError(problems);
  return { method: 'users', oidc: null, users, enableGuestAccess, block };
}

function withOptional(base: OidcSettings, adminGroup?: string, adminRole?: string): OidcSettings {
  return { ...base, ...(adminGroup ? { adminGroup } : {}), ...(adminRole ? { adminRole } : {}) };
}

/**
 * Whether a newly saved root config asks for different sign-in settings than the running
 * ones. The list of built-in users is read live, so only turning it on or off counts.
 */
export function authSettingsChanged(running: AuthSettings | null, next: DashyConfig): boolean {
  let upcoming: AuthSettings | null;
  try {
    upcoming = loadAuthSettings(next);
  } catch {
    return true;
  }
  return signature(running) !== signature(upcoming);
}

function signature(settings: AuthSettings | null): string {
  if (!settings) return 'null';
  const { users: _users, ...rest } = settings.block;
  return JSON.stringify({ method: settings.method, block: rest });
}
