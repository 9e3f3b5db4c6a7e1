// Which OpenID Connect client the browser runs, read from conf.yml's auth block the way the
// server reads it (src/auth/settings.ts), so both agree on the issuer. Small and free of
// oidc-client-ts: it decides whether that library is loaded at all.
import type { AuthBlock } from '../lib/types';

export const DEFAULT_SCOPE = 'openid profile email roles groups';

export interface OidcClientConfig {
  /** Issuer URL; the discovery document is at `${authority}/.well-known/openid-configuration`. */
  authority: string;
  clientId: string;
  scope: string;
  /** Added to the authorization request: Keycloak's `kc_idp_hint`. */
  extraQueryParams: Record<string, string>;
  kind: 'oidc' | 'keycloak';
}

/** OIDC (`enableOidc` + `oidc`) wins over Keycloak, as on the server and in Dashy's main.js. */
export function oidcClientConfig(auth: AuthBlock | undefined): OidcClientConfig | null {
  if (auth?.enableOidc && auth.oidc) {
    const { endpoint, clientId, scope } = auth.oidc;
    return { authority: String(endpoint), clientId: String(clientId), scope: scope || DEFAULT_SCOPE, extraQueryParams: {}, kind: 'oidc' };
  }
  if (auth?.enableKeycloak && auth.keycloak) {
    const { serverUrl, realm, clientId, idpHint } = auth.keycloak;
    const scope = typeof auth.keycloak.scope === 'string' && auth.keycloak.scope ? auth.keycloak.scope : DEFAULT_SCOPE;
    return {
      authority: `${String(serverUrl).replace(/\/+$/, '')}/realms/${encodeURIComponent(String(realm))}`,
      clientId: String(clientId),
      scope,
      extraQueryParams: idpHint ? { kc_idp_hint: String(idpHint) } : {},
      kind: 'keycloak',
    };
  }
  return null;
}

/**
 * Built-in users (`auth.users`): the server never sends the list itself, only its marker
 * (`hearthSignIn: users`). A sign-in bootstrap without an OIDC block can only mean them too.
 */
export function usesBuiltInUsers(auth: AuthBlock | undefined, kind: string): boolean {
  if (oidcClientConfig(auth)) return false;
  return auth?.hearthSignIn === 'users' || kind === 'bootstrap';
}

/** Where a sign-in may send the browser back to: a path on this site, never another host. */
export function safeReturnPath(value: unknown): string {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return '/';
  try {
    const url = new URL(value, 'http://placeholder.invalid');
    for (const name of ['code', 'state', 'session_state', 'iss', 'error', 'error_description', 'error_uri']) url.searchParams.delete(name);
    return `${url.pathname}${url.search}${url.hash}`;
  } catch {
    return '/';
  }
}
