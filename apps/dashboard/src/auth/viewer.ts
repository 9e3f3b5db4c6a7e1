// Who the browser app is talking to, in the shape it expects (`viewer` in the JSON views and
// in GET /auth/session).
import type { RequestAuth } from './hook.js';
import type { AuthSettings } from './settings.js';

export interface ViewerInfo {
  signedIn: boolean;
  user: string | null;
  /** True for everyone when no sign-in is configured, as in Dashy. */
  isAdmin: boolean;
  groups: string[];
  roles: string[];
  method: 'oidc' | 'users' | null;
}

export function viewerInfo(auth: RequestAuth | null, settings: AuthSettings | null): ViewerInfo {
  if (!auth) return { signedIn: false, user: null, isAdmin: settings === null, groups: [], roles: [], method: null };
  const { identity } = auth;
  return { signedIn: true, user: identity.user, isAdmin: identity.isAdmin, groups: [...(identity.groups ?? [])], roles: [...(identity.roles ?? [])], method: auth.method };
}
