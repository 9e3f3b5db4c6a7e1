import type { OidcClient } from '../../../lib/types';

/** The client ID `npm start` gives the Hearth Dashboard. */
export const DASHBOARD_CLIENT_ID = 'hearth-dashboard';

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/**
 * Whether a client looks like a dashboard (Hearth Dashboard or Dashy), so that its page offers
 * a `conf.yml` block: its client ID is `hearth-dashboard`, or it is a public client with a
 * callback at the root of a site (`http://localhost:4000`, `…/`) and a logout callback URL on
 * that same site, which is how those dashboards sign in and out. Other apps (Grafana, Nextcloud,
 * Immich, Jellyfin) call back to a path of their own and get only the endpoint list.
 */
export function looksLikeDashboard(client: Pick<OidcClient, 'id' | 'isPublic' | 'callbackUrls' | 'logoutCallbackUrls'>): boolean {
  if (client.id === DASHBOARD_CLIENT_ID) return true;
  if (!client.isPublic) return false;
  const logoutOrigins = new Set(client.logoutCallbackUrls.map((url) => parse(url)?.origin));
  return client.callbackUrls.some((raw) => {
    const url = parse(raw);
    return url !== null && url.pathname === '/' && !url.search && logoutOrigins.has(url.origin);
  });
}
