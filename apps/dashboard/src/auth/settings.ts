// The auth block of conf.yml, normalised once at boot. Changing it needs a restart, as in
// Dashy: a running server never switches identity provider under signed-in users.
import type { DashyAuth, DashyConfig } from '../config/schema.js';

export interface OidcSettings {
  /** What the server expects in `iss`; for generic OIDC, `endpoint` verbatim. */
  issuer: string;
  clientId: string;
  adminGroup?: string;
  adminRole?: string;
}

export interface AuthSettings {
  oidc: OidcSettings;
  enableGuestAccess: boolean;
  /** The block as written, for the sign-in bootstrap sent to signed-out browsers. */
  block: DashyAuth;
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

export function loadAuthSettings(config: DashyConfig): AuthSettings | null {
  const oidc = loadOidcSettings(config);
  const block = config.appConfig?.auth;
  if (!oidc || !block) return null;
  return { oidc, enableGuestAccess: block.enableGuestAccess === true, block };
}

function withOptional(base: OidcSettings, adminGroup?: string, adminRole?: string): OidcSettings {
  return { ...base, ...(adminGroup ? { adminGroup } : {}), ...(adminRole ? { adminRole } : {}) };
}

/** Whether a newly saved root config asks for different sign-in settings than the running ones. */
export function authSettingsChanged(running: AuthSettings | null, next: DashyConfig): boolean {
  const upcoming = loadAuthSettings(next);
  return JSON.stringify(running?.block ?? null) !== JSON.stringify(upcoming?.block ?? null);
}
