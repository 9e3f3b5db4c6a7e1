import type { Component } from 'svelte';

/** Who may open a screen: anyone, only signed-out people, signed-in people, administrators. */
export type Access = 'public' | 'guest' | 'signed-in' | 'admin';

/** A screen; those with path parameters take them as `params`, the others take nothing. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- screens differ in props; App passes `params` to all
export type Page = Component<any>;

export interface Route {
  pattern: RegExp;
  access: Access;
  /** Screens load on demand, so the sign-in page carries none of the admin screens' code. */
  load: () => Promise<{ default: Page }>;
}

export const routes: Route[] = [
  { pattern: /^\/(login)?$/, access: 'guest', load: () => import('../routes/login/LoginPage.svelte') },
  { pattern: /^\/setup$/, access: 'public', load: () => import('../routes/setup/SetupPage.svelte') },
  { pattern: /^\/interaction\/(?<uid>[^/]+)$/, access: 'public', load: () => import('../routes/interaction/InteractionPage.svelte') },
  { pattern: /^\/apps$/, access: 'signed-in', load: () => import('../routes/apps/MyAppsPage.svelte') },
  { pattern: /^\/settings(\/account)?$/, access: 'signed-in', load: () => import('../routes/settings/AccountPage.svelte') },
  { pattern: /^\/admin(\/users)?$/, access: 'admin', load: () => import('../routes/admin/users/UsersPage.svelte') },
  { pattern: /^\/admin\/users\/(?<id>[^/]+)$/, access: 'admin', load: () => import('../routes/admin/users/UserPage.svelte') },
  { pattern: /^\/admin\/groups$/, access: 'admin', load: () => import('../routes/admin/groups/GroupsPage.svelte') },
  { pattern: /^\/admin\/groups\/(?<id>[^/]+)$/, access: 'admin', load: () => import('../routes/admin/groups/GroupPage.svelte') },
  { pattern: /^\/admin\/clients$/, access: 'admin', load: () => import('../routes/admin/clients/ClientsPage.svelte') },
  { pattern: /^\/admin\/clients\/(?<id>[^/]+)$/, access: 'admin', load: () => import('../routes/admin/clients/ClientPage.svelte') },
  { pattern: /^\/admin\/audit$/, access: 'admin', load: () => import('../routes/admin/audit/AuditPage.svelte') },
  { pattern: /^\/admin\/forward-auth$/, access: 'admin', load: () => import('../routes/admin/forward-auth/ForwardAuthPage.svelte') },
];

export function matchRoute(path: string): { route: Route; params: Record<string, string> } | null {
  const normalized = path.length > 1 ? path.replace(/\/+$/, '') : path;
  for (const route of routes) {
    const match = route.pattern.exec(normalized);
    if (match) {
      const params = Object.fromEntries(Object.entries(match.groups ?? {}).map(([key, value]) => [key, decodeURIComponent(value)]));
      return { route, params };
    }
  }
  return null;
}
